"""The scopes of SPEC §2 in Debian's chromium: a conseiller reads the territorial statistics, down to a hub
and its départements; axe-core on every page visited."""

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_a_conseiller_reads_a_hub_and_its_departements(page, live_server, demo, axe):
    login(page, live_server, "conseiller@demo.test")
    page.locator("#fr-navigation").get_by_role("link", name="Statistiques par territoire").click()
    page.wait_for_load_state()
    expect(page.locator("#table-territoires tbody tr")).to_have_count(107)
    axe(page)

    page.get_by_text("Statistiques d'un hub France Connectée").click()
    page.get_by_role("link", name="Hinaura", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Hinaura")
    expect(page.locator(".cnfs-stats-cras-comptes")).to_contain_text("départements du hub")
    departements = page.locator("#table-departements")
    expect(departements.locator("tbody tr")).to_have_count(12)
    # The table of the départements fits the page at 1280 px.
    container = departements.locator(".fr-table__container")
    assert container.evaluate("box => box.scrollWidth <= box.clientWidth")
    axe(page)

    departements.get_by_role("link", name="Rhône (69)").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Rhône (69)")
    expect(page.locator("#conseillers-territoire")).to_be_visible()
    axe(page)
