from django.urls import reverse

from accounts.enums import PILOTAGE_ROLES, RoleKind
from cnfs.pages.middleware import active_role, user_roles


def _navigation(role):
    if role is None:
        return []
    items = []
    if role.kind in (RoleKind.CONSEILLER, RoleKind.COORDINATEUR):
        items.append({"label": "Espace Coop", "url": reverse("cra:home")})
    if role.kind in PILOTAGE_ROLES:
        items.append({"label": "Tableau de pilotage", "url": reverse("conseillers:pilotage")})
    items.append({"label": "Statistiques par territoire", "url": reverse("stats:territoires")})
    items.append({"label": "Statistiques nationales", "url": reverse("stats:national")})
    items.append({"label": "Ressourcerie", "url": reverse("ressourcerie:index")})
    items.append({"label": "Mes exports", "url": reverse("stats:exports")})
    if role.kind == RoleKind.STRUCTURE or role.kind == RoleKind.ADMIN:
        items.append({"label": "Inviter", "url": reverse("accounts:invite")})
    if role.kind == RoleKind.ADMIN:
        items.append({"label": "Administration", "url": reverse("admin:index")})
    return items


def roles(request):
    if not request.user.is_authenticated:
        return {"active_role": None, "user_roles": [], "navigation": []}
    role = active_role(request)
    current_path = request.path
    navigation = _navigation(role)
    # The most precise entry is the current one: /pilotage/territoires/ is not "Tableau de pilotage".
    matching = [item["url"] for item in navigation if current_path.startswith(item["url"])]
    current = max(matching, key=len, default=None)
    for item in navigation:
        item["current"] = item["url"] == current
    return {"active_role": role, "user_roles": user_roles(request), "navigation": navigation}
