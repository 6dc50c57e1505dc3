"""The demo accounts of SPEC §9, through the real login form, in Debian's chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

# The demo account of each role, where it lands after logging in, and the title of that page.
DEMO_ACCOUNTS = [
    ("conseiller@demo.test", "/coop/", "Espace Coop"),
    ("coordinateur@demo.test", "/pilotage/", "Tableau de pilotage"),
    ("structure@demo.test", "/pilotage/", "Tableau de pilotage"),
    ("prefet@demo.test", "/pilotage/", "Tableau de pilotage"),
    ("hub@demo.test", "/pilotage/", "Tableau de pilotage"),
    ("admin@demo.test", "/pilotage/", "Tableau de pilotage"),
]


def _path_is(live_server, path):
    return re.compile(re.escape(live_server.url + path) + r"(\?.*)?$")


def test_public_home_is_accessible(page, live_server, axe):
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile("Se connecter"))).not_to_have_count(0)
    axe(page)


def test_login_page_is_accessible(page, live_server, axe):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("h1")).to_have_count(1)
    axe(page)


@pytest.mark.parametrize(
    ("email", "landing_path", "title"), DEMO_ACCOUNTS, ids=[email for email, *_ in DEMO_ACCOUNTS]
)
def test_demo_account_lands_on_its_home(page, live_server, demo, axe, email, landing_path, title):
    login(page, live_server, email)

    expect(page).to_have_url(_path_is(live_server, landing_path))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("header").get_by_text(email).first).to_be_visible()
    axe(page)


def test_wrong_password_stays_on_login_page_with_french_error(page, live_server, demo):
    login(page, live_server, "conseiller@demo.test", "pas-le-bon-mot-de-passe")

    expect(page.get_by_text(re.compile("adresse e-mail ou le mot de passe sont incorrects"))).to_be_visible()
    expect(page).to_have_url(_path_is(live_server, "/accounts/login/"))
    expect(page.locator("h1")).to_have_text("Connexion")
    expect(page.locator("header").get_by_text("conseiller@demo.test")).to_have_count(0)


def test_multi_role_account_switches_to_conseiller(page, live_server, demo, axe):
    login(page, live_server, "coordinateur@demo.test")
    expect(page).to_have_url(_path_is(live_server, "/pilotage/"))

    switcher = page.locator("header form").filter(
        has=page.get_by_role("button", name="Changer de rôle"), visible=True
    )
    conseiller_option = switcher.locator("option").filter(has_text=re.compile(r"^\s*Conseiller numérique"))
    role_id = conseiller_option.get_attribute("value")
    # The demo ids are over 100,000: a localized id ("100 012") would not be found by the view.
    assert re.fullmatch(r"\d+", role_id), f"valeur d'option qui n'est pas un identifiant brut : {role_id!r}"
    switcher.locator("select").select_option(role_id)
    switcher.get_by_role("button", name="Changer de rôle").click()

    expect(page).to_have_url(_path_is(live_server, "/coop/"))
    expect(page.locator("h1")).to_contain_text("Espace Coop")
    expect(
        page.get_by_text(re.compile("Vous naviguez maintenant en tant que : Conseiller numérique"))
    ).to_be_visible()
    axe(page)
