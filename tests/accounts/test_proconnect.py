"""ProConnect (SPEC §14) against the local provider process (tests/fournisseur_proconnect.py): the login
of a linked or linkable account, each failure with its French page and nothing created, the logout through
the provider's end-session, and no button when ProConnect is not configured."""

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache

from accounts import services
from accounts.adapters import ID_TOKEN_SESSION_KEY
from accounts.enums import RoleKind
from accounts.models import User
from tests.proconnect import callback_path, free_port
from tests.utils import StrictClient

LOGIN = "/accounts/proconnect/connexion/"
CALLBACK = "/accounts/proconnect/retour/"


def _authorization(client) -> str:
    response = client.post(LOGIN)
    assert response.status_code == 302
    return response["Location"]


def _login(client, proconnect, sub):
    """The whole round trip: the button, the provider's form, the callback."""
    return client.get(callback_path(proconnect.authorize(_authorization(client), sub)))


def _nothing_created(before_users):
    assert User.objects.count() == before_users
    assert not SocialAccount.objects.exists()


@pytest.fixture
def prefet(world):
    """The préfet of the Ain, whose address the national team proved."""
    services.emails_verify(users=[world.prefet_ain])
    return world.prefet_ain


def test_the_authorization_request_is_that_of_proconnect(db, client, proconnect):
    query = parse_qs(urlparse(_authorization(client)).query)

    assert query["scope"] == ["openid email given_name usual_name siret uid"]
    assert query["acr_values"] == ["eidas1"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert len(query["state"][0]) >= 16 and len(query["nonce"][0]) >= 32


def test_a_proven_account_logs_in_and_is_linked(client, proconnect, prefet):
    sub = proconnect.identity("Prefet@Ain.gouv.fr", siret="17010001200019")

    response = _login(client, proconnect, sub)

    assert response.status_code == 302 and response.url == "/accounts/accueil/"
    assert client.session["_auth_user_id"] == str(prefet.pk)
    link = SocialAccount.objects.get(provider="proconnect")
    assert (link.user, link.uid) == (prefet, sub)
    assert link.extra_data["siret"] == "17010001200019"
    # The ID token is kept for the logout, and the userinfo claims were read from a verified JWT.
    assert client.session[ID_TOKEN_SESSION_KEY].count(".") == 2


def test_a_linked_identity_logs_in_again_without_a_second_link(client, proconnect, prefet):
    sub = proconnect.identity(prefet.email)
    _login(client, proconnect, sub)
    client.logout()

    response = _login(client, proconnect, sub)

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(prefet.pk)
    assert SocialAccount.objects.count() == 1


def test_an_account_whose_invitation_was_accepted_is_linked(world, client, proconnect):
    invitation = services.invitation_send(user=world.prefet_rhone, invited_by=world.admin)
    services.invitation_accept(invitation=invitation, password="un-mot-de-passe-choisi")

    response = _login(client, proconnect, proconnect.identity("prefet@rhone.gouv.fr"))

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.prefet_rhone.pk)
    assert SocialAccount.objects.get().user == world.prefet_rhone


def test_an_invited_conseiller_is_activated_by_his_first_proconnect_login(world, client, proconnect):
    admin_role = world.admin.roles.get()
    invitation = services.invitation_create(
        invited_by_role=admin_role,
        email="",
        first_name="",
        last_name="",
        kind=RoleKind.CONSEILLER,
        conseiller=world.bruno,
    )

    response = _login(client, proconnect, proconnect.identity(world.bruno.email_pro))

    assert response.status_code == 302
    invitation.refresh_from_db()
    world.bruno.refresh_from_db()
    assert invitation.accepted_at is not None
    assert world.bruno.date_activation is not None
    assert world.bruno.user.roles.filter(kind=RoleKind.CONSEILLER).exists()
    assert not world.bruno.user.has_usable_password()


def test_an_account_with_a_password_keeps_its_pending_invitation_to_accept(world, client, proconnect):
    """Its invitation lets the identity be linked, but giving its role stays the addressee's click."""
    invitation = services.invitation_send(
        user=world.prefet_rhone, invited_by=world.admin, kind=RoleKind.PREFET, departement=world.ain
    )

    response = _login(client, proconnect, proconnect.identity("prefet@rhone.gouv.fr"))

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.prefet_rhone.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not world.prefet_rhone.roles.filter(departement=world.ain).exists()


@pytest.mark.parametrize(
    "email",
    [
        "inconnu@exemple.fr",  # no account
        "prefet@rhone.gouv.fr",  # an account never invited, whose address was never proven
    ],
)
def test_an_unknown_identity_gets_an_explanation_and_nothing_else(world, client, proconnect, email):
    users = User.objects.count()

    response = _login(client, proconnect, proconnect.identity(email))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Aucun compte n&#x27;est associé à cette adresse" in page
    assert "conseiller-numerique@anct.gouv.fr" in page
    assert "_auth_user_id" not in client.session
    _nothing_created(users)


def test_a_deactivated_account_is_not_logged_in(client, proconnect, prefet):
    prefet.is_active = False
    prefet.save()

    response = _login(client, proconnect, proconnect.identity(prefet.email))

    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_provider_down_at_the_button(client, proconnect, prefet, settings):
    settings.PROCONNECT_DOMAIN = f"http://127.0.0.1:{free_port()}/api/v2"

    response = client.post(LOGIN)

    assert response.status_code == 503
    assert "ProConnect ne répond pas" in response.content.decode()


def test_provider_down_at_the_callback(client, proconnect, prefet, settings):
    users = User.objects.count()
    callback = proconnect.authorize(_authorization(client), proconnect.identity(prefet.email))
    settings.PROCONNECT_DOMAIN = f"http://127.0.0.1:{free_port()}/api/v2"
    cache.clear()  # the discovery document of the live provider

    response = client.get(callback_path(callback))

    assert response.status_code == 503 and "ProConnect ne répond pas" in response.content.decode()
    assert "_auth_user_id" not in client.session
    _nothing_created(users)


def test_a_wrong_state_is_refused(client, proconnect, prefet):
    users = User.objects.count()
    callback = proconnect.authorize(_authorization(client), proconnect.identity(prefet.email))
    query = parse_qs(urlparse(callback).query)

    response = client.get(CALLBACK, {"code": query["code"][0], "state": "forge"})

    assert response.status_code == 400
    assert "La demande de connexion a expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session
    _nothing_created(users)
    # The right answer opened in another browser (no state in its session) is refused as well.
    assert StrictClient().get(callback_path(callback)).status_code == 400
    _nothing_created(users)


def test_a_replayed_code_is_refused(client, proconnect, prefet):
    sub = proconnect.identity(prefet.email)
    used = parse_qs(urlparse(proconnect.authorize(_authorization(client), sub)).query)
    client.get(CALLBACK, {"code": used["code"][0], "state": used["state"][0]})
    client.logout()
    SocialAccount.objects.all().delete()
    # A new login whose callback carries the code already exchanged.
    state = parse_qs(urlparse(_authorization(client)).query)["state"][0]

    response = client.get(CALLBACK, {"code": used["code"][0], "state": state})

    assert response.status_code == 400
    assert "déjà servi ou a expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("faute", ["signature", "json"])
def test_a_userinfo_not_signed_by_proconnect_is_refused(client, proconnect, prefet, faute):
    users = User.objects.count()
    sub = proconnect.identity(prefet.email, cnfs_faute=faute)

    response = _login(client, proconnect, sub)

    assert response.status_code == 400
    assert "n&#x27;a pas pu être vérifiée" in response.content.decode()
    assert "_auth_user_id" not in client.session
    _nothing_created(users)


def _tamper_state(client, **changes):
    """Changes the pending login's state, as kept in the session (allauth's statekit)."""
    session = client.session
    states = session["socialaccount_states"]
    for stashed in states.values():
        stashed[0].update(changes)
    session["socialaccount_states"] = states
    session.save()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pkce_code_verifier": "pas-le-bon"}, "déjà servi ou a expiré"),  # the provider checks PKCE
        ({"nonce": "pas-le-bon"}, "n&#x27;a pas pu être vérifiée"),  # the ID token carries the first
    ],
)
def test_the_pkce_verifier_and_the_nonce_are_checked(client, proconnect, prefet, changes, message):
    callback = proconnect.authorize(_authorization(client), proconnect.identity(prefet.email))
    _tamper_state(client, **changes)

    response = client.get(callback_path(callback))

    assert response.status_code == 400 and message in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "landing"), [("/pilotage/", "/pilotage/"), ("https://ailleurs.fr/", None)]
)
def test_the_login_goes_where_the_person_was_going_on_this_site_only(
    client, proconnect, prefet, next_url, landing
):
    response = client.post(LOGIN, {"next": next_url})
    callback = proconnect.authorize(response["Location"], proconnect.identity(prefet.email))

    response = client.get(callback_path(callback))

    assert response.url == (landing or "/accounts/accueil/")


def test_a_cancelled_login(client, proconnect, prefet):
    callback = proconnect.authorize(_authorization(client), "", action="deny")

    response = client.get(callback_path(callback))

    assert response.status_code == 400 and "Connexion annulée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_logout_goes_through_the_end_session_of_proconnect(client, proconnect, prefet):
    _login(client, proconnect, proconnect.identity(prefet.email))
    id_token = client.session[ID_TOKEN_SESSION_KEY]

    response = client.post("/accounts/logout/")

    assert "_auth_user_id" not in client.session
    end_session = urlparse(response.url)
    assert response.url.startswith(f"{proconnect.url}/oauth2/end_session?")
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["state"]
    # The provider ends its session and sends the browser back home.
    confirm = requests.post(
        f"{proconnect.url}/oauth2/end_session/confirm",
        data={"redirect_uri": "http://testserver/"},
        allow_redirects=False,
        timeout=5,
    )
    assert requests.get(response.url, timeout=5).ok and confirm.headers["Location"] == "http://testserver/"


def test_the_logout_when_proconnect_is_down_closes_the_session_here(client, proconnect, prefet, settings):
    _login(client, proconnect, proconnect.identity(prefet.email))
    settings.PROCONNECT_DOMAIN = f"http://127.0.0.1:{free_port()}/api/v2"
    cache.clear()

    response = client.post("/accounts/logout/")

    assert response.url == "/" and "_auth_user_id" not in client.session


def test_a_password_logout_stays_here(client, proconnect, prefet, login_as):
    login_as(prefet)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and response.url == "/"


def test_the_button_when_configured(client, proconnect):
    page = client.get("/accounts/login/").content.decode()

    assert 'class="fr-connect"' in page and "S’identifier avec" in page and "ProConnect" in page
    assert "Qu’est-ce que ProConnect ?" in page
    assert client.get(LOGIN).url == "/accounts/login/"  # a GET goes back to the login page


def test_no_button_nor_pages_when_not_configured(db, client):
    assert "ProConnect" not in client.get("/accounts/login/").content.decode()
    assert client.post(LOGIN).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_the_policy_lets_the_forms_go_to_proconnect():
    """The settings read from the environment: ProConnect's origin in form-action (the button's redirect)."""
    code = (
        "from django.conf import settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnfs.settings.test"}
    environment["PROCONNECT_DOMAIN"] = "auth.agentconnect.gouv.fr"

    output = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout

    assert output.strip() == "[\"'self'\", 'https://auth.agentconnect.gouv.fr']"
