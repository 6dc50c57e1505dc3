"""Only the allauth pages the service uses are served (SPEC §18): login, logout, password reset and change.

allauth's e-mail management let any account take any unused address as its login (then receive the
invitations sent to it); sign-up, e-mail confirmation and reauthentication are not used either. The login
e-mail changes only in the admin (national team) until the confirmed change of « Mon compte » (SPEC §14).
"""

import re

import pytest
from allauth.account.models import EmailAddress

from tests.accounts.factories import PASSWORD

NEW_PASSWORD = "un-autre-mot-de-passe-2026"

ACCOUNTS = (
    "gestionnaire_villeurbanne",
    "prefet_rhone",
    "prefet_ara",
    "hub",
    "admin",
    "emma",
    "alice",
)


def _without_nonces(response):
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def _user(world, account):
    user = getattr(world, account)
    return getattr(user, "user", user)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_no_account_changes_its_login_email(world, login_as, account):
    user = _user(world, account)
    email = user.email
    client = login_as(user)

    assert client.get("/accounts/email/").status_code == 404
    # Add an address (another account's, or a free one), then make it primary: both refused.
    for address in ("gestion@bourg.fr", "future-equipe@anct.gouv.fr"):
        assert client.post("/accounts/email/", {"action_add": "", "email": address}).status_code == 404
        assert client.post("/accounts/email/", {"action_primary": "", "email": address}).status_code == 404

    user.refresh_from_db()
    assert user.email == email
    assert not EmailAddress.objects.filter(user=user).exclude(email=email).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/",
        "/accounts/reauthenticate/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/une-cle/",
        "/accounts/inactive/",
        "/accounts/password/set/",
        "/accounts/login/code/confirm/",
    ],
)
def test_the_allauth_pages_not_used_answer_404(world, client, login_as, path):
    assert client.get(path).status_code == 404
    assert login_as(world.prefet_rhone).get(path).status_code == 404


def test_the_allauth_pages_in_use_are_served(world, client, login_as):
    for path in ("/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/done/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/accounts/password/reset/key/done/").status_code == 200
    client = login_as(world.prefet_rhone)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    world.prefet_rhone.refresh_from_db()
    assert world.prefet_rhone.check_password(NEW_PASSWORD)


def test_a_password_reset_link_lets_its_owner_choose_a_password(world, client, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "prefet@rhone.gouv.fr"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mailoutbox[-1].body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assert response.status_code == 200
    world.prefet_rhone.refresh_from_db()
    assert world.prefet_rhone.check_password(NEW_PASSWORD)


def test_a_password_reset_mails_only_known_accounts_and_answers_the_same(world, client, mailoutbox):
    """No e-mail to an address without account (the service must not send mail to anyone on demand), and
    the same answer for both: the page does not tell which addresses have an account."""
    known = client.post("/accounts/password/reset/", {"email": "prefet@rhone.gouv.fr"}, follow=True)
    assert [message.to for message in mailoutbox] == [["prefet@rhone.gouv.fr"]]

    unknown = client.post("/accounts/password/reset/", {"email": "inconnu@exemple.fr"}, follow=True)

    assert len(mailoutbox) == 1
    assert unknown.redirect_chain == known.redirect_chain
    assert _without_nonces(unknown) == _without_nonces(known)
