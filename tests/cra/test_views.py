"""The Espace Coop's CRA pages through HTTP: home, form (new, edit), saved, delete, history, communes."""

import datetime
import re
import uuid
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.enums import RoleKind
from conseillers.models import Permanence, PermanenceConseiller
from cra import services
from cra.enums import THEME_OF_SOUS_THEME
from cra.models import Cra, CraHistorique
from structures.models import CodePostal, Commune
from tests.cra.factories import cra_data

TODAY = timezone.localdate()
# A day of the current month before today when there is one, so that the home counts it.
THIS_MONTH = TODAY - datetime.timedelta(days=1) if TODAY.day > 1 else TODAY


# --- Helpers -----------------------------------------------------------------------------------------


class FormControls(HTMLParser):
    """The form controls of a page as a browser sees them: input values, checked boxes, selected options."""

    def __init__(self, html):
        super().__init__()
        self.values, self.checked, self.selected = {}, {}, {}
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.checked.setdefault(name, []).append(attrs.get("value"))
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.selected.setdefault(self._select, []).append(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def element_text(html, element_id):
    """The text of the element with this id, up to its closing tag (for the small message blocks)."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</div>', html, flags=re.DOTALL)
    assert match, f"pas d'élément #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def lieu_of(conseiller, *, nom="Médiathèque Le Rize", principale=True, **fields):
    place = {
        "adresse": "2 rue Valentin-Haüy",
        "code_postal": "69100",
        "code_commune": "69266",
        "nom_commune": "Villeurbanne",
        **fields,
    }
    permanence = Permanence.objects.create(structure=conseiller.structure, nom=nom, **place)
    PermanenceConseiller.objects.create(permanence=permanence, conseiller=conseiller, principale=principale)
    return permanence


def post_data(lieu, **overrides):
    """A valid individual CRA as the browser sends it."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "date_accompagnement": f"{THIS_MONTH:%d/%m/%Y}",
        "canal": "rattachement",
        "permanence": str(lieu.pk),
        "code_postal": "",
        "code_commune": "",
        "nom_commune": "",
        "activite": "individuel",
        "nb_participants": "1",
        "nb_participants_recurrents": "",
        "age_35_60": "1",
        "statut_en_emploi": "1",
        "themes": ["courriel"],
        "annotation": "",
        "duree": "30-60",
        "duree_minutes": "",
        "suivi_individuel": "",
        "suivi_atelier": "",
    }
    data.update(overrides)
    return data


def collectif(participants, **overrides):
    """The fields of a workshop of `participants` people, all aged 60+ and retired."""
    return {
        "activite": "collectif",
        "nb_participants": participants,
        "age_35_60": 0,
        "age_plus_60": participants,
        "statut_en_emploi": 0,
        "statut_retraite": participants,
        **overrides,
    }


def make_cra(conseiller, lieu, **overrides):
    data = cra_data(date_accompagnement=THIS_MONTH, permanence=lieu.pk)
    data.update(overrides)
    return services.cra_create(conseiller=conseiller, user=conseiller.user, data=data)


@pytest.fixture
def lieu(world):
    return lieu_of(world.alice)


@pytest.fixture
def alice(world, login_as):
    return login_as(world.alice.user)


@pytest.fixture
def chloe_cra(world):
    """A CRA of Chloé, in another structure, at someone's home in Bourg-en-Bresse."""
    data = cra_data(
        date_accompagnement=THIS_MONTH,
        canal="domicile",
        permanence=None,
        code_postal="01000",
        code_commune="01053",
        nom_commune="Bourg-en-Bresse",
    )
    return services.cra_create(conseiller=world.chloe, user=world.chloe.user, data=data)


# --- Access ------------------------------------------------------------------------------------------


def coop_urls(world, lieu):
    cra = make_cra(world.alice, lieu)
    return [
        "/coop/",
        "/coop/cra/",
        "/coop/cra/nouveau/",
        f"/coop/cra/{cra.pk}/enregistre/",
        f"/coop/cra/{cra.pk}/modifier/",
        f"/coop/cra/{cra.pk}/supprimer/",
        "/coop/communes/?code_postal=69100",
        "/coop/lieux/",
    ]


@pytest.mark.parametrize(
    "account", ["gestionnaire_villeurbanne", "prefet_rhone", "prefet_ara", "hub", "admin"]
)
def test_pilotage_roles_get_403_on_every_coop_page(world, lieu, login_as, account):
    client = login_as(getattr(world, account))

    for url in coop_urls(world, lieu):
        assert client.get(url).status_code == 403, url
    cra = Cra.objects.get()
    assert client.post(f"/coop/cra/{cra.pk}/supprimer/").status_code == 403
    assert client.post("/coop/cra/nouveau/", post_data(lieu)).status_code == 403
    assert Cra.objects.actifs().count() == 1


def test_anonymous_is_sent_to_login(world, lieu, client):
    for url in coop_urls(world, lieu):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/")
    response = client.post("/coop/cra/nouveau/", post_data(lieu))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert Cra.objects.count() == 1


def test_a_coordinateur_fills_his_own_cras(world, login_as):
    client = login_as(world.emma.user, RoleKind.COORDINATEUR)

    assert client.get("/coop/").status_code == 200
    assert client.get("/coop/cra/nouveau/").status_code == 200


# --- Home --------------------------------------------------------------------------------------------


def test_home_shows_this_months_figures_and_the_last_cras(
    world, lieu, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the aggregates are recomputed on commit
        make_cra(world.alice, lieu, annotation="premier")
        make_cra(world.alice, lieu, **collectif(12, nb_participants_recurrents=2))
        make_cra(world.alice, lieu, date_accompagnement=TODAY.replace(day=1) - datetime.timedelta(days=1))

    html = alice.get("/coop/").content.decode()

    figures = re.findall(r'cnfs-key-figure__value">([^<]*)<', html)
    # 2 CRAs this month; 1 + 12 participants of whom 2 already met; 1 workshop.
    assert figures == ["2", "11", "1"]
    assert 'href="/coop/cra/nouveau/"' in html and "Nouveau compte rendu" in html
    assert html.count('class="cnfs-cra-item"') == 3
    assert "Gérer ses courriels" in html
    assert 'href="/coop/cra/"' in html and 'href="/coop/lieux/"' in html


def test_home_figures_are_french_formatted(world, lieu, alice, monkeypatch):
    from cnfs.pages.coop import cra as views
    from stats.results import derive

    month = derive({"cra": 1234, "activite:collectif": 5}, du=TODAY.replace(day=1), au=TODAY)
    monkeypatch.setattr(views, "statistiques", lambda request: month)

    html = alice.get("/coop/").content.decode()

    assert re.findall(r'cnfs-key-figure__value">([^<]*)<', html)[0] == "1\xa0234"


def test_home_shows_five_cras_at_most(world, lieu, alice):
    for _ in range(7):
        make_cra(world.alice, lieu)

    html = alice.get("/coop/").content.decode()

    assert html.count('class="cnfs-cra-item"') == 5


def test_home_query_count(world, lieu, alice, django_assert_num_queries):
    for _ in range(7):
        make_cra(world.alice, lieu)

    # 1. session  2. user  3. the account's roles with their scope and conseiller  4.-5. the month's figures
    # (stats.selectors.statistiques: the CRAs grouped by month, the redirections by organisme)  6. the
    # conseiller's structure (greeting)  7. the five last CRAs with their lieu.
    with django_assert_num_queries(7):
        assert alice.get("/coop/").status_code == 200


def test_creation_query_count(world, lieu, alice, django_assert_num_queries):
    """The page of the 200 CRAs per second of SPEC §10: each query counts (docs/performance.md)."""
    # 1. session  2. user  3. roles  4. the conseiller's lieux (form choices and rules)  5. his contracts
    # 6. is the communes référentiel loaded  7. an earlier CRA of the same idempotency key  8. BEGIN
    # 9. the CRA  10. its history line  11. COMMIT (the aggregates are recomputed after, by the worker).
    with django_assert_num_queries(11):
        response = alice.post("/coop/cra/nouveau/", post_data(lieu))
    assert response.status_code == 302


def test_home_without_cras_has_an_empty_state(world, alice):
    html = alice.get("/coop/").content.decode()

    assert "Aucun compte rendu pour l'instant" in html


# --- The form: new --------------------------------------------------------------------------------------


def test_new_form_preselects_the_principal_lieu(world, lieu, alice):
    lieu_of(world.alice, nom="Mairie annexe", principale=False, adresse="1 place")

    response = alice.get("/coop/cra/nouveau/")

    assert response.status_code == 200
    html = response.content.decode()
    controls = FormControls(html)
    assert controls.selected["permanence"] == [str(lieu.pk)]
    assert controls.checked["canal"] == ["rattachement"]
    assert controls.checked["activite"] == ["individuel"]
    assert controls.values["date_accompagnement"] == f"{TODAY:%d/%m/%Y}"
    assert controls.values["nb_participants"] == "1"
    assert uuid.UUID(controls.values["idempotency_key"])
    assert "<h1>Nouveau compte rendu d'activité</h1>" in html
    assert "Enregistrer le compte rendu" in html
    assert "js/cra-form.js" in html


def test_new_form_without_lieu_explains_how_to_add_one(world, alice):
    html = alice.get("/coop/cra/nouveau/").content.decode()

    assert "Vous n'avez pas encore de lieu d'activité" in html
    assert 'href="/coop/lieux/nouveau/"' in html
    assert FormControls(html).checked.get("canal") is None


def test_new_form_keeps_the_date_and_lieu_of_the_previous_cra(world, lieu, alice):
    other = lieu_of(world.alice, nom="Mairie annexe", principale=False, adresse="1 place")
    day = TODAY - datetime.timedelta(days=4)

    html = alice.get(f"/coop/cra/nouveau/?date_accompagnement={day.isoformat()}&permanence={other.pk}")

    controls = FormControls(html.content.decode())
    assert controls.values["date_accompagnement"] == f"{day:%d/%m/%Y}"
    assert controls.selected["permanence"] == [str(other.pk)]


def test_every_sub_theme_sits_under_its_theme(world, lieu, alice):
    html = alice.get("/coop/cra/nouveau/").content.decode()

    for sous_theme, theme in THEME_OF_SOUS_THEME.items():
        block = html.split(f'data-sous-themes-of="{theme.value}"', 1)[1].split("</li>", 1)[0]
        assert f'value="{sous_theme.value}"' in block, sous_theme
    assert html.count('name="sous_themes"') == len(THEME_OF_SOUS_THEME)


def test_a_valid_post_creates_the_cra_and_shows_it(world, lieu, alice):
    response = alice.post("/coop/cra/nouveau/", post_data(lieu, annotation="  atelier mail  "))

    cra = Cra.objects.get()
    assert response.status_code == 302
    assert response.url == f"/coop/cra/{cra.pk}/enregistre/"
    assert (cra.conseiller, cra.structure, cra.permanence) == (world.alice, world.villeurbanne, lieu)
    assert cra.annotation == "atelier mail"

    html = alice.get(response.url).content.decode()
    assert "Compte rendu enregistré" in html
    assert "Gérer ses courriels" in html and "Médiathèque Le Rize" in html
    another = (
        f'href="/coop/cra/nouveau/?date_accompagnement={THIS_MONTH.isoformat()}&amp;permanence={lieu.pk}"'
    )
    assert another in html
    assert 'href="/coop/cra/"' in html


def test_saved_page_without_lieu_only_keeps_the_date(world, alice, lieu):
    data = post_data(
        lieu,
        canal="domicile",
        permanence="",
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
    )
    response = alice.post("/coop/cra/nouveau/", data)

    html = alice.get(response.url).content.decode()

    assert f'href="/coop/cra/nouveau/?date_accompagnement={THIS_MONTH.isoformat()}"' in html


def test_a_collective_cra_with_everything(world, lieu, alice):
    data = post_data(
        lieu,
        activite="collectif",
        nb_participants="8",
        nb_participants_recurrents="2",
        age_35_60="3",
        age_plus_60="5",
        statut_en_emploi="3",
        statut_retraite="5",
        themes=["sante", "equipement_informatique"],
        sous_themes=["espace_sante", "tablette"],
        duree="60+",
        duree_minutes="105",
        suivi_atelier="2",
        redirection_CAF="1",
        autre_nom_1="Maison du droit",
        autre_nombre_1="1",
    )

    response = alice.post("/coop/cra/nouveau/", data)

    assert response.status_code == 302
    cra = Cra.objects.get()
    assert (cra.activite, cra.nb_participants, cra.duree_minutes) == ("collectif", 8, 105)
    assert sorted(cra.sous_theme_keys) == ["espace_sante", "tablette"]
    assert cra.nb_redirections == 2
    assert set(cra.redirections.values_list("organisme", "nom_autre", "nombre")) == {
        ("CAF", "", 1),
        ("AUTRE", "Maison du droit", 1),
    }
    # The recap and the history show the sub-themes and where the people were sent.
    saved = alice.get(response.url).content.decode()
    history = alice.get("/coop/cra/").content.decode()
    for html in (saved, history):
        assert "Mon espace santé</p>" in html and "Tablette</p>" in html
    assert "2 redirigées vers CAF (1), Maison du droit (1)" in saved
    assert "Redirections&nbsp;: CAF (1), Maison du droit (1)" in history


def test_errors_keep_every_typed_value_and_store_nothing(world, lieu, alice):
    day = TODAY - datetime.timedelta(days=2)
    data = post_data(
        lieu,
        date_accompagnement=f"{day:%d/%m/%Y}",
        canal="autre_lieu",
        permanence="",
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
        activite="collectif",
        nb_participants="8",
        nb_participants_recurrents="2",
        age_35_60="3",
        age_plus_60="4",  # 7 ages for 8 participants
        statut_en_emploi="3",
        statut_retraite="5",
        themes=[],  # no theme
        annotation="atelier tablettes",
        duree="60+",
        duree_minutes="90",
        suivi_individuel="1",
        redirection_CAF="2",
        autre_nom_1="Maison du droit",
        autre_nombre_1="1",
    )

    response = alice.post("/coop/cra/nouveau/", data)

    assert response.status_code == 200
    assert not Cra.objects.exists()
    html = response.content.decode()
    # The summary at the top lists every error, the fields' errors link to them.
    summary = html.split('id="erreurs-formulaire"', 1)[1].split("</div>", 1)[0]
    errors = sum(len(messages) for messages in response.context["form"].errors.values())
    assert errors > 1
    assert f"{errors} erreurs dans le formulaire" in summary
    assert summary.count("<li>") == errors
    assert "La somme des tranches d&#x27;âge (7) doit être égale au nombre de participants (8)." in summary
    assert (
        '<a href="#id_themes">Thèmes de l&#x27;accompagnement : Choisissez au moins un thème.</a>' in summary
    )
    # Each message beside its field or group.
    assert element_text(html, "groupe-ages-messages") == (
        "La somme des tranches d&#x27;âge (7) doit être égale au nombre de participants (8)."
    )
    assert element_text(html, "id_themes-messages") == "Choisissez au moins un thème."
    assert element_text(html, "groupe-statuts-messages") == ""
    # Nothing typed is lost.
    controls = FormControls(html)
    assert controls.values["idempotency_key"] == data["idempotency_key"]
    assert controls.values["date_accompagnement"] == f"{day:%d/%m/%Y}"
    assert controls.checked["canal"] == ["autre_lieu"]
    assert controls.checked["activite"] == ["collectif"]
    assert controls.checked["duree"] == ["60+"]
    assert controls.selected["duree_minutes"] == ["90"]
    assert controls.selected["permanence"] == [""]
    for name in (
        "code_postal",
        "code_commune",
        "nom_commune",
        "nb_participants",
        "nb_participants_recurrents",
        "age_35_60",
        "age_plus_60",
        "statut_en_emploi",
        "statut_retraite",
        "annotation",
        "suivi_individuel",
        "redirection_CAF",
        "autre_nom_1",
        "autre_nombre_1",
    ):
        assert controls.values[name] == data[name], name
    # The redirections are shown, not folded away.
    assert 'aria-controls="redirections"' in html and 'class="fr-collapse fr-collapse--expanded"' in html


def test_errors_keep_the_checked_themes_and_sub_themes(world, lieu, alice):
    data = post_data(lieu, themes=["sante", "budget"], sous_themes=["espace_sante"], age_35_60="0")

    response = alice.post("/coop/cra/nouveau/", data)

    assert response.status_code == 200
    assert not Cra.objects.exists()
    controls = FormControls(response.content.decode())
    assert sorted(controls.checked["themes"]) == ["budget", "sante"]
    assert controls.checked["sous_themes"] == ["espace_sante"]
    assert controls.selected["permanence"] == [str(lieu.pk)]


def test_a_field_error_is_shown_beside_the_field(world, lieu, alice):
    data = post_data(lieu, date_accompagnement="31/02/2025", nb_participants="beaucoup")

    response = alice.post("/coop/cra/nouveau/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Cra.objects.exists()
    assert element_text(html, "id_date_accompagnement-messages") == (
        "Cette date n&#x27;existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."
    )
    assert element_text(html, "id_nb_participants-messages") == "Saisissez un nombre entier."
    assert '<a href="#id_date_accompagnement">' in html
    assert "<title>Erreur : Nouveau compte rendu d'activité" in html
    assert FormControls(html).values["nb_participants"] == "beaucoup"
    assert FormControls(html).values["date_accompagnement"] == "31/02/2025"


def test_a_date_in_another_format_is_refused(world, lieu, alice):
    response = alice.post("/coop/cra/nouveau/", post_data(lieu, date_accompagnement="12 mars"))

    html = response.content.decode()
    assert not Cra.objects.exists()
    assert element_text(html, "id_date_accompagnement-messages") == (
        "Saisissez une date valide, au format JJ/MM/AAAA."
    )
    assert FormControls(html).values["date_accompagnement"] == "12 mars"


def test_a_future_date_is_refused(world, lieu, alice):
    data = post_data(lieu, date_accompagnement=f"{TODAY + datetime.timedelta(days=1):%d/%m/%Y}")

    response = alice.post("/coop/cra/nouveau/", data)

    assert "La date de l&#x27;accompagnement ne peut pas être dans le futur." in response.content.decode()
    assert not Cra.objects.exists()


def test_the_same_submission_twice_records_one_cra(world, lieu, alice):
    data = post_data(lieu)

    first = alice.post("/coop/cra/nouveau/", data)
    second = alice.post("/coop/cra/nouveau/", data)

    assert Cra.objects.count() == 1
    assert first.url == second.url == f"/coop/cra/{Cra.objects.get().pk}/enregistre/"


def test_conseiller_and_structure_sent_by_the_browser_are_ignored(world, lieu, alice):
    data = post_data(lieu, conseiller=str(world.chloe.pk), structure=str(world.bourg.pk))

    alice.post("/coop/cra/nouveau/", data)

    cra = Cra.objects.get()
    assert cra.conseiller == world.alice
    assert cra.structure == world.villeurbanne


def test_another_conseillers_lieu_is_refused(world, lieu, alice):
    theirs = lieu_of(world.chloe, nom="Médiathèque de Bourg", code_postal="01000", code_commune="01053")

    response = alice.post("/coop/cra/nouveau/", post_data(lieu, permanence=str(theirs.pk)))

    assert response.status_code == 200
    assert "Ce lieu d&#x27;activité ne fait pas partie des vôtres." in response.content.decode()
    assert not Cra.objects.exists()


def test_html_in_the_annotation_is_escaped(world, lieu, alice):
    response = alice.post("/coop/cra/nouveau/", post_data(lieu, annotation="<script>alert(1)</script>"))
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    # The strict client fails on any inline <script>: these pages would not even load unescaped.
    saved = alice.get(response.url).content.decode()
    history = alice.get("/coop/cra/").content.decode()
    edit = alice.get(f"/coop/cra/{Cra.objects.get().pk}/modifier/").content.decode()

    assert escaped in saved and escaped in history
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in edit
    assert Cra.objects.get().annotation == "<script>alert(1)</script>"


def test_a_formula_in_the_annotation_stays_text(world, lieu, alice):
    response = alice.post("/coop/cra/nouveau/", post_data(lieu, annotation="=1+1"))

    assert Cra.objects.get().annotation == "=1+1"
    assert "=1+1" in alice.get(response.url).content.decode()
    assert ">=1+1</span>" in alice.get("/coop/cra/").content.decode()


# --- Another conseiller's CRA, deleted CRAs ---------------------------------------------------------


def test_another_conseillers_cra_is_a_404(world, lieu, alice, chloe_cra):
    for url in ("enregistre", "modifier", "supprimer"):
        assert alice.get(f"/coop/cra/{chloe_cra.pk}/{url}/").status_code == 404, url
    assert alice.post(f"/coop/cra/{chloe_cra.pk}/modifier/", post_data(lieu)).status_code == 404
    assert alice.post(f"/coop/cra/{chloe_cra.pk}/supprimer/").status_code == 404

    chloe_cra.refresh_from_db()
    assert chloe_cra.deleted_at is None
    assert chloe_cra.historique.count() == 1
    assert "Bourg-en-Bresse" not in alice.get("/coop/cra/").content.decode()


def test_a_deleted_cra_leaves_the_history_and_cannot_be_edited(world, lieu, alice):
    kept = make_cra(world.alice, lieu, annotation="gardé")
    deleted = make_cra(world.alice, lieu, annotation="supprimé")
    services.cra_delete(cra=deleted, user=world.alice.user)

    html = alice.get("/coop/cra/").content.decode()

    assert "gardé" in html and "supprimé" not in html
    assert f"/coop/cra/{kept.pk}/modifier/" in html
    assert alice.get(f"/coop/cra/{deleted.pk}/modifier/").status_code == 404
    assert alice.get(f"/coop/cra/{deleted.pk}/enregistre/").status_code == 404
    assert alice.post(f"/coop/cra/{deleted.pk}/modifier/", post_data(lieu)).status_code == 404


# --- Edit and delete ------------------------------------------------------------------------------------


def test_edit_shows_the_cra_and_keeps_its_history(world, lieu, alice):
    cra = make_cra(
        world.alice,
        lieu,
        **collectif(4, themes=["sante"], sous_themes=["espace_sante"]),
        redirections=[{"organisme": "CAF", "nombre": 1}],
    )

    response = alice.get(f"/coop/cra/{cra.pk}/modifier/")

    html = response.content.decode()
    title = f"Modifier le compte rendu du {THIS_MONTH:%d/%m/%Y}"
    assert f"<h1>{title}</h1>" in html
    assert 'href="/coop/cra/">Annuler</a>' in html
    controls = FormControls(html)
    assert controls.checked["activite"] == ["collectif"]
    assert controls.values["nb_participants"] == "4"
    assert controls.values["age_plus_60"] == "4"
    assert controls.checked["themes"] == ["sante"]
    assert controls.checked["sous_themes"] == ["espace_sante"]
    assert controls.values["redirection_CAF"] == "1"
    assert controls.selected["permanence"] == [str(lieu.pk)]

    data = post_data(
        lieu,
        activite="collectif",
        nb_participants="4",
        age_35_60="",
        age_plus_60="4",
        statut_en_emploi="",
        statut_retraite="4",
        themes=["sante", "courriel"],
        duree="0-30",
    )
    response = alice.post(f"/coop/cra/{cra.pk}/modifier/", data)

    assert response.status_code == 302 and response.url == "/coop/cra/"
    assert Cra.objects.count() == 1
    cra.refresh_from_db()
    assert sorted(cra.theme_keys) == ["courriel", "sante"]
    assert cra.nb_redirections == 0
    change = cra.historique.get(action=CraHistorique.Action.MODIFICATION)
    assert change.user == world.alice.user
    assert change.changes["duree"] == ["30-60", "0-30"]
    assert change.changes["redirections"] == [[["CAF", "", 1]], []]
    assert "Le compte rendu est modifié." in alice.get("/coop/cra/").content.decode()


def test_an_invalid_edit_changes_nothing(world, lieu, alice):
    cra = make_cra(world.alice, lieu)

    response = alice.post(f"/coop/cra/{cra.pk}/modifier/", post_data(lieu, themes=[]))

    assert response.status_code == 200
    assert "Choisissez au moins un thème." in response.content.decode()
    cra.refresh_from_db()
    assert cra.theme_keys == ["courriel"]
    assert cra.historique.count() == 1


def test_delete_asks_then_soft_deletes(world, lieu, alice):
    cra = make_cra(world.alice, lieu, annotation="à effacer")

    response = alice.get(f"/coop/cra/{cra.pk}/supprimer/")

    html = response.content.decode()
    assert f"Supprimer le compte rendu du {THIS_MONTH:%d/%m/%Y}" in html
    assert "à effacer" in html
    assert f'<form method="post" action="/coop/cra/{cra.pk}/supprimer/"' in html
    cra.refresh_from_db()
    assert cra.deleted_at is None

    response = alice.post(f"/coop/cra/{cra.pk}/supprimer/")

    assert response.status_code == 302 and response.url == "/coop/cra/"
    cra.refresh_from_db()
    assert cra.deleted_at is not None
    assert cra.historique.filter(action=CraHistorique.Action.SUPPRESSION).exists()
    html = alice.get("/coop/cra/").content.decode()
    assert f"Le compte rendu du {THIS_MONTH:%d/%m/%Y} est supprimé." in html
    assert "à effacer" not in html


# --- History ---------------------------------------------------------------------------------------------


def annotations_of(html):
    return re.findall(r'class="cnfs-annotation">([^<]*)<', html)


@pytest.fixture
def varied_cras(world, lieu):
    """Four CRAs of Alice that the filters tell apart, and one of Chloé."""
    make_cra(world.alice, lieu, annotation="ancien", date_accompagnement=datetime.date(2024, 3, 5))
    make_cra(
        world.alice,
        lieu,
        **collectif(6, themes=["sante"]),
        annotation="atelier santé",
        date_accompagnement=datetime.date(2025, 1, 10),
    )
    make_cra(
        world.alice,
        lieu,
        annotation="à distance",
        canal="distance",
        permanence=None,
        code_postal="69003",
        code_commune="69383",
        nom_commune="Lyon 3e",
        activite="ponctuel",
        date_accompagnement=datetime.date(2025, 2, 20),
    )
    make_cra(world.alice, lieu, annotation="récent", themes=["budget", "sante"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["récent", "à distance", "atelier santé", "ancien"]),
        ("du=2025-01-01&au=2025-02-28", ["à distance", "atelier santé"]),
        ("du=01/01/2025", ["récent", "à distance", "atelier santé"]),
        ("theme=sante", ["récent", "atelier santé"]),
        ("canal=distance", ["à distance"]),
        ("activite=collectif", ["atelier santé"]),
        ("code_postal=69003", ["à distance"]),
        ("theme=sante&activite=individuel", ["récent"]),
    ],
)
def test_history_filters(world, varied_cras, alice, query, expected):
    html = alice.get(f"/coop/cra/?{query}").content.decode()

    assert annotations_of(html) == expected
    count = len(expected)
    assert f"{count} compte{'s' if count > 1 else ''} rendu{'s' if count > 1 else ''}" in html


def test_history_filters_are_kept_in_the_form_and_the_sort_links(world, varied_cras, alice):
    html = alice.get("/coop/cra/?theme=sante&du=2025-01-01").content.decode()

    controls = FormControls(html)
    assert controls.selected["theme"] == ["sante"]
    assert controls.values["du"] == "2025-01-01"
    assert 'href="?du=2025-01-01&amp;theme=sante&amp;tri=modification"' in html
    assert "Effacer les filtres" in html


def test_history_refuses_du_after_au_with_a_message(world, varied_cras, alice):
    response = alice.get("/coop/cra/?du=2025-03-01&au=2025-01-01")

    assert response.status_code == 200
    html = response.content.decode()
    assert "La date de début doit précéder la date de fin, ou lui être égale." in html
    assert "1 erreur dans le formulaire" in html


@pytest.mark.parametrize(
    ("du", "message"),
    [
        ("2025-13-45", "La date de début n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("31/02/2025", "La date de début n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("mars 2025", "La date de début n'est pas une date valide (JJ/MM/AAAA)."),
    ],
)
def test_history_refuses_an_invalid_date_with_a_message(world, varied_cras, alice, du, message):
    response = alice.get("/coop/cra/", {"du": du})

    assert response.status_code == 200
    html = response.content.decode()
    assert unescape(element_text(html, "id_du-messages")) == message
    assert FormControls(html).values["du"] == du


def test_history_sorts_by_last_modification(world, lieu, alice):
    old = make_cra(world.alice, lieu, annotation="ancien", date_accompagnement=datetime.date(2024, 3, 5))
    make_cra(world.alice, lieu, annotation="récent")
    services.cra_update(
        cra=old,
        user=world.alice.user,
        data=cra_data(date_accompagnement=old.date_accompagnement, permanence=lieu.pk, annotation="corrigé"),
    )

    by_date = alice.get("/coop/cra/").content.decode()
    by_modification = alice.get("/coop/cra/?tri=modification").content.decode()

    assert annotations_of(by_date) == ["récent", "corrigé"]
    assert annotations_of(by_modification) == ["corrigé", "récent"]
    assert 'aria-current="true">Dernière modification</a>' in by_modification
    assert FormControls(by_modification).values["tri"] == "modification"


def test_history_shows_30_cras_a_page_and_keeps_the_filters(world, lieu, alice):
    for day in range(35):
        make_cra(
            world.alice, lieu, date_accompagnement=datetime.date(2025, 1, 1) + datetime.timedelta(days=day)
        )

    first = alice.get("/coop/cra/?activite=individuel").content.decode()
    second = alice.get("/coop/cra/?activite=individuel&page=2").content.decode()

    assert first.count('class="cnfs-cra-item"') == 30
    assert second.count('class="cnfs-cra-item"') == 5
    assert "35 comptes rendus" in first
    assert 'href="?activite=individuel&amp;page=2"' in first
    assert 'href="?activite=individuel&amp;page=1"' in second


def test_history_empty_states(world, lieu, alice):
    assert "Vous n'avez encore enregistré aucun compte rendu" in alice.get("/coop/cra/").content.decode()

    make_cra(world.alice, lieu)
    html = alice.get("/coop/cra/?canal=domicile").content.decode()

    assert "Aucun compte rendu ne correspond à ces filtres" in html


@pytest.mark.parametrize("count", [3, 35])
def test_history_query_count_does_not_grow_with_the_rows(
    world, lieu, alice, count, django_assert_num_queries
):
    for _ in range(count):
        make_cra(
            world.alice,
            lieu,
            **collectif(3, themes=["sante", "budget"]),
            redirections=[{"organisme": "CAF", "nombre": 1}],
        )

    # 1. session  2. user  3. the account's roles with their scope and conseiller  4. count of the filtered
    # CRAs  5. the page of CRAs with their lieu  6. their redirections.
    with django_assert_num_queries(6):
        assert alice.get("/coop/cra/?theme=sante").status_code == 200


# --- Communes ---------------------------------------------------------------------------------------------


def test_communes_without_referentiel(world, alice):
    response = alice.get("/coop/communes/?code_postal=69100")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"referentiel": False, "communes": []}


def test_communes_of_a_postal_code(world, alice):
    for code, nom in (("69266", "Villeurbanne"), ("69999", "Autre commune")):
        CodePostal.objects.create(
            code="69100", commune=Commune.objects.create(code_insee=code, nom=nom, departement=world.rhone)
        )

    assert alice.get("/coop/communes/?code_postal=69100").json() == {
        "referentiel": True,
        "communes": [{"code": "69999", "nom": "Autre commune"}, {"code": "69266", "nom": "Villeurbanne"}],
    }
    assert alice.get("/coop/communes/?code_postal=691").json() == {"referentiel": True, "communes": []}
    assert alice.get("/coop/communes/?code_postal=01000").json() == {"referentiel": True, "communes": []}
    assert alice.post("/coop/communes/?code_postal=69100").status_code == 405


def test_error_summary_links_group_errors_to_their_fieldset(world, lieu, alice):
    html = alice.post("/coop/cra/nouveau/", post_data(lieu, age_35_60="2")).content.decode()

    assert '<a href="#groupe-ages">La somme des tranches d&#x27;âge (2) doit être égale' in html
    assert 'id="groupe-ages"' in html


@pytest.fixture
def referentiel_bourg(world):
    """The référentiel of communes for the postal code 01000, which serves two communes."""
    for code, nom in (("01053", "Bourg-en-Bresse"), ("01344", "Saint-Denis-lès-Bourg")):
        CodePostal.objects.create(
            code="01000", commune=Commune.objects.create(code_insee=code, nom=nom, departement=world.ain)
        )


def test_with_the_referentiel_nobody_types_an_insee_code(world, lieu, alice, referentiel_bourg):
    html = alice.get("/coop/cra/nouveau/").content.decode()

    assert '<input type="hidden" name="code_commune"' in html
    assert '<input type="hidden" name="nom_commune"' in html
    assert "Code INSEE" not in html


def test_without_script_the_communes_of_the_postal_code_are_offered(world, lieu, alice, referentiel_bourg):
    data = post_data(lieu, canal="domicile", permanence="", code_postal="01000")

    response = alice.post("/coop/cra/nouveau/", data)

    html = response.content.decode()
    assert response.status_code == 200 and not Cra.objects.exists()
    communes = "Bourg-en-Bresse, Saint-Denis-lès-Bourg"
    assert f"Choisissez la commune parmi celles du code postal : {communes}." in html
    assert '<option value="01344">Saint-Denis-lès-Bourg (01344)</option>' in html
    assert 'value="01000"' in html  # what was typed stays

    response = alice.post("/coop/cra/nouveau/", {**data, "code_commune": "01344"})

    assert response.status_code == 302
    assert Cra.objects.get().nom_commune == "Saint-Denis-lès-Bourg"
