from html import unescape

import pytest
from django.core.cache import cache

from accounts.models import User
from tests.accounts.factories import PASSWORD


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_login_with_email_any_case(world, client):
    response = client.post("/accounts/login/", {"login": "PREFET@Rhone.gouv.fr", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/accounts/accueil/"


def test_wrong_password_gives_a_french_message(world, client):
    response = client.post("/accounts/login/", {"login": "prefet@rhone.gouv.fr", "password": "mauvais"})

    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


def test_failed_logins_are_rate_limited(world, client):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "prefet@rhone.gouv.fr", "password": "mauvais"})

    # Even the right password is refused once the limit is reached.
    response = client.post("/accounts/login/", {"login": "prefet@rhone.gouv.fr", "password": PASSWORD})

    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signup_is_closed(db, client):
    client.post("/accounts/signup/", {"email": "x@y.fr", "password1": PASSWORD, "password2": PASSWORD})

    assert not User.objects.filter(email="x@y.fr").exists()


def test_email_is_unique_whatever_the_case(db):
    User.objects.create_user(email="Camille@Exemple.fr", password=PASSWORD)

    assert User.objects.get_by_natural_key("CAMILLE@exemple.FR").email == "camille@exemple.fr"
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError or ValidationError depending on the path
        User.objects.create_user(email="camille@EXEMPLE.fr", password=PASSWORD)


def test_password_reset_sends_a_link(world, client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "prefet@rhone.gouv.fr"})

    assert response.status_code == 302
    assert mailoutbox[-1].to == ["prefet@rhone.gouv.fr"]
    assert "/accounts/password/reset/key/" in mailoutbox[-1].body


def test_logout_needs_post(world, login_as):
    client = login_as(world.prefet_rhone)

    client.post("/accounts/logout/")

    assert "_auth_user_id" not in client.session


def test_a_session_ends_with_the_browser_and_after_twelve_hours(world, client, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post("/accounts/login/", {"login": "prefet@rhone.gouv.fr", "password": PASSWORD})
    assert client.get("/pilotage/").status_code == 200
    # No "remember me": the cookie is a session cookie, and the server keeps it 12 hours at most.
    assert client.session.get_expire_at_browser_close()
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get("/pilotage/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_passwords_follow_the_rules(world, login_as):
    client = login_as(world.prefet_rhone)
    for weak, message in (
        ("court", "trop court"),
        ("motdepasse", "trop courant"),
        ("123456789012", "entièrement numérique"),
        ("prefet@rhone.gouv.fr", "trop semblable"),
    ):
        response = client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": weak, "password2": weak},
        )
        assert response.status_code == 200, weak  # the form comes back with its errors, in French
        assert message in unescape(response.content.decode()), weak
    world.prefet_rhone.refresh_from_db()
    assert world.prefet_rhone.check_password(PASSWORD)
