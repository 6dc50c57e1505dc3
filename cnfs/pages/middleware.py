from accounts.enums import RoleKind
from conseillers.scoping import Scope

SESSION_ROLE_KEY = "active_role_id"

# The role an account lands in when it has not chosen one: the widest pilotage role first.
DEFAULT_ROLE_ORDER = [
    RoleKind.ADMIN,
    RoleKind.PREFET,
    RoleKind.HUB,
    RoleKind.STRUCTURE,
    RoleKind.COORDINATEUR,
    RoleKind.CONSEILLER,
]


def user_roles(request):
    """The roles of the logged-in account, loaded once per request."""
    if not hasattr(request, "_cached_user_roles"):
        user = request.user
        roles = list(user.roles.with_scope()) if user.is_authenticated else []
        roles.sort(key=lambda role: (DEFAULT_ROLE_ORDER.index(role.kind), role.scope_label))
        request._cached_user_roles = roles
    return request._cached_user_roles


def active_role(request):
    roles = user_roles(request)
    if not roles:
        return None
    chosen = request.session.get(SESSION_ROLE_KEY)
    return next((role for role in roles if role.pk == chosen), roles[0])


class ActiveRoleMiddleware:
    """Puts the active role of the account, and the scope it reads, on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.role = active_role(request)
        request.scope = Scope(request.role) if request.role else None
        return self.get_response(request)
