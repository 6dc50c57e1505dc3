"""The Espace Coop in Debian's chromium: a CRA filled with the keyboard alone, errors checked by axe-core, the
form on a 360 px phone."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

CONSEILLER = "conseiller@demo.test"
# Enough Tab presses to cross the header and the whole form.
MAX_TABS = 250


def focused_matches(page, selector):
    return page.evaluate("selector => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector):
    """Presses Tab until the focus reaches `selector`: fails when the keyboard cannot get there."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            return
    pytest.fail(f"{selector} n'est pas atteignable au clavier", pytrace=False)


def type_number(page, selector, digits):
    """Tabs to a number input, selects what it holds and types the digits over it."""
    tab_to(page, selector)
    page.keyboard.press("Control+a")
    page.keyboard.type(digits)


def choose_radio(page, name, value):
    """Tabs into a radio group, then moves with the arrow keys (which check) up to `value`."""
    tab_to(page, f"input[type=radio][name={name}]")
    for _ in range(10):
        if focused_matches(page, f"input[name={name}][value='{value}']"):
            break
        page.keyboard.press("ArrowRight")
    if not focused_matches(page, f"input[name={name}][value='{value}']:checked"):
        page.keyboard.press("Space")
    expect(page.locator(f"input[name={name}][value='{value}']")).to_be_checked()


def open_form(page, live_server):
    login(page, live_server, CONSEILLER)
    page.goto(f"{live_server.url}/coop/cra/nouveau/")
    expect(page.locator("h1")).to_have_text("Nouveau compte rendu d'activité")


def test_a_collective_cra_filled_with_the_keyboard_alone(page, live_server, demo, axe):
    annotation = f"clavier {uuid.uuid4().hex[:6]}"
    open_form(page, live_server)
    # The demo conseiller's principal lieu is already chosen.
    expect(page.locator("input[name=canal][value=rattachement]")).to_be_checked()
    expect(page.locator("#id_permanence")).not_to_have_value("")
    expect(page.locator("#commune")).to_be_hidden()

    choose_radio(page, "activite", "collectif")
    participants = page.locator("#id_nb_participants")
    expect(participants).to_have_value("5")  # the default of a workshop
    expect(participants).to_be_editable()
    type_number(page, "#id_nb_participants", "8")
    type_number(page, "#id_nb_participants_recurrents", "2")

    ages = page.locator("#groupe-ages [data-reste]")
    expect(ages).to_have_text("Reste à répartir : 8")
    type_number(page, "#id_age_18_35", "3")
    expect(ages).to_have_text("Reste à répartir : 5")
    type_number(page, "#id_age_plus_60", "5")
    expect(ages).to_have_text("Reste à répartir : 0, tout est réparti")
    type_number(page, "#id_statut_en_emploi", "3")
    type_number(page, "#id_statut_retraite", "6")
    expect(page.locator("#groupe-statuts [data-reste]")).to_have_text(
        "Reste à répartir : -1 (1 personne de trop)"
    )
    type_number(page, "#id_statut_retraite", "5")
    expect(page.locator("#groupe-statuts [data-reste]")).to_have_text(
        "Reste à répartir : 0, tout est réparti"
    )

    tab_to(page, "input[name=themes][value=courriel]")
    page.keyboard.press("Space")
    sante = page.locator("[data-sous-themes-of=sante]")
    expect(sante).to_be_hidden()
    tab_to(page, "input[name=themes][value=sante]")
    page.keyboard.press("Space")
    expect(sante).to_be_visible()
    tab_to(page, "input[name=sous_themes][value=espace_sante]")
    page.keyboard.press("Space")

    tab_to(page, "#id_annotation")
    page.keyboard.type(annotation)

    minutes = page.locator("#id_duree_minutes")
    expect(minutes).to_be_hidden()
    choose_radio(page, "duree", "60+")
    expect(minutes).to_be_visible()
    tab_to(page, "#id_duree_minutes")
    for _ in range(3):  # 1 h, 1 h 15, 1 h 30
        page.keyboard.press("ArrowDown")
    expect(minutes).to_have_value("90")

    type_number(page, "#id_suivi_atelier", "2")
    tab_to(page, "button[aria-controls=redirections]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_redirection_CAF")).to_be_visible()
    type_number(page, "#id_redirection_CAF", "1")

    tab_to(page, "button[type=submit][data-submit]")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Compte rendu enregistré")
    expect(page).to_have_url(re.compile(r"/coop/cra/\d+/enregistre/$"))
    summary = page.locator(".cnfs-summary")
    expect(summary).to_contain_text("Atelier collectif, 8 participants")
    expect(summary).to_contain_text("1 h 30")
    expect(summary).to_contain_text(annotation)
    axe(page)

    tab_to(page, "a[href='/coop/cra/']")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Historique de vos comptes rendus")
    item = page.locator(".cnfs-cra-item").filter(has_text=annotation)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Atelier collectif")
    expect(item).to_contain_text("8 participants (dont 2 déjà accompagnées)")
    expect(item.locator(".fr-tag")).to_have_text(
        ["Gérer ses courriels", "Santé", "Sous-thème : Mon espace santé"]
    )
    axe(page)


def test_the_form_with_errors_is_accessible_and_keeps_what_was_typed(page, live_server, demo, axe):
    open_form(page, live_server)
    axe(page)

    page.locator("label[for=id_activite_1]").click()
    page.locator("#id_nb_participants").fill("4")
    page.locator("#id_age_plus_60").fill("3")
    page.locator("#id_annotation").fill("ab")
    page.locator("label[for=id_duree_2]").click()
    page.locator("[data-submit]").click()

    summary = page.locator("#erreurs-formulaire")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(
        "La somme des tranches d'âge (3) doit être égale au nombre de participants (4)."
    )
    expect(summary).to_contain_text("Choisissez au moins un thème.")
    expect(page.locator("#id_themes-messages")).to_have_text("Choisissez au moins un thème.")
    expect(page.locator("#id_duree_minutes-messages")).to_contain_text("Indiquez la durée exacte")
    expect(page.locator("#id_duree_minutes")).to_be_visible()
    expect(page.locator("#id_nb_participants")).to_have_value("4")
    expect(page.locator("#id_annotation")).to_have_value("ab")
    expect(page.locator("input[name=activite][value=collectif]")).to_be_checked()
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    axe(page)

    # The summary's links lead to the fields.
    summary.get_by_role("link", name=re.compile("Thèmes de l'accompagnement")).click()
    expect(page).to_have_url(re.compile(r"#id_themes$"))


@pytest.mark.parametrize("with_errors", [False, True], ids=["vierge", "avec-erreurs"])
def test_the_form_fits_a_360_px_phone(page, live_server, demo, with_errors):
    page.set_viewport_size({"width": 360, "height": 740})
    open_form(page, live_server)
    page.locator("label[for=id_activite_1]").click()
    if with_errors:
        page.locator("[data-submit]").click()
        expect(page.locator("#erreurs-formulaire")).to_be_visible()
    else:
        page.get_by_role("button", name="Redirections vers un autre organisme").click()
        expect(page.locator("#id_autre_nom_1")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_communes_of_a_postal_code_fill_the_commune(page, live_server, demo):
    # The demo loads the référentiel of communes shipped with the repository.
    open_form(page, live_server)

    choose_radio(page, "canal", "domicile")
    expect(page.locator("#commune")).to_be_visible()
    # Nobody is asked for an INSEE code: the commune inputs are hidden, the list comes with the postal code.
    expect(page.locator("#id_code_commune")).to_be_hidden()
    expect(page.get_by_label(re.compile("INSEE"))).to_have_count(0)
    tab_to(page, "#id_code_postal")
    page.keyboard.type("01000")
    communes = page.get_by_role("combobox", name=re.compile("^Commune"))
    expect(communes.locator("option")).to_have_text(
        ["Choisir la commune", "Bourg-en-Bresse (01053)", "Saint-Denis-lès-Bourg (01344)"]
    )
    communes.select_option("01344")

    expect(page.locator("#id_code_commune")).to_have_value("01344")
    expect(page.locator("#id_nom_commune")).to_have_value("Saint-Denis-lès-Bourg")

    # A postal code the référentiel does not know: the page says so, and the server refuses it.
    page.locator("#id_code_postal").fill("01999")
    expect(page.get_by_text("Aucune commune connue pour le code postal 01999")).to_be_visible()
    expect(page.locator("#id_code_commune")).to_be_hidden()


def test_other_coop_pages_are_accessible(page, live_server, demo, axe):
    login(page, live_server, CONSEILLER)
    for path in ("/coop/", "/coop/cra/", "/coop/lieux/"):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_count(1)
        axe(page)

    # A lieu form sent empty: its errors.
    page.goto(f"{live_server.url}/coop/lieux/nouveau/")
    axe(page)
    page.get_by_role("button", name="Enregistrer le lieu").click()
    expect(page.locator("#erreurs-formulaire")).to_be_visible()
    axe(page)

    # A CRA, then its edit and delete pages.
    page.goto(f"{live_server.url}/coop/cra/nouveau/")
    annotation = f"à supprimer {uuid.uuid4().hex[:6]}"
    page.locator("#id_annotation").fill(annotation)
    page.locator("#id_age_35_60").fill("1")
    page.locator("#id_statut_sans_emploi").fill("1")
    page.locator("label[for=id_themes_0]").click()
    page.locator("label[for=id_duree_0]").click()
    page.locator("[data-submit]").click()
    expect(page.locator("h1")).to_have_text("Compte rendu enregistré")
    page.get_by_role("link", name="Modifier ce compte rendu").click()
    expect(page.locator("h1")).to_contain_text("Modifier le compte rendu du")
    axe(page)
    page.goto(page.url.replace("/modifier/", "/supprimer/"))
    axe(page)
    page.get_by_role("button", name="Supprimer").click()
    expect(page.get_by_text(re.compile(r"Le compte rendu du .* est supprimé\."))).to_be_visible()
    expect(page.locator(".cnfs-cra-item").filter(has_text=annotation)).to_have_count(0)
