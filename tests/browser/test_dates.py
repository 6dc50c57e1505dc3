"""Dates in an English chromium: the CRA date and the period picker are typed and shown as JJ/MM/AAAA, never
as the browser's MM/DD/YYYY; a day that does not exist gets its French message and stays as typed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login

CONSEILLER = "conseiller@demo.test"


@pytest.fixture
def english_page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_an_english_browser_types_and_sees_jjmmaaaa(english_page, live_server, demo, axe):
    page = english_page
    today = timezone.localdate()
    # The 13th of last month: 13 cannot be a month, so a MM/DD reading would fail.
    day = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=13)
    login(page, live_server, CONSEILLER)
    assert page.evaluate("navigator.language") == "en-US"

    page.goto(f"{live_server.url}/coop/cra/nouveau/")
    date = page.get_by_label("Date de l'accompagnement")
    expect(date).to_have_attribute("type", "text")
    expect(date).to_have_value(f"{today:%d/%m/%Y}")
    expect(page.locator("label[for=id_date_accompagnement] .fr-hint-text")).to_have_text(
        "Format attendu : JJ/MM/AAAA"
    )
    date.fill(f"{day:%d/%m/%Y}")
    page.locator("#id_age_35_60").fill("1")
    page.locator("#id_statut_sans_emploi").fill("1")
    page.locator("label[for=id_themes_0]").click()
    page.locator("label[for=id_duree_0]").click()
    page.locator("[data-submit]").click()

    expect(page.locator("h1")).to_have_text("Compte rendu enregistré")
    expect(page.locator(".cnfs-summary")).to_contain_text(f"{day:%d/%m/%Y}")
    page.get_by_role("link", name="Modifier ce compte rendu").click()
    expect(page.get_by_label("Date de l'accompagnement")).to_have_value(f"{day:%d/%m/%Y}")

    # A day that does not exist: its message, the typed value kept, nothing changed.
    page.get_by_label("Date de l'accompagnement").fill("31/02/2024")
    page.locator("[data-submit]").click()
    expect(page.locator("#id_date_accompagnement-messages")).to_have_text(
        "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."
    )
    expect(page.get_by_label("Date de l'accompagnement")).to_have_value("31/02/2024")
    axe(page)

    # The period picker of the statistics.
    page.goto(f"{live_server.url}/coop/statistiques/")
    first = day.replace(day=1)
    page.locator("#periode-du").fill(f"{first:%d/%m/%Y}")
    page.locator("#periode-au").fill(f"{day:%d/%m/%Y}")
    page.get_by_role("button", name="Afficher les statistiques").click()
    page.wait_for_load_state()

    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#periode-du")).to_have_value(f"{first:%d/%m/%Y}")
    expect(page.locator("#periode-au")).to_have_value(f"{day:%d/%m/%Y}")
    expect(page.locator("label[for=periode-du] .fr-hint-text")).to_have_text(
        f"Format attendu : JJ/MM/AAAA, du 17/11/2020 au {today:%d/%m/%Y}"
    )
    # The CRA typed above is counted in the period.
    assert int(page.locator(".cnfs-key-figure__value").first.inner_text().replace("\u00a0", "")) >= 1
    axe(page)
