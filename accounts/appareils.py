"""Trusted devices: failed logins slow an attacker down without locking the account's owner out (SPEC §18).

After a successful login the browser keeps a signed cookie naming the account and a random device id. The
failed-login limit of allauth (ACCOUNT_RATE_LIMITS["login_failed"], per key) then counts:
- per account and device for a browser that carries a valid cookie of that account: only its own failures;
- per account for every other client, together.
Whoever guesses passwords from elsewhere exhausts the second bucket only: the owner, from a browser where he
logged in before, still logs in. This is the "device cookie" defence described by OWASP.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing

COOKIE_NAME = "cnfs_appareil"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
_SALT = "accounts.appareils"


def _account_digest(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()


def appareil_de_confiance(request, login: str) -> str | None:
    """The id of this browser's device when it carries a valid cookie of the account `login`."""
    try:
        value = signing.loads(request.COOKIES.get(COOKIE_NAME, ""), salt=_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("compte") != _account_digest(login):
        return None
    return value.get("appareil") or None


def login_failures_key(request, login: str) -> str:
    """The key the failed logins of `login` from this client are counted under."""
    login = login.strip().lower()
    appareil = appareil_de_confiance(request, login)
    return f"{login}:appareil:{appareil}" if appareil else f"{login}:inconnus"


def appareil_trust(request, response, user) -> None:
    """Marks this browser as a trusted device of `user` (a device already trusted keeps its id)."""
    appareil = appareil_de_confiance(request, user.email) or secrets.token_urlsafe(16)
    value = signing.dumps({"compte": _account_digest(user.email), "appareil": appareil}, salt=_SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
