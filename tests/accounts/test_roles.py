import pytest
from django.db import IntegrityError

from accounts.enums import RoleKind
from accounts.models import Role
from accounts.services import role_grant
from tests.accounts.factories import UserFactory


@pytest.mark.parametrize(
    ("account", "landing"),
    [
        ("gestionnaire_villeurbanne", "/pilotage/"),
        ("prefet_rhone", "/pilotage/"),
        ("hub", "/pilotage/"),
        ("admin", "/pilotage/"),
    ],
)
def test_home_sends_each_role_to_its_space(world, login_as, account, landing):
    assert login_as(getattr(world, account)).get("/accounts/accueil/").url == landing


def test_conseiller_lands_on_the_espace_coop(world, login_as):
    client = login_as(world.alice.user)

    assert client.get("/accounts/accueil/").url == "/coop/"
    assert client.get("/coop/").status_code == 200


def test_coordinateur_lands_on_pilotage_and_switches_to_conseiller(world, login_as):
    client = login_as(world.emma.user)
    assert client.get("/accounts/accueil/").url == "/pilotage/"
    conseiller_role = world.emma.user.roles.get(kind=RoleKind.CONSEILLER)

    response = client.post("/accounts/role/", {"role": conseiller_role.pk})

    assert response.url == "/accounts/accueil/"
    assert client.get("/accounts/accueil/").url == "/coop/"
    # The pilotage pages now belong to the other role.
    assert client.get("/pilotage/").status_code == 403


def test_switching_to_a_role_of_another_account_is_refused(world, login_as):
    client = login_as(world.emma.user)
    other_role = world.admin.roles.get()

    client.post("/accounts/role/", {"role": other_role.pk})

    assert client.session.get("active_role_id") is None
    assert client.get("/accounts/accueil/").url == "/pilotage/"


def test_switch_role_needs_post(world, login_as):
    assert login_as(world.emma.user).get("/accounts/role/").status_code == 405


def test_account_without_role_is_told_so(db, client):
    client.force_login(UserFactory())

    response = client.get("/accounts/accueil/")

    assert response.status_code == 403
    assert "aucun rôle" in response.content.decode().lower()


@pytest.mark.parametrize("account", ["gestionnaire_villeurbanne", "prefet_rhone", "hub", "admin"])
def test_pilotage_roles_cannot_open_the_espace_coop(world, login_as, account):
    assert login_as(getattr(world, account)).get("/coop/").status_code == 403


def test_conseiller_cannot_open_the_pilotage(world, login_as):
    assert login_as(world.alice.user).get("/pilotage/").status_code == 403


def test_pilotage_home_lists_only_the_scope(world, login_as):
    content = login_as(world.gestionnaire_villeurbanne).get("/pilotage/").content.decode()

    for name in ("Arnaud", "Blanc", "Durand"):
        assert name in content
    for name in ("Chevalier", "Etienne", "Fournier"):
        assert name not in content


def test_pilotage_home_query_count(world, login_as, django_assert_num_queries):
    client = login_as(world.admin)
    # session, user, roles of the user, count of conseillers, page of conseillers with their structure and
    # CRAs, the départements and régions of the filters
    with django_assert_num_queries(7):
        client.get("/pilotage/")


def test_role_scope_must_match_its_kind(world):
    with pytest.raises(IntegrityError):
        Role.objects.create(user=world.admin, kind=RoleKind.STRUCTURE)


def test_prefet_scope_is_a_departement_or_a_region_not_both(world):
    with pytest.raises(IntegrityError):
        Role.objects.create(user=world.admin, kind=RoleKind.PREFET, departement=world.rhone, region=world.ara)


def test_granting_a_role_twice_changes_nothing(world):
    role_grant(user=world.prefet_rhone, kind=RoleKind.PREFET, departement=world.rhone)

    assert world.prefet_rhone.roles.count() == 1


def test_admin_role_gives_access_to_django_admin(world, login_as):
    assert world.admin.is_staff
    assert login_as(world.admin).get("/admin/").status_code == 200


def test_non_admin_is_kept_out_of_django_admin(world, login_as):
    response = login_as(world.prefet_rhone).get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_role_switcher_sends_raw_ids(world, login_as):
    # A localized id ("123 456") would not match any role of the account.
    Role.objects.create(pk=123456, user=world.emma.user, kind=RoleKind.STRUCTURE, structure=world.bourg)

    content = login_as(world.emma.user).get("/pilotage/").content.decode()

    assert 'value="123456"' in content
