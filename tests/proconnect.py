"""The local ProConnect (tests/fournisseur_proconnect.py), a real process on a free loopback port: started
once per test process, stopped at the end. `proconnect` configures the service for it."""

import copy
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
import requests
from django.conf import settings

START_TIMEOUT = 15  # seconds
PREFIX = "/api/v2"  # ProConnect's API root, which the local provider imitates


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Fournisseur:
    url: str  # the API root, as PROCONNECT_DOMAIN
    process: subprocess.Popen

    def identity(self, email: str, **claims) -> str:
        """Declares a new identity at the provider (ProConnect's claims, `claims` added); returns its sub."""
        sub = f"sub-{uuid.uuid4().hex}"
        claims = {
            "email": email,
            "given_name": "Camille",
            "usual_name": "Martin",
            "siret": "13002603200016",
            "uid": sub,
            **claims,
        }
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()
        return sub

    def authorize(self, authorization_url: str, sub: str, action: str = "") -> str:
        """What the person does on ProConnect's form: returns the callback URL it sends the browser to."""
        assert authorization_url.startswith(self.url), authorization_url
        data = {"action": "deny"} if action == "deny" else {"sub": sub}
        response = requests.post(authorization_url, data=data, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@pytest.fixture(scope="session")
def fournisseur_proconnect(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("proconnect") / "fournisseur.log"
    command = [sys.executable, "-m", "tests.fournisseur_proconnect", "--port", str(port)]
    environment = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
    fournisseur = Fournisseur(url=f"http://127.0.0.1:{port}{PREFIX}", process=process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"le fournisseur s'est arrêté :\n{log.read_text()}"
            try:
                if requests.get(f"{fournisseur.url}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"le fournisseur ne répond pas :\n{log.read_text()}"
            time.sleep(0.1)
        yield fournisseur
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def proconnect(settings, fournisseur_proconnect):
    """The service configured for the local provider."""
    settings.PROCONNECT_DOMAIN = fournisseur_proconnect.url
    settings.PROCONNECT_CLIENT_ID = "cnfs-tests"
    settings.PROCONNECT_CLIENT_SECRET = "secret-de-test"
    # As cnfs/settings/base.py does for PROCONNECT_DOMAIN: the browser may follow the forms to the provider.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(fournisseur_proconnect.url.removesuffix(PREFIX))
    settings.CONTENT_SECURITY_POLICY = policy
    return fournisseur_proconnect


def callback_path(url: str) -> str:
    """The path and query of a URL of the service (the test client takes no host)."""
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"
