"""`users` -> accounts.User with their roles (SPEC §15): bcrypt hash kept, roles mapped, activation."""

from collections.abc import Iterable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from accounts.enums import RoleKind
from accounts.models import Role, User
from cnfs.import_v1.common import (
    CollectionReport,
    Rejects,
    batches,
    moment,
    readable_documents,
    rows_upsert,
    text,
)
from cnfs.import_v1.conseillers import Conseillers
from cnfs.import_v1.reader import Line
from conseillers.models import Conseiller
from structures.models import Departement, Hub, Region

# The roles of a conseiller's fiche (their scope), and the national team's.
CONSEILLER_ROLES = {
    "conseiller": RoleKind.CONSEILLER,
    "coordinateur_coop": RoleKind.COORDINATEUR,
    "coordinateur": RoleKind.COORDINATEUR,
}
ADMIN_ROLES = frozenset({"admin", "admin_coop"})
STRUCTURE_ROLES = frozenset({"structure", "structure_coop"})


def password_of(document: dict) -> str:
    """The stored password: the first system's bcrypt hash under Django's `bcrypt$` prefix (checked by
    BCryptPasswordHasher, upgraded at the first login), or an unusable one when there is none."""
    value = text(document.get("password"))
    return f"bcrypt${value}" if value.startswith("$2") else UNUSABLE_PASSWORD_PREFIX


class _Scopes:
    """The territories and hubs the roles point to, loaded once."""

    def __init__(self):
        self.departements = set(Departement.objects.values_list("code", flat=True))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.hubs = {nom.casefold(): pk for pk, nom in Hub.objects.values_list("pk", "nom")}


def roles_of(
    document: dict, structures: dict[str, int], conseiller: int | None, scopes: _Scopes
) -> set[tuple]:
    """(kind, structure, departement, region, hub) of each role of the account this service has; a
    conseiller's role only with his imported fiche (`conseiller`)."""
    roles = set()
    for name in document.get("roles") or []:
        name = text(name)
        if name in CONSEILLER_ROLES and conseiller is not None:
            roles.add((CONSEILLER_ROLES[name], None, None, None, None))
        elif name in ADMIN_ROLES:
            roles.add((RoleKind.ADMIN, None, None, None, None))
        elif name in STRUCTURE_ROLES and structures.get(document.get("entity")):
            roles.add((RoleKind.STRUCTURE, structures[document["entity"]], None, None, None))
        elif name == "prefet":
            departement, region = text(document.get("departement")), text(document.get("region"))
            if departement in scopes.departements:
                roles.add((RoleKind.PREFET, None, departement, None, None))
            elif region in scopes.regions:
                roles.add((RoleKind.PREFET, None, None, region, None))
        elif name == "hub_coop" and text(document.get("hub")).casefold() in scopes.hubs:
            roles.add((RoleKind.HUB, None, None, None, scopes.hubs[text(document.get("hub")).casefold()]))
    return roles


def _roles_grant(roles: dict[int, set[tuple]]) -> None:
    """Adds the roles an account lacks; never removes one (the national team may have changed them)."""
    present = {
        (role.user_id, (role.kind, role.structure_id, role.departement_id, role.region_id, role.hub_id))
        for role in Role.objects.filter(user_id__in=list(roles))
    }
    Role.objects.bulk_create(
        Role(user_id=user, kind=kind, structure_id=s, departement_id=d, region_id=r, hub_id=h)
        for user, wanted in roles.items()
        for kind, s, d, r, h in sorted(wanted, key=str)
        if (user, (kind, s, d, r, h)) not in present
    )


def _conseillers_link(links: dict[int, tuple]) -> None:
    """An account of a conseiller: linked to his fiche, which it activates when the password was created
    (SPEC §15 "activated = passwordCreated"); a link or an activation already made here is kept."""
    changed = []
    users = [user for user, _activated_at in links.values()]
    linked = set(Conseiller.objects.filter(user_id__in=users).values_list("user_id", flat=True))
    for conseiller in Conseiller.objects.filter(pk__in=list(links)):
        user, activated_at = links[conseiller.pk]
        if conseiller.user_id is None and user not in linked:
            conseiller.user_id = user
            linked.add(user)
            changed.append(conseiller)
        if activated_at is not None and conseiller.date_activation is None:
            conseiller.date_activation = activated_at
            changed.append(conseiller)
    Conseiller.objects.bulk_update(set(changed), ["user", "date_activation"])


def users_import(
    lines: Iterable[Line],
    report: CollectionReport,
    rejects: Rejects,
    structures: dict[str, int],
    conseillers: Conseillers,
) -> None:
    scopes = _Scopes()
    emails = {email.lower(): source for email, source in User.objects.values_list("email", "source_id")}
    extra: dict[str, tuple] = {}

    def rows():
        for document in readable_documents(lines, report, rejects):
            source_id = document["_id"]
            email = text(document.get("name"), 254).lower()
            if "@" not in email:
                rejects.add(report, source_id, "adresse e-mail (name) absente ou illisible")
                continue
            conseiller = conseillers.pks.get(document.get("entity"))
            roles = roles_of(document, structures, conseiller, scopes)
            if not roles:
                report.ignored["sans rôle dans ce service"] += 1
                continue
            if emails.setdefault(email, source_id) != source_id:
                rejects.add(report, source_id, f"adresse {email} déjà prise par un autre compte")
                continue
            activated = document.get("passwordCreated") is True
            activated_at = (
                moment(document.get("passwordCreatedAt"))
                or moment(document.get("createdAt"))
                or moment(document.get("updatedAt"))
            )
            extra[source_id] = (roles, conseiller, activated and activated_at)
            yield (
                source_id,
                {
                    "email": email,
                    "first_name": text(document.get("prenom"), 150),
                    "last_name": text(document.get("nom"), 150),
                    "password": password_of(document),
                    **({"date_joined": document["createdAt"]} if moment(document.get("createdAt")) else {}),
                },
            )

    for batch in batches(rows()):
        # The password belongs to the person once imported: a run after his first login keeps his own.
        pks = rows_upsert(User, dict(batch), report, create_only=("password",))
        _roles_grant({pks[source_id]: extra[source_id][0] for source_id, _fields in batch})
        _conseillers_link(
            {
                extra[source_id][1]: (pks[source_id], extra[source_id][2] or None)
                for source_id, _fields in batch
                if extra[source_id][1] is not None
            }
        )
        extra.clear()
