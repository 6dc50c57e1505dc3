"""Every role × every kind of object: what the scoping module lets each role read."""

import pytest

from accounts.enums import RoleKind
from conseillers.scoping import Scope

ALL_CONSEILLERS = {"alice", "bruno", "chloe", "denis", "emma", "fabrice"}
ALL_STRUCTURES = {"villeurbanne", "lyon_asso", "bourg"}

# (account in the world, role kind, conseillers readable, structures readable)
CASES = [
    ("alice", RoleKind.CONSEILLER, {"alice"}, set()),
    ("emma", RoleKind.CONSEILLER, {"emma"}, set()),
    ("emma", RoleKind.COORDINATEUR, {"emma", "alice", "chloe"}, {"villeurbanne", "bourg", "lyon_asso"}),
    # A structure reads its current conseillers and the former ones (Denis left Villeurbanne).
    ("gestionnaire_villeurbanne", RoleKind.STRUCTURE, {"alice", "bruno", "denis"}, {"villeurbanne"}),
    ("gestionnaire_bourg", RoleKind.STRUCTURE, {"chloe", "fabrice"}, {"bourg"}),
    ("prefet_rhone", RoleKind.PREFET, {"alice", "bruno", "denis", "emma"}, {"villeurbanne", "lyon_asso"}),
    ("prefet_ain", RoleKind.PREFET, {"chloe", "fabrice"}, {"bourg"}),
    ("prefet_ara", RoleKind.PREFET, ALL_CONSEILLERS, ALL_STRUCTURES),
    ("hub", RoleKind.HUB, ALL_CONSEILLERS, ALL_STRUCTURES),
    ("admin", RoleKind.ADMIN, ALL_CONSEILLERS, ALL_STRUCTURES),
]


def _user(world, name):
    obj = getattr(world, name)
    return obj.user if hasattr(obj, "user") and not hasattr(obj, "email") else obj


def _names(world, queryset, names):
    by_pk = {getattr(world, name).pk: name for name in names}
    return {by_pk.get(pk, f"autre:{pk}") for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(("account", "kind", "conseillers", "structures"), CASES)
def test_scope_reads_exactly_its_objects(world, account, kind, conseillers, structures):
    role = _user(world, account).roles.get(kind=kind)
    scope = Scope(role)

    assert _names(world, scope.conseillers(), ALL_CONSEILLERS) == conseillers
    assert _names(world, scope.structures(), ALL_STRUCTURES) == structures
    # No duplicate row when a conseiller matches several conditions (current and former employer).
    assert scope.conseillers().count() == len(conseillers)


def test_territorial_roles_cover_their_departements(world):
    prefet_rhone = Scope(world.prefet_rhone.roles.get())
    prefet_ara = Scope(world.prefet_ara.roles.get())
    hub = Scope(world.hub.roles.get())

    assert list(prefet_rhone.territory_departements()) == [world.rhone]
    assert set(prefet_ara.territory_departements()) == set(world.ara.departements.all())
    assert set(hub.territory_departements()) == set(world.hub_ara.departements.all())
    assert Scope(world.admin.roles.get()).territory_departements() is None


def test_coordinateur_without_coordination_flag_reads_nothing(world):
    role = world.emma.user.roles.get(kind=RoleKind.COORDINATEUR)
    world.emma.est_coordinateur = False
    world.emma.save()
    role.user.conseiller.refresh_from_db()

    assert not Scope(role).conseillers().exists()


def test_conseiller_role_without_profile_reads_nothing(world):
    role = world.alice.user.roles.get(kind=RoleKind.CONSEILLER)
    world.alice.user = None
    world.alice.save()
    role.user.refresh_from_db()

    assert not Scope(role).conseillers().exists()
