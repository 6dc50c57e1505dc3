"""ProConnect's OpenID Connect client (SPEC §14): discovery, authorization request, code exchange, and the
ID token and userinfo JWTs verified against the provider's JWKS. allauth's generic OpenID Connect client
reads userinfo as JSON and sends no nonce: docs/authentification.md says why this one is written here."""

import base64
import enum
import hashlib
import secrets
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.cache import cache

SCOPES = ("openid", "email", "given_name", "usual_name", "siret", "uid")
ACR_VALUES = "eidas1"
# ProConnect answers within a second; a provider that hangs must not hold a web worker.
TIMEOUT = 10
DISCOVERY_CACHE = 60 * 60
# What the discovery document must name (end_session_endpoint is optional: the logout then stays here).
ENDPOINTS = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class Erreur(enum.StrEnum):
    """Why a ProConnect login failed; each has its own French page."""

    INCONNU = "inconnu"  # no account may be linked to this identity
    ETAT = "etat"  # the callback's state is not one this browser asked for (or it expired)
    ANNULE = "annule"  # the person cancelled at ProConnect
    REFUS = "refus"  # ProConnect answered the authorization with another error
    INDISPONIBLE = "indisponible"  # the provider does not answer
    CODE = "code"  # the code was refused: expired, already used, or not ours
    SIGNATURE = "signature"  # a JWT whose signature or claims do not check out


class ProConnectError(Exception):
    def __init__(self, erreur: Erreur, detail: str = ""):
        super().__init__(f"{erreur}: {detail}" if detail else str(erreur))
        self.erreur = erreur


def proconnect_enabled() -> bool:
    return bool(
        settings.PROCONNECT_DOMAIN and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET
    )


def base_url() -> str:
    """ProConnect's API root: `https://<domain>/api/v2`, or the URL itself when the domain names its scheme
    (the local provider of the tests and the demo speaks plain HTTP)."""
    domain = settings.PROCONNECT_DOMAIN.rstrip("/")
    return domain if "://" in domain else f"https://{domain}/api/v2"


def _call(method: str, url: str, **kwargs) -> requests.Response:
    """A request to the provider; unreachable or failing (5xx), it is "unavailable"."""
    try:
        response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise ProConnectError(Erreur.INDISPONIBLE, str(error)) from error
    if response.status_code >= 500:
        raise ProConnectError(Erreur.INDISPONIBLE, f"{url}: {response.status_code}")
    return response


def _document(url: str) -> dict:
    """A JSON document the provider publishes (discovery, JWKS): anything else is an unavailable provider."""
    response = _call("GET", url)
    try:
        document = response.json() if response.status_code == 200 else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ProConnectError(Erreur.INDISPONIBLE, f"{url}: {response.status_code}, pas un document JSON")
    return document


def configuration() -> dict:
    """The provider's discovery document (cached an hour)."""
    url = f"{base_url()}/.well-known/openid-configuration"
    document = cache.get(f"proconnect:{url}")
    if document is None:
        document = _document(url)
        if any(not document.get(name) for name in ENDPOINTS):
            raise ProConnectError(Erreur.INDISPONIBLE, f"{url}: découverte incomplète")
        cache.set(f"proconnect:{url}", document, DISCOVERY_CACHE)
    return document


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = new_secret()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(*, redirect_uri: str, state: str, nonce: str, code_challenge: str) -> str:
    query = {
        "response_type": "code",
        "client_id": settings.PROCONNECT_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
        "acr_values": ACR_VALUES,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{configuration()['authorization_endpoint']}?{urlencode(query)}"


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where the logout goes on, at the provider; None if it has no end-session endpoint."""
    endpoint = configuration().get("end_session_endpoint")
    if not endpoint:
        return None
    query = {
        "id_token_hint": id_token,
        "state": new_secret(),
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    return f"{endpoint}?{urlencode(query)}"


def _tokens_fetch(*, code: str, redirect_uri: str, code_verifier: str) -> dict:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": settings.PROCONNECT_CLIENT_ID,
        "client_secret": settings.PROCONNECT_CLIENT_SECRET,
        "code_verifier": code_verifier,
    }
    response = _call("POST", configuration()["token_endpoint"], data=data)
    try:
        tokens = response.json() if response.status_code == 200 else {}
    except ValueError:
        tokens = {}
    # 400 invalid_grant: the code expired, was already exchanged, or its PKCE verifier is wrong.
    if not isinstance(tokens, dict) or "access_token" not in tokens or "id_token" not in tokens:
        raise ProConnectError(Erreur.CODE, response.text[:200])
    return tokens


def _verified(token: str, *, audience: str | None = None) -> dict:
    """The claims of a JWT signed (RS256) by one of the provider's keys; raises SIGNATURE otherwise."""
    keys = _document(configuration()["jwks_uri"])
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = jwt.PyJWKSet.from_dict(keys)[kid]
        return jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            audience=audience,
            options={"verify_aud": audience is not None, "require": ["sub"]},
        )
    except (jwt.PyJWTError, KeyError, TypeError) as error:
        raise ProConnectError(Erreur.SIGNATURE, str(error)) from error


def identity_fetch(*, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> tuple[dict, str]:
    """Exchanges the code and reads the identity: the userinfo claims and the raw ID token (the hint of the
    logout). Both JWTs are verified against the JWKS; the ID token carries our nonce and client id."""
    tokens = _tokens_fetch(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
    id_token = _verified(tokens["id_token"], audience=settings.PROCONNECT_CLIENT_ID)
    if id_token.get("iss") != configuration()["issuer"] or id_token.get("nonce") != nonce:
        raise ProConnectError(Erreur.SIGNATURE, "iss ou nonce inattendu dans l'ID token")
    response = _call(
        "GET",
        configuration()["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    if response.status_code != 200:
        raise ProConnectError(Erreur.CODE, f"userinfo: {response.status_code}")
    # ProConnect signs its userinfo: an answer in plain JSON is not its own.
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        raise ProConnectError(Erreur.SIGNATURE, "userinfo : pas un JWT")
    userinfo = _verified(response.text)
    if userinfo["sub"] != id_token["sub"]:
        raise ProConnectError(Erreur.SIGNATURE, "userinfo d'une autre identité que l'ID token")
    return userinfo, tokens["id_token"]
