"""The writes of the URL × role × scope matrix (SPEC §18): the login e-mail, invitations, export relaunches
and lieux d'activité, POSTed by every account of the named world and by Denis, a conseiller who left
Villeurbanne. Only the right account in the right scope changes anything; every other gets 403/404 (or its
own scope) and nothing changes."""

import pytest
from allauth.account.models import EmailAddress

from accounts.enums import RoleKind
from accounts.models import Invitation, Role
from accounts.services import conseiller_account_link
from cnfs.exports.models import Export
from conseillers.models import Permanence, PermanenceConseiller
from tests.cnfs.test_url_permissions import ACCOUNTS, objects  # noqa: F401 - the fixture of the world's objects
from tests.conseillers.test_lieux_views import form_data

WRITERS = (*ACCOUNTS, "denis")


@pytest.fixture
def client_of(objects, login_as):  # noqa: F811 - the fixture imported above
    world = objects
    conseiller_account_link(conseiller=world.denis)
    # Denis worked at Alice's lieu while Villeurbanne employed him.
    PermanenceConseiller.objects.create(permanence=world.lieu_alice, conseiller=world.denis)

    def log_in(account):
        user = getattr(world, account)
        user = user.user if account in ("alice", "emma", "denis") else user
        return user, login_as(user, RoleKind.COORDINATEUR if account == "emma" else None)

    return log_in


@pytest.mark.parametrize("account", WRITERS)
def test_nobody_changes_his_login_email(objects, client_of, account):  # noqa: F811
    user, client = client_of(account)
    email = user.email

    for data in ({"email": "futur-admin@anct.gouv.fr", "action_add": ""}, {"action_primary": ""}):
        assert client.post("/accounts/email/", data).status_code == 404

    user.refresh_from_db()
    assert user.email == email
    assert not EmailAddress.objects.filter(email__iexact="futur-admin@anct.gouv.fr").exists()


@pytest.mark.parametrize("account", WRITERS)
def test_an_invitation_to_villeurbanne_only_from_its_structure_or_the_national_team(
    objects,  # noqa: F811
    client_of,
    account,
):
    world = objects
    _user, client = client_of(account)
    email = f"invitee-{account}@exemple.fr"

    response = client.post(
        "/accounts/inviter/",
        {
            "email": email,
            "first_name": "Iris",
            "last_name": "Invitée",
            "kind": RoleKind.STRUCTURE,
            "structure": world.villeurbanne.pk,
        },
    )

    invitations = Invitation.objects.filter(user__email=email)
    if account in ("gestionnaire_villeurbanne", "admin"):
        assert response.status_code == 302
        assert [(i.kind, i.structure_id) for i in invitations] == [
            (RoleKind.STRUCTURE, world.villeurbanne.pk)
        ]
    elif account == "gestionnaire_bourg":
        # His form has no structure field: the invitation is to his own structure, whatever he posts.
        assert response.status_code == 302
        assert [(i.kind, i.structure_id) for i in invitations] == [(RoleKind.STRUCTURE, world.bourg.pk)]
    else:
        assert response.status_code == 403
        assert not invitations.exists()
    # Nobody holds the role before following the link.
    assert not Role.objects.filter(user__email=email).exists()


@pytest.mark.parametrize("account", WRITERS)
def test_only_its_requester_relaunches_an_export_and_only_in_his_scope(
    objects,  # noqa: F811
    client_of,
    account,
):
    world = objects
    export = world.export_villeurbanne
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.ECHEC)
    _user, client = client_of(account)

    response = client.post(f"/exports/{export.pk}/relancer/")

    export.refresh_from_db()
    if account == "gestionnaire_villeurbanne":
        assert response.status_code == 302
        assert export.etat == Export.Etat.EN_ATTENTE
    else:
        assert response.status_code in (403, 404)
        assert export.etat == Export.Etat.ECHEC


def test_an_export_is_not_relaunched_once_its_requester_left_the_scope(objects, client_of):  # noqa: F811
    world = objects
    export = world.export_villeurbanne
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.ECHEC)
    _user, client = client_of("gestionnaire_villeurbanne")
    Role.objects.filter(user=world.gestionnaire_villeurbanne).update(structure=world.lyon_asso)

    client.post(f"/exports/{export.pk}/relancer/")

    export.refresh_from_db()
    assert export.etat == Export.Etat.ECHEC


@pytest.mark.parametrize("account", WRITERS)
def test_only_a_conseiller_of_its_current_structure_edits_or_removes_a_lieu(
    objects,  # noqa: F811
    client_of,
    account,
):
    world = objects
    lieu = world.lieu_alice
    _user, client = client_of(account)

    edited = client.post(f"/coop/lieux/{lieu.pk}/modifier/", form_data(nom=f"Renommé par {account}"))
    removed = client.post(f"/coop/lieux/{lieu.pk}/retirer/")

    if account == "alice":
        assert edited.status_code == removed.status_code == 302
        assert not PermanenceConseiller.objects.filter(permanence=lieu, conseiller=world.alice).exists()
    else:
        assert edited.status_code in (403, 404) and removed.status_code in (403, 404)
        assert Permanence.objects.get(pk=lieu.pk).nom == "Médiathèque Le Rize"
        assert set(
            PermanenceConseiller.objects.filter(permanence=lieu).values_list("conseiller", flat=True)
        ) == {
            world.alice.pk,
            world.denis.pk,
        }
