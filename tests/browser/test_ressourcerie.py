"""/ressourcerie/ in Debian's chromium, on the demo: a structure user and a conseiller search, filter by tags,
download a document and the ZIP of every document; axe-core finds nothing serious with filters applied."""

import re
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import login

STRUCTURE = "structure@demo.test"
CONSEILLER = "conseiller@demo.test"
CARD_TITLES = ".fr-card__title a"


def test_a_structure_user_searches_filters_and_downloads(page, live_server, demo, axe, tmp_path):
    login(page, live_server, STRUCTURE)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Ressourcerie").click()
    page.wait_for_load_state()

    expect(page.locator("h1")).to_have_text("Ressourcerie")
    expect(page.get_by_role("heading", name="Derniers ajouts")).to_be_visible()
    expect(page.locator("#derniers-ajouts ~ ul > li")).to_have_count(4)
    axe(page)

    # A search typed without accents, and a tag: both in the URL.
    page.get_by_label("Rechercher dans les titres, descriptions et étiquettes").fill("securite")
    page.locator("label[for=tag-fiche-pratique]").click()  # DSFR draws the box in the label
    page.get_by_role("button", name="Afficher les documents").click()
    page.wait_for_load_state()

    assert re.search(r"[?&]q=securite\b", page.url) and "tag=fiche-pratique" in page.url
    # Grouped by category: Courriel, then Fiches CNIL.
    expect(page.locator(CARD_TITLES)).to_have_text(
        ["Reconnaître un courriel frauduleux (hameçonnage)", "Sécuriser ses mots de passe"]
    )
    expect(page.get_by_label(re.compile(r"^Fiche pratique"))).to_be_checked()
    expect(page.get_by_text("2 documents", exact=True)).to_be_visible()
    axe(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Sécuriser ses mots de passe").click()
    assert download.value.suggested_filename == "securiser-ses-mots-de-passe.pdf"
    path = tmp_path / "document.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger tous les documents")).click()
    assert re.fullmatch(
        r"ressourcerie-conseiller-numerique-\d{4}-\d{2}-\d{2}\.zip", download.value.suggested_filename
    )
    path = tmp_path / "tout.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert "fiches-cnil/securiser-ses-mots-de-passe.pdf" in names and len(names) >= 28


def test_a_conseiller_opens_the_ressourcerie_with_several_tags_on_a_phone(page, live_server, demo, axe):
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, live_server, CONSEILLER)
    page.goto(f"{live_server.url}/ressourcerie/?tag=smartphone&tag=debutant")

    # The documents carrying both tags, by category: Courriel, then Mobile.
    expect(page.locator(CARD_TITLES)).to_have_text(
        ["Joindre un document à un courriel", "Prendre en main son smartphone"]
    )
    expect(page.get_by_label(re.compile(r"^Smartphone"))).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Débutant"))).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)

    # A tag of a card lists the documents carrying it; a category anchor leads to its section.
    page.locator(".fr-card .fr-tag", has_text="Seniors").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/ressourcerie/?tag=seniors")
    expect(page.get_by_label(re.compile(r"^Seniors"))).to_be_checked()
    page.get_by_role("link", name=re.compile(r"^Mobile \(smartphone, applications\)")).click()
    expect(page.locator("#categorie-mobile")).to_be_in_viewport()
    axe(page)
