"""A demo account logs in through the local ProConnect (tests/fournisseur_proconnect.py) in Chromium, and
out through its end-session; the login page with the button and the page of an unknown identity are
accessible."""

import re

from playwright.sync_api import expect


def test_a_demo_account_logs_in_and_out_through_proconnect(page, live_server, demo, axe, proconnect):
    page.goto(f"{live_server.url}/accounts/login/")
    axe(page)
    page.get_by_role("button", name=re.compile("S’identifier avec ProConnect")).click()

    # ProConnect's page (the local provider): the demo préfet is offered with one click.
    expect(page).to_have_url(re.compile(re.escape(proconnect.url)))
    page.get_by_role("button", name="demo-prefet").click()

    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/pilotage/")))
    expect(page.locator("h1")).to_have_text(re.compile("Tableau de pilotage"))

    page.get_by_role("button", name="Se déconnecter").click()
    # ProConnect's end-session page, which sends the browser back home.
    expect(page).to_have_url(re.compile(re.escape(f"{proconnect.url}/oauth2/end_session")))
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/") + r"(\?.*)?$"))
    expect(page.get_by_role("link", name=re.compile("Se connecter"))).not_to_have_count(0)


def test_an_unknown_identity_gets_an_accessible_explanation(page, live_server, axe, proconnect):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=re.compile("S’identifier avec ProConnect")).click()
    # An identity the provider did not know: its e-mail is what is typed.
    page.get_by_placeholder("sub").fill("inconnu@exemple.fr")
    page.get_by_role("button", name="Authorize").click()

    expect(page.locator("h1")).to_have_text("Aucun compte n'est associé à cette adresse")
    expect(page.get_by_role("link", name="conseiller-numerique@anct.gouv.fr")).to_be_visible()
    axe(page)
