"""The Django admin for the national team: access, groups, every page with bounded queries, accounts and
roles, the journal of changes."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail

from accounts.enums import RoleKind
from accounts.groupes import EQUIPE_NATIONALE, SUPPORT
from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.outils_admin import action, colonne, queries

USERS = "/admin/accounts/user/"


@pytest.fixture
def equipe(world, client):
    """The national team's account: staff through its admin role, not a superuser."""
    client.force_login(world.admin)
    return client


def test_the_admin_role_gives_the_national_team_group(world):
    assert world.admin.is_staff and not world.admin.is_superuser
    assert list(world.admin.groups.values_list("name", flat=True)) == [EQUIPE_NATIONALE]
    assert world.admin.has_perm("structures.change_structure")
    assert world.admin.has_perm("cra.change_cra") and not world.admin.has_perm("cra.delete_cra")


def test_the_support_group_only_reads(db):
    codenames = set(Group.objects.get(name=SUPPORT).permissions.values_list("codename", flat=True))
    assert codenames and all(codename.startswith("view_") for codename in codenames)
    assert "view_conseiller" in codenames and "view_logentry" in codenames


@pytest.mark.parametrize("account", ["gestionnaire_villeurbanne", "prefet_rhone", "hub", "alice"])
def test_accounts_without_staff_status_get_no_admin_access(world, client, account):
    user = getattr(world, account)
    client.force_login(getattr(user, "user", user))
    for path in ["/admin/", USERS, "/admin/structures/structure/", "/admin/cra/cra/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path


def test_anonymous_visitors_are_sent_to_the_login(db, client):
    response = client.get("/admin/conseillers/conseiller/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_support_reads_every_list_but_changes_nothing(world, client):
    support = UserFactory(email="support@anct.gouv.fr", is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT))
    client.force_login(support)
    assert client.get("/admin/conseillers/conseiller/").status_code == 200
    page = client.get(f"/admin/structures/structure/{world.villeurbanne.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(f"/admin/structures/structure/{world.villeurbanne.pk}/change/", {"nom": "Piratée"})
    assert response.status_code == 403
    world.villeurbanne.refresh_from_db()
    assert world.villeurbanne.nom == "Mairie de Villeurbanne"
    # No import, no action that writes.
    assert client.get("/admin/structures/structure/importer/").status_code == 403
    assert "inviter" not in client.get("/admin/conseillers/conseiller/").content.decode()


# The project's apps and the journal; the ressourcerie's admin is tested with its app, and the groups and
# allauth's e-mail addresses are left to the superusers.
APPS = {"accounts", "structures", "conseillers", "cra", "stats", "admin"}


def _models():
    return sorted(
        (model._meta.app_label, model._meta.model_name)
        for model in admin.site._registry
        if model._meta.app_label in APPS
    )


@pytest.mark.parametrize(("app", "model"), _models())
def test_every_changelist_and_change_form_loads_for_the_national_team(world, equipe, app, model):
    changelist = f"/admin/{app}/{model}/"
    assert equipe.get(changelist).status_code == 200
    model_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    obj = model_class._default_manager.order_by("pk").first()
    if obj is not None:
        assert equipe.get(f"{changelist}{obj.pk}/change/").status_code == 200
        assert equipe.get(f"{changelist}{obj.pk}/history/").status_code == 200
    # What the team creates by hand; contracts open from the conseiller's page, roles from the account's.
    addable = {"user", "hub", "structure", "conseiller", "permanence"}
    assert equipe.get(f"{changelist}add/").status_code == (200 if model in addable else 403)


def test_the_accounts_list_shows_the_roles_in_constant_queries(world, equipe):
    few = queries(equipe, USERS)
    for index in range(12):
        user = UserFactory(email=f"prefet{index}@exemple.gouv.fr")
        Role.objects.create(user=user, kind=RoleKind.PREFET, departement=world.ain)
    # session, account, its roles (middleware), permissions, count, total count, the page, its roles
    # (one prefetch), the groups filter.
    assert queries(equipe, USERS) == few <= 12
    roles = colonne(equipe.get(USERS, {"q": "prefet@rhone"}), "roles_lisibles")
    assert roles == ["Préfecture – 69 – Rhône"]


def test_the_accounts_filter_by_role(world, equipe):
    emails = colonne(equipe.get(USERS, {"roles__kind": "hub"}), "email")
    assert emails == ["hub@hinaura.fr"]


def test_an_account_change_is_journaled_with_its_values(world, equipe):
    user = world.prefet_ain
    page = f"{USERS}{user.pk}/change/"
    data = {
        "email": user.email,
        "first_name": "Camille",
        "last_name": "Durand",
        "is_active": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-0-id": user.roles.get().pk,
        "roles-0-user": user.pk,
        "roles-2-TOTAL_FORMS": "0",
        "roles-2-INITIAL_FORMS": "0",
    }
    response = equipe.post(page, data)
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.user == world.admin
    assert entry.get_change_message() == "Modification de Nom (Martin → Durand)."
    history = equipe.get(f"{USERS}{user.pk}/history/").content.decode()
    assert "Nom (Martin → Durand)" in history


def test_the_national_team_cannot_make_itself_superuser(world, equipe):
    page = f"{USERS}{world.admin.pk}/change/"
    data = {
        "email": world.admin.email,
        "first_name": "Camille",
        "last_name": "Martin",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-0-id": world.admin.roles.get().pk,
        "roles-0-user": world.admin.pk,
        "roles-2-TOTAL_FORMS": "0",
        "roles-2-INITIAL_FORMS": "0",
    }
    assert equipe.post(page, data).status_code == 302
    world.admin.refresh_from_db()
    assert not world.admin.is_superuser


def test_a_superuser_account_is_changed_by_a_superuser_only(world, equipe):
    boss = UserFactory(email="boss@anct.gouv.fr", is_staff=True, is_superuser=True)
    assert equipe.get(f"{USERS}{boss.pk}/change/").status_code == 200  # read-only
    assert equipe.get(f"{USERS}{boss.pk}/password/").status_code == 403


def test_giving_and_removing_the_admin_role_through_the_account_page(world, equipe):
    user = world.prefet_ain
    page = f"{USERS}{user.pk}/change/"
    base = {
        "email": user.email,
        "first_name": "Camille",
        "last_name": "Martin",
        "is_active": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-0-id": user.roles.get().pk,
        "roles-0-user": user.pk,
        "roles-2-INITIAL_FORMS": "0",
    }
    response = equipe.post(page, {**base, "roles-2-TOTAL_FORMS": "1", "roles-2-0-kind": "admin"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=EQUIPE_NATIONALE).exists()
    assert "Ajout de rôle" in LogEntry.objects.filter(object_id=str(user.pk)).get().get_change_message()

    admin_role = user.roles.get(kind=RoleKind.ADMIN)
    prefet_role = user.roles.get(kind=RoleKind.PREFET)
    response = equipe.post(
        page,
        {
            **base,
            "roles-TOTAL_FORMS": "2",
            "roles-INITIAL_FORMS": "2",
            "roles-0-id": admin_role.pk,
            "roles-0-DELETE": "on",
            "roles-1-id": prefet_role.pk,
            "roles-1-user": user.pk,
            "roles-2-TOTAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


def test_a_role_without_its_scope_is_refused_in_french(world, equipe):
    user = world.prefet_ain
    response = equipe.post(
        f"{USERS}{user.pk}/change/",
        {
            "email": user.email,
            "first_name": "Camille",
            "last_name": "Martin",
            "is_active": "on",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-0-id": user.roles.get().pk,
            "roles-0-user": user.pk,
            "roles-2-TOTAL_FORMS": "1",
            "roles-2-INITIAL_FORMS": "0",
            "roles-2-0-kind": "structure",
        },
    )
    assert response.status_code == 200
    assert "Le rôle « Structure » demande une structure, et rien d&#x27;autre." in response.content.decode()


def test_the_invitation_action_skips_the_accounts_already_used(world, equipe):
    world.prefet_rhone.last_login = world.prefet_rhone.date_joined
    world.prefet_rhone.save()
    response = action(equipe, USERS, "inviter", [world.prefet_ain, world.prefet_rhone])
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[world.prefet_ain.email]]
    assert world.prefet_ain.invitations.count() == 1 and not world.prefet_rhone.invitations.exists()
    entry = LogEntry.objects.get(object_id=str(world.prefet_ain.pk))
    assert entry.get_change_message() == "Invitation envoyée."


def test_the_journal_lists_every_change_read_only(world, equipe):
    action(equipe, USERS, "inviter", [world.prefet_ain])
    journal = "/admin/admin/logentry/"
    few = queries(equipe, journal)
    for _ in range(10):
        action(equipe, USERS, "inviter", [world.prefet_ain])
    assert queries(equipe, journal) == few
    assert colonne(equipe.get(journal), "message")[0] == "Invitation envoyée."
    entry = LogEntry.objects.first()
    assert equipe.post(f"{journal}{entry.pk}/change/", {}).status_code == 403


def test_a_failed_export_is_relaunched_from_the_admin(world, equipe, django_capture_on_commit_callbacks):
    from datetime import date

    from cnfs.exports.models import Export
    from stats.request import StatsRequest, StatsScope

    rhone = StatsRequest(StatsScope.departement("69"), date(2024, 1, 1), date(2024, 6, 30))
    export = Export.objects.create(
        demandeur=world.prefet_rhone,
        role=world.prefet_rhone.roles.get(),
        nature=Export.Nature.CRA_CSV,
        libelle="CRA du Rhône",
        nom_fichier="cra_rhone.csv",
        parametres={"requete": rhone.as_json()},
        etat=Export.Etat.ECHEC,
        erreur="Le worker s'est arrêté.",
    )
    # Asked by the Ain's préfet in a role he no longer has: not relaunched (SPEC §18).
    perdu = Export.objects.create(
        demandeur=world.prefet_ain, nature=Export.Nature.CRA_CSV, etat=Export.Etat.ECHEC
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = action(equipe, "/admin/exports/export/", "relancer", [export, perdu])
    assert response.status_code == 302 and len(callbacks) == 1
    export.refresh_from_db()
    assert (export.etat, export.erreur) == (Export.Etat.EN_ATTENTE, "")
    perdu.refresh_from_db()
    assert perdu.etat == Export.Etat.ECHEC
    assert LogEntry.objects.get(object_id=str(export.pk)).get_change_message() == "Export relancé."
