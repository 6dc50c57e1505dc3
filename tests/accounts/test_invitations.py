import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.enums import RoleKind
from accounts.models import Invitation, User
from accounts.services import role_grant
from tests.accounts.factories import PASSWORD, UserFactory

NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def _link_from_last_mail():
    return re.search(r"https?://[^/\s]+(/accounts/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)


def test_admin_invites_a_prefet(world, login_as):
    client = login_as(world.admin)

    response = client.post(
        "/accounts/inviter/",
        {
            "email": "Prefete@Rhone.Gouv.fr",
            "first_name": "Inès",
            "last_name": "Roux",
            "kind": "prefet",
            "departement": world.rhone.pk,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="prefete@rhone.gouv.fr")
    assert not user.has_usable_password()
    # The role waits for the acceptance of the invitation.
    assert not user.roles.exists()
    assert list(user.invitations.values_list("kind", "departement")) == [("prefet", "69")]
    assert mail.outbox[-1].to == ["prefete@rhone.gouv.fr"]
    assert "7 jours" in mail.outbox[-1].body or "valable" in mail.outbox[-1].body


def test_prefet_needs_a_departement_or_a_region(world, login_as):
    client = login_as(world.admin)

    response = client.post(
        "/accounts/inviter/",
        {"email": "x@rhone.gouv.fr", "kind": "prefet", "departement": world.rhone.pk, "region": world.ara.pk},
    )

    assert response.status_code == 200
    assert "Choisissez un département ou une région" in response.content.decode()
    assert not User.objects.filter(email="x@rhone.gouv.fr").exists()
    assert mail.outbox == []


def test_structure_user_invites_a_colleague_to_his_structure_only(world, login_as):
    client = login_as(world.gestionnaire_villeurbanne)

    # A forged "structure" or "kind" field is ignored: the role comes from the inviter's scope.
    response = client.post(
        "/accounts/inviter/",
        {"email": "collegue@villeurbanne.fr", "kind": "admin", "structure": world.bourg.pk},
    )

    assert response.status_code == 302
    invitations = Invitation.objects.filter(user__email="collegue@villeurbanne.fr")
    assert list(invitations.values_list("kind", "structure")) == [("structure", world.villeurbanne.pk)]


@pytest.mark.parametrize("account", ["prefet_rhone", "hub"])
def test_other_roles_cannot_invite(world, login_as, account):
    response = login_as(getattr(world, account)).get("/accounts/inviter/")

    assert response.status_code == 403


def test_conseiller_cannot_invite(world, login_as):
    response = login_as(world.alice.user).post("/accounts/inviter/", {"email": "x@y.fr"})

    assert response.status_code == 403
    assert not User.objects.filter(email="x@y.fr").exists()


def test_service_refuses_a_structure_inviting_elsewhere(world):
    role = world.gestionnaire_villeurbanne.roles.get()

    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by_role=role,
            email="a@b.fr",
            first_name="",
            last_name="",
            kind=RoleKind.STRUCTURE,
            structure=world.bourg,
        )


def test_invited_conseiller_chooses_password_and_is_activated(world, client):
    assert world.bruno.date_activation is None
    services.invitation_create(
        invited_by_role=world.admin.roles.get(),
        email="",
        first_name="",
        last_name="",
        kind=RoleKind.CONSEILLER,
        conseiller=world.bruno,
    )
    assert mail.outbox[-1].to == [world.bruno.email_pro]
    link = _link_from_last_mail()

    assert client.get(link).status_code == 200
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.url == "/accounts/accueil/"
    world.bruno.refresh_from_db()
    assert world.bruno.date_activation is not None
    assert world.bruno.user.check_password(NEW_PASSWORD)
    # Logged in: the home sends him to the Espace Coop.
    assert client.get("/accounts/accueil/").url == "/coop/"
    # The link works once.
    assert client.get(link).status_code == 410


def test_invitation_password_rules_are_enforced(world, client):
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    link = _link_from_last_mail()

    response = client.post(link, {"password1": "123", "password2": "123"})

    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    world.prefet_ain.refresh_from_db()
    assert Invitation.objects.get(user=world.prefet_ain).accepted_at is None


def test_invitation_passwords_must_match(world, client):
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)

    response = client.post(
        _link_from_last_mail(), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )

    assert "ne sont pas identiques" in response.content.decode()


def test_expired_invitation_is_refused(world, client):
    invitation = services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    link = _link_from_last_mail()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 410
    world.prefet_ain.refresh_from_db()
    assert not world.prefet_ain.check_password(NEW_PASSWORD)


def test_invitation_is_valid_seven_days(world):
    invitation = services.invitation_send(user=world.prefet_ain, invited_by=world.admin)

    assert timezone.timedelta(days=6, hours=23) < invitation.expires_at - invitation.created_at
    assert invitation.expires_at - invitation.created_at <= timezone.timedelta(days=7)


def test_a_new_invitation_revokes_the_previous_link(world, client):
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    first_link = _link_from_last_mail()
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)

    assert client.get(first_link).status_code == 410
    assert client.get(_link_from_last_mail()).status_code == 200


def test_unknown_token_is_refused(db, client):
    assert client.get("/accounts/invitation/nimportequoi/").status_code == 410


def test_only_the_token_hash_is_stored(world):
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    token = _link_from_last_mail().rstrip("/").rsplit("/", 1)[1]

    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.for_token(token).exists()


def test_purge_keeps_accepted_and_recent_invitations(world):
    old = timezone.now() - timezone.timedelta(days=40)
    pending = services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    accepted = services.invitation_send(user=world.prefet_rhone, invited_by=world.admin)
    recent = services.invitation_send(user=world.hub, invited_by=world.admin)
    Invitation.objects.filter(pk__in=[pending.pk, accepted.pk]).update(expires_at=old)
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=old)

    assert services.invitations_purge_expired() == 1
    assert set(Invitation.objects.values_list("pk", flat=True)) == {accepted.pk, recent.pk}


def test_login_activates_a_conseiller_who_reset_his_password(world, client):
    world.bruno.user = User.objects.create_user(email="bruno@exemple.fr", password=NEW_PASSWORD)
    world.bruno.save()

    assert client.login(email="bruno@exemple.fr", password=NEW_PASSWORD)

    world.bruno.refresh_from_db()
    assert world.bruno.date_activation is not None


# --- The role waits for the acceptance of the invitation (SPEC §18) ----------------------------------------


def _accept_last_invitation(client):
    """Follows the link of the last invitation e-mailed and chooses a password, as its addressee."""
    link = _link_from_last_mail()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.status_code
    client.logout()


# Who invites, what he posts, the role expected: (kind, scope id).
INVITED_ROLES = {
    "structure": ("gestionnaire_villeurbanne", lambda w: ({}, ("structure", w.villeurbanne.pk))),
    "prefet": ("admin", lambda w: ({"kind": "prefet", "departement": "69"}, ("prefet", "69"))),
    "hub": ("admin", lambda w: ({"kind": "hub", "hub": w.hub_ara.pk}, ("hub", w.hub_ara.pk))),
    "admin": ("admin", lambda w: ({"kind": "admin"}, ("admin", None))),
}


@pytest.mark.parametrize("invited_role", INVITED_ROLES)
def test_an_existing_account_holds_the_invited_role_only_once_it_accepts(
    world, login_as, client, invited_role
):
    """The Ain's préfet (a password, a role) is invited with his address: the new role waits until the
    person who receives the e-mail follows its link."""
    inviter, data_and_role = INVITED_ROLES[invited_role]
    data, expected = data_and_role(world)
    invitee = world.prefet_ain
    response = login_as(getattr(world, inviter)).post("/accounts/inviter/", {"email": invitee.email, **data})
    assert response.status_code == 302
    client.logout()

    assert list(invitee.roles.values_list("kind", "departement")) == [("prefet", "01")]
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD) and not invitee.is_staff

    _accept_last_invitation(client)

    held = invitee.roles.exclude(departement=world.ain).get()
    assert (held.kind, held.structure_id or held.departement_id or held.hub_id) == expected


def test_an_invited_conseiller_is_linked_to_the_account_only_once_it_accepts(world, client):
    """An account already uses Bruno's professional address: the invitation does not link his fiche to it,
    nor give it the conseiller role, until the link is followed."""
    account = UserFactory(email=world.bruno.email_pro)
    role_grant(user=account, kind=RoleKind.HUB, hub=world.hub_ara)
    services.invitation_create(
        invited_by_role=world.admin.roles.get(),
        email="",
        first_name="",
        last_name="",
        kind=RoleKind.CONSEILLER,
        conseiller=world.bruno,
    )

    world.bruno.refresh_from_db()
    assert world.bruno.user is None
    assert list(account.roles.values_list("kind", flat=True)) == ["hub"]

    _accept_last_invitation(client)

    world.bruno.refresh_from_db()
    assert world.bruno.user == account and world.bruno.date_activation is not None
    assert sorted(account.roles.values_list("kind", flat=True)) == ["conseiller", "hub"]


def test_two_pending_invitations_to_different_roles_are_both_kept(world, client):
    admin = world.admin.roles.get()
    for departement in (world.rhone, world.ain):
        services.invitation_create(
            invited_by_role=admin,
            email="nouvelle@prefecture.gouv.fr",
            first_name="",
            last_name="",
            kind=RoleKind.PREFET,
            departement=departement,
            region=None,
        )

    assert Invitation.objects.pending().filter(user__email="nouvelle@prefecture.gouv.fr").count() == 2


def test_the_pending_collaborators_are_listed_on_the_structure_fiche(world, login_as):
    client = login_as(world.gestionnaire_villeurbanne)
    client.post("/accounts/inviter/", {"email": "nouveau@villeurbanne.fr", "first_name": "Noé"})

    html = client.get(f"/pilotage/structures/{world.villeurbanne.pk}/").content.decode()

    table = html[html.index('id="table-comptes"') :]
    assert "nouveau@villeurbanne.fr" in table[: table.index("</table>")]
    assert "Invitation en attente" in table


# --- Only the national team reactivates an account (SPEC §18) -----------------------------------------------


def test_a_structure_cannot_invite_a_deactivated_account(world, login_as):
    staff = UserFactory(email="ancien@anct.gouv.fr", is_staff=True, is_active=False)

    response = login_as(world.gestionnaire_villeurbanne).post(
        "/accounts/inviter/", {"email": "Ancien@anct.gouv.fr", "first_name": "Ancien"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "compte désactivé" in content and 'value="Ancien"' in content
    assert not Invitation.objects.exists() and mail.outbox == []
    staff.refresh_from_db()
    assert not staff.is_active and not staff.roles.exists()


def test_the_link_of_a_since_deactivated_account_does_not_reactivate_it(world, client):
    services.invitation_send(user=world.prefet_ain, invited_by=world.admin)
    link = _link_from_last_mail()
    world.prefet_ain.is_active = False
    world.prefet_ain.save()

    assert client.get(link).status_code == 410
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 410
    world.prefet_ain.refresh_from_db()
    assert not world.prefet_ain.is_active and not world.prefet_ain.check_password(NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=Invitation.objects.get(), password=NEW_PASSWORD)
    world.prefet_ain.refresh_from_db()
    assert not world.prefet_ain.is_active


def test_the_national_team_may_invite_a_deactivated_account_reactivated_in_the_admin(world, login_as):
    ancien = UserFactory(email="ancien@anct.gouv.fr", is_active=False)

    response = login_as(world.admin).post(
        "/accounts/inviter/", {"email": ancien.email, "kind": "hub", "hub": world.hub_ara.pk}, follow=True
    )

    assert "désactivé" in response.content.decode()
    assert Invitation.objects.get().user == ancien
    ancien.refresh_from_db()
    assert not ancien.is_active
