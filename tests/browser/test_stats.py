"""/coop/statistiques/ in Debian's chromium: a preset changes the period, axe-core finds nothing serious, and
the page fits a 360 px phone without horizontal scrolling."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import login

CONSEILLER = "conseiller@demo.test"


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_conseiller_changes_the_period_of_his_statistics(page, live_server, demo, axe):
    login(page, live_server, CONSEILLER)
    page.goto(f"{live_server.url}/coop/statistiques/")
    expect(page.locator("h1")).to_contain_text("Mes statistiques")
    expect(page.get_by_role("link", name="Ce mois-ci")).to_have_attribute("aria-current", "true")
    this_month = page.locator(".cnfs-key-figure__value").first.inner_text()

    page.get_by_role("link", name="12 derniers mois").click()
    page.wait_for_load_state()

    assert re.search(r"periode=12_mois", page.url)
    expect(page.get_by_role("link", name="12 derniers mois")).to_have_attribute("aria-current", "true")
    twelve_months = page.locator(".cnfs-key-figure__value").first.inner_text()
    assert int(twelve_months.replace("\u00a0", "")) >= int(this_month.replace("\u00a0", ""))
    # Twelve columns of évolution, each chart an image named by its title, each with its table.
    expect(page.locator("#graphique-evolution tbody tr")).to_have_count(12)
    expect(page.get_by_role("img", name="Thèmes des accompagnements")).to_be_visible()
    axe(page)

    # Typed dates the other way round: a message, the default period, never an error page.
    page.locator("#periode-du").fill("10/03/2025")
    page.locator("#periode-au").fill("01/03/2025")
    page.get_by_role("button", name="Afficher les statistiques").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("La date de début doit précéder la date de fin")
    axe(page)


def test_the_statistics_fit_a_phone(page, live_server, demo, axe):
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, live_server, CONSEILLER)
    page.goto(f"{live_server.url}/coop/statistiques/?periode=depuis_le_debut")

    expect(page.locator("h1")).to_contain_text("Mes statistiques")
    assert no_horizontal_scroll(page)
    # Every data table shows all its columns without scrolling sideways.
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.cnfs-chart__table .fr-table__content')]"
        ".filter(el => el.scrollWidth > el.clientWidth + 1).length"
    )
    assert overflowing == 0
    axe(page)
