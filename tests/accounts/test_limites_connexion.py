"""Failed-login limits (SPEC §18): they slow an attacker down, never lock the owner out nor everybody."""

import importlib
import socket
import sys
import threading

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from accounts.appareils import COOKIE_NAME
from cnfs import checks
from tests.accounts.factories import PASSWORD
from tests.utils import StrictClient

LOGIN = "/accounts/login/"
TOO_MANY = "Trop de tentatives de connexion échouées"


def _login(client, email, password, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, headers=headers)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_successful_login_makes_the_browser_a_trusted_device(world, client):
    response = _login(client, "prefet@rhone.gouv.fr", PASSWORD)

    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600


def test_guessing_from_elsewhere_does_not_lock_the_owner_out(world, client):
    _login(client, "prefet@rhone.gouv.fr", PASSWORD)  # the owner's browser, trusted from now on
    client.post("/accounts/logout/")
    attacker = StrictClient()
    for _ in range(6):
        _login(attacker, "prefet@rhone.gouv.fr", "mauvais")
    # The attacker is stopped, even with the right password...
    assert TOO_MANY in _login(attacker, "prefet@rhone.gouv.fr", PASSWORD).content.decode()
    assert not _logged_in(attacker)

    # ...while the owner, from his own browser, still logs in.
    _login(client, "prefet@rhone.gouv.fr", PASSWORD)
    assert _logged_in(client)


def test_a_trusted_device_has_its_own_limit(world, client):
    _login(client, "prefet@rhone.gouv.fr", PASSWORD)
    client.post("/accounts/logout/")
    for _ in range(5):
        _login(client, "prefet@rhone.gouv.fr", "mauvais")

    assert TOO_MANY in _login(client, "prefet@rhone.gouv.fr", PASSWORD).content.decode()
    # Other clients (the owner on another computer) are not counted with it.
    other = StrictClient()
    _login(other, "prefet@rhone.gouv.fr", PASSWORD)
    assert _logged_in(other)


def test_the_cookie_of_another_account_is_no_trusted_device(world, client):
    _login(client, "prefet@ain.gouv.fr", PASSWORD)  # the attacker's own account on his browser
    client.post("/accounts/logout/")
    for _ in range(5):
        _login(client, "prefet@rhone.gouv.fr", "mauvais")

    # His failures on the victim's account were counted with every untrusted client's.
    assert TOO_MANY in _login(StrictClient(), "prefet@rhone.gouv.fr", PASSWORD).content.decode()


def test_a_forged_cookie_is_ignored(world):
    client = StrictClient()
    client.cookies[COOKIE_NAME] = "falsifie"
    for _ in range(5):
        _login(client, "prefet@rhone.gouv.fr", "mauvais")

    assert TOO_MANY in _login(StrictClient(), "prefet@rhone.gouv.fr", PASSWORD).content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_one_address_does_not_lock_everybody_out(world, client):
    # 31 failures from one address, on as many accounts: that address is stopped, in French...
    for number in range(31):
        _login(client, f"inconnu{number}@exemple.fr", "mauvais", x_forwarded_for="203.0.113.7")
    refused = _login(client, "prefet@rhone.gouv.fr", PASSWORD, x_forwarded_for="203.0.113.7")
    assert refused.status_code == 429
    assert "Trop de demandes ont été faites depuis votre connexion" in refused.content.decode()
    assert not _logged_in(client)

    # ...every other client, through the same proxy (same REMOTE_ADDR), logs in.
    other = StrictClient()
    _login(other, "prefet@rhone.gouv.fr", PASSWORD, x_forwarded_for="198.51.100.4")
    assert _logged_in(other)


@pytest.fixture
def prod_settings(monkeypatch):
    """The production settings module, read with the environment given (never installed as the settings)."""

    def load(**environ):
        monkeypatch.setenv("SECRET_KEY", "x" * 50)
        for name in ("REDIS_URL", "TRUSTED_PROXY_COUNT", "TRUSTED_CLIENT_IP_HEADER"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        for name in ("cnfs.settings.prod", "cnfs.settings.base"):
            sys.modules.pop(name, None)
        try:
            return importlib.import_module("cnfs.settings.prod")
        finally:
            for name in ("cnfs.settings.prod", "cnfs.settings.base"):
                sys.modules.pop(name, None)

    return load


def test_production_counts_limits_in_redis_and_reads_the_proxy_header(prod_settings):
    prod = prod_settings(REDIS_URL="redis://127.0.0.1:6379/0")

    assert prod.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert prod.ALLAUTH_TRUSTED_PROXY_COUNT == 1
    with override_settings(CACHES=prod.CACHES, ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert checks.shared_rate_limit_store(None) == []
        assert checks.client_address_behind_proxy(None) == []


def test_check_deploy_refuses_a_cache_per_process_and_no_proxy_header(prod_settings):
    prod = prod_settings(TRUSTED_PROXY_COUNT="0")

    with override_settings(CACHES=prod.CACHES, ALLAUTH_TRUSTED_PROXY_COUNT=prod.ALLAUTH_TRUSTED_PROXY_COUNT):
        assert [error.id for error in checks.shared_rate_limit_store(None)] == ["cnfs.E001"]
        assert [warning.id for warning in checks.client_address_behind_proxy(None)] == ["cnfs.W002"]


def test_a_redis_that_stops_answering_fails_fast(prod_settings):
    prod = prod_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    mute = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    port = mute.getsockname()[1]
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": prod.CACHES["default"]["OPTIONS"]})
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_get(cache)), daemon=True)

    worker.start()
    worker.join(timeout=20)
    mute.close()

    assert not worker.is_alive(), "la lecture du cache attend encore un Redis muet"
    assert outcome == ["TimeoutError"]


def _get(cache) -> str:
    try:
        cache.get("clé")
    except Exception as error:
        return error.__class__.__name__
    return "réponse"
