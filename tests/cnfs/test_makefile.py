"""What `make demo` and `make serve` run: the links of the demo's e-mails follow the address it serves on."""

import os
import subprocess
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]


def site_url_servi(cible, *variables, site_url=None):
    """SITE_URL as the server `make cible` starts would see it, and its command line (nothing is served)."""
    env = {"PATH": os.environ["PATH"]} | ({"SITE_URL": site_url} if site_url else {})
    # make -n prints the commands; the last one starts the server, with SITE_URL set before it.
    commande = subprocess.run(
        ["make", "--no-print-directory", "-n", cible, *variables],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.splitlines()[-1]
    affectation, serveur = commande.split(" ", 1)
    vue = subprocess.run(
        ["sh", "-c", f"{affectation} printenv SITE_URL"], env=env, capture_output=True, text=True, check=True
    )
    return vue.stdout.strip(), serveur


@pytest.mark.parametrize("cible", ["demo", "serve"])
def test_site_url_follows_the_host_and_port_served(cible):
    site_url, serveur = site_url_servi(cible, "PORT=8123", "HOST=0.0.0.0")

    assert serveur.endswith("runserver 0.0.0.0:8123")
    assert site_url == "http://0.0.0.0:8123"


def test_a_site_url_given_is_kept():
    site_url, _serveur = site_url_servi("serve", site_url="https://pilotage.example.org")

    assert site_url == "https://pilotage.example.org"
