"""LoginRequiredMiddleware: every page needs a login, except the ones declared public."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_PATHS = {
    "/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/aide/",
    "/healthz",
    "/favicon.ico",
}


def _concrete_paths(resolver=None, prefix=""):
    """Every URL of the project without parameters, with its pattern."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _concrete_paths(entry, prefix + str(entry.pattern))
        elif (
            isinstance(entry, URLPattern)
            and "<" not in str(entry.pattern)
            and "(?P" not in str(entry.pattern)
        ):
            path = "/" + prefix + str(entry.pattern).lstrip("^").rstrip("$")
            yield path.replace("\\Z", "")


PRIVATE_PATHS = sorted(
    path
    for path in set(_concrete_paths())
    if path not in PUBLIC_PATHS and not path.startswith(("/admin/", "/accounts/")) and "/static/" not in path
)


@pytest.mark.parametrize("path", PRIVATE_PATHS)
def test_private_pages_send_anonymous_users_to_login(db, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("path", sorted(PUBLIC_PATHS))
def test_public_pages_need_no_login(db, client, path):
    response = client.get(path)

    if path == "/favicon.ico":
        assert response.status_code == 302 and response.url.startswith("/static/dsfr/dist/favicon/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("path", ["/accounts/accueil/", "/accounts/inviter/", "/accounts/password/change/"])
def test_account_pages_need_a_login(db, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_there_are_private_pages_to_check():
    assert {"/coop/", "/pilotage/"} <= set(PRIVATE_PATHS)
