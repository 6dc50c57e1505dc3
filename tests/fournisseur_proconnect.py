"""A local OpenID Connect provider that behaves like ProConnect, run as its own process by the tests
(tests/proconnect.py) and by `make demo-proconnect` (docs/authentification.md).

oidc-provider-mock (authlib) does the OpenID Connect work: discovery, JWKS, authorization form, single-use
codes, ID token with the nonce, end-session. This module adds what ProConnect does differently:
- userinfo answers a JWT signed with the provider's key (`application/jwt`), whose claims are the scopes
  asked (`given_name`, `usual_name`, `siret`, `uid`…), not JSON filtered by the standard scopes;
- PKCE is checked: a code issued with a `code_challenge` is exchanged only with its `code_verifier`;
- discovery announces `acr_values_supported`, the signed userinfo and the ProConnect scopes;
- everything is served under `/api/v2`, as ProConnect does.
A test breaks one answer by giving a user the claim `cnfs_faute`: "signature", his userinfo is signed by
another key under the same `kid` (a forged answer); "json", it is plain JSON (a generic provider's)."""

import argparse
import base64
import hashlib
import json
import os
import time
from urllib.parse import parse_qs, urlencode, urlparse

import flask
import werkzeug.serving
from authlib import jose
from authlib.integrations.flask_oauth2 import current_token
from oidc_provider_mock import User, app
from oidc_provider_mock._app import OpenIDCode, require_oauth
from oidc_provider_mock._storage import storage
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

PREFIX = "/api/v2"
CLAIMS = ("email", "given_name", "usual_name", "siret", "uid", "phone", "idp_id")
FAULT = "cnfs_faute"
# The demo accounts, offered with one click on the provider's form (seed_demo creates them).
DEMO_USERS = [
    User(
        sub=f"demo-{name}",
        claims={
            "email": f"{name}@demo.test",
            "given_name": "Démo",
            "usual_name": name.capitalize(),
            "siret": "13002603200016",
            "uid": f"demo-{name}",
        },
    )
    for name in ("conseiller", "coordinateur", "structure", "prefet", "hub", "admin")
]

# code -> (code_challenge, method), recorded when the code is issued.
_challenges: dict[str, tuple[str, str]] = {}


def _authorization_answered(response):
    """After the authorization form: remembers the challenge the code was issued for; a refusal carries the
    state back, as ProConnect's does (oidc-provider-mock's leaves it out)."""
    location = response.headers.get("Location", "")
    query = parse_qs(urlparse(location).query)
    code = query.get("code", [""])[0]
    challenge = flask.request.args.get("code_challenge")
    if code and challenge:
        _challenges[code] = (challenge, flask.request.args.get("code_challenge_method", "plain"))
    if "error" in query and "state" not in query and "state" in flask.request.args:
        response.headers["Location"] = f"{location}&{urlencode({'state': flask.request.args['state']})}"
    return response


def _pkce_check():
    """Before the token endpoint: refuses a code whose verifier does not match its challenge."""
    code = flask.request.form.get("code", "")
    if code not in _challenges:
        return None
    challenge, method = _challenges.pop(code)
    verifier = flask.request.form.get("code_verifier", "")
    if method == "S256":
        verifier = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if verifier != challenge:
        return flask.jsonify(error="invalid_grant", error_description="PKCE: code_verifier invalide"), 400
    return None


def _id_token_header(code, client):
    """ProConnect names the key of its ID tokens (`kid`), as clients look it up in the JWKS by it."""
    return {"alg": "RS256", "kid": storage.jwk.thumbprint(), "typ": "JWT"}


OpenIDCode.get_encode_header = _id_token_header


def _signed(claims: dict, key) -> flask.Response:
    header = {"alg": "RS256", "kid": storage.jwk.thumbprint(), "typ": "JWT"}
    token = jose.jwt.encode(header, claims, key)
    return flask.Response(token, content_type="application/jwt")


@require_oauth()
def userinfo():
    """ProConnect's userinfo: the claims named by the scopes, in a JWT signed by the provider's key."""
    user = current_token.get_user()
    scopes = set(current_token.scope.split()) | set(CLAIMS)
    claims = {name: value for name, value in user.claims.items() if name in scopes}
    claims.update(sub=user.sub, iss=flask.request.host_url.rstrip("/"), iat=int(time.time()))
    fault = user.claims.get(FAULT)
    if fault == "json":
        return flask.jsonify(claims)
    key = jose.RSAKey.generate_key(is_private=True) if fault == "signature" else storage.jwk
    return _signed(claims, key)


def _discovery(response):
    document = json.loads(response.get_data())
    document.update(
        acr_values_supported=["eidas1"],
        claims_supported=["sub", "acr", *CLAIMS],
        scopes_supported=["openid", *CLAIMS],
        userinfo_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=["client_secret_post"],
    )
    response.set_data(json.dumps(document))
    return response


def proconnect_app(users=()):
    """The WSGI application: oidc-provider-mock with ProConnect's differences, under /api/v2."""
    provider = app(require_nonce=True, issue_refresh_token=False, user_claims=[*DEMO_USERS, *users])
    provider.view_functions["oidc-provider-mock.userinfo"] = userinfo

    @provider.before_request
    def before():
        if flask.request.endpoint == "oidc-provider-mock.issue_token":
            return _pkce_check()
        return None

    @provider.after_request
    def after(response):
        if flask.request.endpoint == "oidc-provider-mock.authorize" and flask.request.method == "POST":
            return _authorization_answered(response)
        if flask.request.endpoint == "oidc-provider-mock.openid_config":
            return _discovery(response)
        return response

    return DispatcherMiddleware(NotFound(), {PREFIX: provider})


def main():
    parser = argparse.ArgumentParser(description="Fournisseur OpenID Connect local qui imite ProConnect.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    arguments = parser.parse_args()
    # The local provider speaks plain HTTP on the loopback only.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    werkzeug.serving.run_simple(arguments.host, arguments.port, proconnect_app(), threaded=True)


if __name__ == "__main__":
    main()
