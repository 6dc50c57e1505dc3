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
