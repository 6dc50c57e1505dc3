"""Text users typed reaches the invitation e-mail only quoted, on one line (SPEC §18), and invitations are
limited per account (ACCOUNT_RATE_LIMITS["invitation"]: 30 an hour)."""

import pytest
from django.core import mail

from accounts import services
from accounts.models import Invitation, User
from cnfs.socle.texte import cite
from tests.outils_admin import action

INJECTED = "Jean\n\nVotre compte expire : https://faux-site.example/connexion\n"


def test_typed_names_reach_the_email_quoted_on_one_line(world):
    world.admin.first_name = "Équipe\r\nNouveau lien : https://faux-site.example"
    world.admin.save()
    invitee = services.user_get_or_create(email="jean@exemple.fr", first_name=INJECTED)

    services.invitation_send(user=invitee, invited_by=world.admin)

    body = mail.outbox[-1].body
    assert body.startswith(
        "Bonjour « Jean Votre compte expire : https://faux-site.example/connexion »,\n\n"
        "« Équipe Nouveau lien : https://faux-site.example Martin » (« equipe@anct.gouv.fr ») vous invite"
    )
    # The only line opening with a link is the invitation's.
    assert [line for line in body.splitlines() if "://" in line and "«" not in line] == [
        line for line in body.splitlines() if "/accounts/invitation/" in line
    ]


def test_the_invited_role_is_quoted_in_the_email(world):
    world.villeurbanne.nom = "Mairie\n\nhttps://faux-site.example"
    world.villeurbanne.save()

    services.invitation_send(
        user=world.prefet_ain, invited_by=None, kind="structure", structure=world.villeurbanne
    )

    assert "Rôle proposé : « Structure – Mairie https://faux-site.example »." in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("Zoé", "« Zoé »"),
        ("  Jean\t\u00a0 Pierre \n", "« Jean Pierre »"),
        ("Léa\u202eelif.exe\u200b", "« Léa elif.exe »"),  # bidi override and zero-width space
        ("Noé » cliquez « ici", '« Noé " cliquez " ici »'),  # the value cannot close the quotation
        ("x" * 100, "« " + "x" * 79 + "… »"),
    ],
)
def test_cite_quotes_on_one_short_line(value, quoted):
    assert cite(value) == quoted


@pytest.mark.parametrize(
    "name",
    ["Jean\nhttps://faux-site.example", "Jean\rPierre", "Jean\u2028Pierre", "Jean\u202eerreiP", "Je\x00an"],
)
def test_the_invitation_form_refuses_line_breaks_and_control_characters(world, login_as, name):
    response = login_as(world.gestionnaire_villeurbanne).post(
        "/accounts/inviter/", {"email": "jean@villeurbanne.fr", "first_name": name, "last_name": "Dupont"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Saisissez ce texte sur une seule ligne, sans caractère de contrôle." in content
    assert 'value="Dupont"' in content
    assert not User.objects.filter(email="jean@villeurbanne.fr").exists() and mail.outbox == []


def test_invitations_are_limited_per_account(world, login_as):
    client = login_as(world.gestionnaire_villeurbanne)
    for index in range(30):
        response = client.post("/accounts/inviter/", {"email": f"collegue{index}@villeurbanne.fr"})
        assert response.status_code == 302, index

    response = client.post("/accounts/inviter/", {"email": "collegue30@villeurbanne.fr", "first_name": "Zoé"})

    assert response.status_code == 429
    content = response.content.decode()
    assert "beaucoup d&#x27;invitations en peu de temps" in content and 'value="Zoé"' in content
    assert len(mail.outbox) == 30 and Invitation.objects.count() == 30
    assert not User.objects.filter(email="collegue30@villeurbanne.fr").exists()
    # Per account: a colleague of another structure still invites.
    response = login_as(world.gestionnaire_bourg).post("/accounts/inviter/", {"email": "collegue@bourg.fr"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changelist", "objects"),
    [
        ("/admin/accounts/user/", lambda w: [w.prefet_ain]),
        ("/admin/conseillers/conseiller/", lambda w: [w.bruno]),
    ],
    ids=["comptes", "conseillers"],
)
def test_the_admin_invitation_actions_are_limited_per_account(world, client, settings, changelist, objects):
    """One run of an action counts once (a batch of conseillers after an import is one invitation)."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "invitation": "1/h/user"}
    client.force_login(world.admin)
    action(client, changelist, "inviter", objects(world))
    assert len(mail.outbox) == 1

    action(client, changelist, "inviter", objects(world))

    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1
    messages = [str(message) for message in client.get(changelist).context["messages"]]
    assert any("beaucoup d'invitations en peu de temps" in message for message in messages)
