"""The Tableau de pilotage in Debian's chromium: the structures' guide path, the lists of a préfet and a
hub, the exports of a conseiller's statistics; axe-core on every page visited."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_a_structure_follows_the_path_of_its_guide(page, live_server, demo, axe):
    login(page, live_server, "structure@demo.test")
    expect(page.locator("h1")).to_have_text("Tableau de pilotage")
    rows = page.locator("#table-conseillers-actuels tbody tr")
    expect(rows.first).to_be_visible()
    axe(page)

    # As the guide has it, the whole row is clickable and opens the conseiller's statistics.
    name = rows.first.locator("th").inner_text() + " " + rows.first.locator("td").first.inner_text()
    # The row link's overlay covers the cell (Playwright sees it "intercept"): click there regardless.
    rows.first.locator("td").first.click(force=True)
    page.wait_for_load_state()
    assert re.search(r"/pilotage/conseillers/\d+/statistiques/", page.url)
    expect(page.locator("h1")).to_contain_text("Statistiques du conseiller")
    axe(page)

    # His fiche "Détail" is one click away, and leads back to the statistics.
    page.get_by_role("link", name=f"Voir la fiche de {name.strip()}").click()
    page.wait_for_load_state()
    assert re.search(r"/pilotage/conseillers/\d+/$", page.url)
    expect(page.locator("h1")).to_contain_text(name.strip())
    expect(page.get_by_text(re.compile("Certification CCP1"))).not_to_have_count(0)
    axe(page)
    page.get_by_role("link", name="Voir les statistiques").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Statistiques du conseiller")
    page.get_by_role("link", name="12 derniers mois").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="12 derniers mois")).to_have_attribute("aria-current", "true")
    expect(page.locator("#graphique-evolution tbody tr")).to_have_count(12)
    axe(page)

    page.locator("#fr-navigation").get_by_role("link", name="Statistiques par territoire").click()
    page.wait_for_load_state()
    expect(page.locator("#table-territoires tbody tr")).to_have_count(107)
    axe(page)
    page.get_by_role("link", name="Régions", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#table-territoires tbody tr")).to_have_count(19)
    page.get_by_role("link", name=re.compile("^CRA enregistrés")).click()
    page.wait_for_load_state()
    expect(page.locator("#table-territoires th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    axe(page)

    page.locator("#fr-navigation").get_by_role("link", name="Statistiques nationales").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Statistiques nationales")
    axe(page)


def test_a_prefet_and_a_hub_browse_their_lists(page, live_server, demo, axe):
    for email in ("prefet@demo.test", "hub@demo.test"):
        login(page, live_server, email)
        expect(page.locator("#table-conseillers tbody tr").first).to_be_visible()
        axe(page)
        page.get_by_label("Activé").select_option("non")
        page.locator(".cnfs-pilotage-filtres").get_by_role("button", name="Afficher").click()
        page.wait_for_load_state()
        assert "active=non" in page.url
        axe(page)
        page.get_by_role("link", name="Structures", exact=True).click()
        page.wait_for_load_state()
        expect(page.locator("h1")).to_contain_text("Tableau de pilotage")
        expect(page.locator("table tbody tr").first).to_be_visible()
        axe(page)
        page.context.clear_cookies()


def test_a_structure_exports_the_statistics_of_a_conseiller(page, live_server, demo, axe):
    login(page, live_server, "structure@demo.test")
    page.locator("#table-conseillers-actuels tbody tr").first.get_by_role(
        "link", name=re.compile("^Statistiques")
    ).click()
    page.wait_for_load_state()
    # The guide sends its readers to the bottom of the page, where the downloads say what they give.
    telechargements = page.get_by_role("region", name="Télécharger ces statistiques")
    expect(telechargements.get_by_role("link", name="Mes exports")).to_be_visible()

    with page.expect_download() as csv_download:
        telechargements.get_by_role("link", name="Exporter en CSV").click()
    csv_file = csv_download.value
    assert re.fullmatch(
        r"statistiques_[a-z0-9-]+_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv", csv_file.suggested_filename
    )
    content = Path(csv_file.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and "Général".encode() in content

    telechargements.get_by_role("button", name="Exporter en PDF").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Mes exports")
    expect(page.get_by_text(re.compile("est en préparation"))).to_be_visible()
    axe(page)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile("^Télécharger")).first.click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF-")
