"""The statistics pages of every pilotage scope (conseiller, structure, équipe, territoire, national) and
"Statistiques par territoire": who may open them, what they count, their filters and their query counts."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import RoleKind
from cnfs.exports.models import Export
from cnfs.socle.periode import DATE_LANCEMENT
from stats import formatting
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from structures.models import Departement, Region
from tests.conseillers.factories import ConseillerFactory
from tests.stats.factories import make_atelier, make_cra, recompute_once
from tests.structures.factories import StructureFactory

TODAY = timezone.localdate()
TILE_VALUE = re.compile(r'cnfs-key-figure__value">([^<]*)<')
ACCOUNTS = [
    "gestionnaire_villeurbanne",
    "gestionnaire_bourg",
    "prefet_rhone",
    "prefet_ain",
    "prefet_ara",
    "hub",
]
ACCOUNTS += ["admin", "emma", "alice"]


def account(world, name):
    """The user of a named account of the world; Emma in her coordinateur role."""
    if name in ("emma", "alice"):
        return getattr(world, name).user
    return getattr(world, name)


@pytest.fixture
def log_in(world, login_as):
    def _log_in(name):
        kind = RoleKind.COORDINATEUR if name == "emma" else None
        return login_as(account(world, name), kind)

    return _log_in


@pytest.fixture
def cras(world):
    """CRAs of the whole world: Denis for both his employers, Alice, Chloé, Emma."""
    with recompute_once():
        make_cra(world.denis, date=datetime.date(2024, 1, 15), structure=world.villeurbanne)
        make_atelier(world.denis, participants=6, date=datetime.date(2024, 4, 2), structure=world.lyon_asso)
        make_cra(world.alice, date=TODAY)
        make_cra(world.alice, date=datetime.date(2023, 5, 5), code_postal="69003")
        make_cra(world.chloe, date=TODAY, code_postal="01000")
        make_cra(world.emma, date=TODAY, code_postal="69003")


def tiles(html):
    return TILE_VALUE.findall(html)


def expected_tiles(stats):
    keys = ("personnes", "accompagnements", "ateliers", "individuels", "ponctuels", "avec_suivi")
    return [formatting.nombre(stats[key]) for key in keys]


def since_launch(scope):
    return statistiques(StatsRequest(scope, DATE_LANCEMENT, TODAY), source="reference")


# (account, may read alice, may read chloé) — Alice works in Villeurbanne (Rhône), Chloé in Bourg (Ain).
CONSEILLER_ACCESS = {
    "gestionnaire_villeurbanne": (200, 404),
    "gestionnaire_bourg": (404, 200),
    "prefet_rhone": (200, 404),
    "prefet_ain": (404, 200),
    "prefet_ara": (200, 200),
    "hub": (200, 200),
    "admin": (200, 200),
    "emma": (200, 200),  # Alice explicitly, the Ain by département
    "alice": (403, 403),
}


@pytest.mark.parametrize("name", ACCOUNTS)
def test_conseiller_statistics_follow_the_scope(world, cras, log_in, name):
    client = log_in(name)
    for conseiller, status in zip((world.alice, world.chloe), CONSEILLER_ACCESS[name], strict=True):
        response = client.get(f"/pilotage/conseillers/{conseiller.pk}/statistiques/")
        assert response.status_code == status, (name, conseiller)
        if status == 200:
            html = response.content.decode()
            expected = since_launch(StatsScope.conseiller(conseiller.pk))
            assert tiles(html) == expected_tiles(expected)
            assert f"{conseiller.prenom} {conseiller.nom}" in html


def test_the_fiche_is_one_click_away_and_the_downloads_are_at_the_bottom(world, cras, log_in):
    client = log_in("gestionnaire_villeurbanne")

    conseiller = client.get(f"/pilotage/conseillers/{world.alice.pk}/statistiques/").content.decode()
    structure = client.get(f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/").content.decode()

    assert f'href="/pilotage/conseillers/{world.alice.pk}/">Voir la fiche de Alice Arnaud</a>' in conseiller
    assert (
        f'href="/pilotage/structures/{world.villeurbanne.pk}/">Voir la fiche de la structure</a>' in structure
    )
    # As in the structures' guide, the downloads close the page, and say where the PDF will be.
    bas = conseiller[conseiller.index('id="telecharger-titre"') :]
    assert "Exporter en CSV" in bas and "Exporter en PDF" in bas
    assert 'il sera dans <a href="/exports/">Mes exports</a>' in " ".join(bas.split())


def test_a_structure_sees_only_the_cras_made_for_it(world, cras, log_in):
    url = f"/pilotage/conseillers/{world.denis.pk}/statistiques/"
    villeurbanne = log_in("gestionnaire_villeurbanne").get(url).content.decode()
    # Denis's individual CRA of January 2024 for Villeurbanne; not his workshop for the association.
    assert tiles(villeurbanne)[1] == "1" and tiles(villeurbanne)[2] == "0"
    assert 'name="structure"' not in villeurbanne


def test_the_employer_filter_of_a_conseiller_with_several_employers(world, cras, log_in):
    client = log_in("prefet_rhone")
    url = f"/pilotage/conseillers/{world.denis.pk}/statistiques/"

    html = client.get(url).content.decode()
    assert tiles(html)[1] == "7"
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html)
    assert options[0] == ("", "Toutes ses structures") and len(options) == 3

    html = client.get(url, {"structure": world.lyon_asso.pk}).content.decode()
    assert tiles(html)[1] == "6"
    html = client.get(url, {"structure": world.bourg.pk}).content.decode()
    assert "ne fait pas partie de ses employeurs" in unescape(html) and tiles(html)[1] == "7"


STRUCTURE_ACCESS = {
    "gestionnaire_villeurbanne": (200, 404),
    "gestionnaire_bourg": (404, 200),
    "prefet_rhone": (200, 404),
    "prefet_ain": (404, 200),
    "prefet_ara": (200, 200),
    "hub": (200, 200),
    "admin": (200, 200),
    "emma": (200, 200),  # the structures of the conseillers she coordinates
    "alice": (403, 403),
}


@pytest.mark.parametrize("name", ACCOUNTS)
def test_structure_statistics_follow_the_scope(world, cras, log_in, name):
    client = log_in(name)
    for structure, status in zip((world.villeurbanne, world.bourg), STRUCTURE_ACCESS[name], strict=True):
        response = client.get(f"/pilotage/structures/{structure.pk}/statistiques/")
        assert response.status_code == status, (name, structure)
        if status == 200:
            expected = since_launch(StatsScope.structure(structure.pk))
            assert tiles(response.content.decode()) == expected_tiles(expected)


def test_structure_statistics_count_the_former_conseillers_and_filter_by_place(world, cras, log_in):
    client = log_in("gestionnaire_villeurbanne")
    url = f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/"

    # Alice's two CRAs and Denis's CRA made while he worked there.
    assert tiles(client.get(url).content.decode())[1] == "3"
    assert tiles(client.get(url, {"code_postal": "69003"}).content.decode())[1] == "1"
    html = client.get(url, {"code_postal": "abc"}).content.decode()
    assert "Le code postal « abc » n'est pas valide" in unescape(html) and tiles(html)[1] == "3"


@pytest.mark.parametrize("name", ACCOUNTS)
def test_team_statistics_are_the_coordinateurs(world, cras, log_in, name):
    response = log_in(name).get("/pilotage/equipe/statistiques/")

    if name != "emma":
        assert response.status_code == 403
        return
    html = response.content.decode()
    expected = since_launch(StatsScope.equipe([world.alice.pk, world.chloe.pk, world.emma.pk]))
    assert tiles(html) == expected_tiles(expected)
    assert tiles(html)[1] == "4"


@pytest.mark.parametrize("name", ACCOUNTS)
def test_territory_statistics_are_open_to_every_role(world, cras, log_in, name):
    client = log_in(name)
    for maille, code, scope in (
        ("departement", "69", StatsScope.departement("69")),
        ("departement", "2A", StatsScope.departement("2A")),
        ("region", "84", StatsScope.region("84")),
        ("hub", str(world.hub_ara.pk), StatsScope.hub(world.hub_ara.pk)),
    ):
        response = client.get(f"/pilotage/territoires/{maille}/{code}/")
        assert response.status_code == 200
        # The activity first, then the conseillers of the territory.
        assert tiles(response.content.decode())[:6] == expected_tiles(since_launch(scope))


def test_a_hub_and_a_region_count_the_sum_of_their_departements(
    world, cras, log_in, django_assert_num_queries
):
    client = log_in("alice")
    hub = world.hub_ara
    assert set(hub.departements.values_list("region", flat=True)) == {"84"}
    hub_url = f"/pilotage/territoires/hub/{hub.pk}/"
    with django_assert_num_queries(13):
        html = unescape(client.get(hub_url).content.decode())

    # By hand: Rhône 5 CRA (Alice ×2, Denis ×2 of which a workshop of 6, Emma) = 10 accompagnements, Ain
    # Chloé's one: 11 personnes, 1 atelier, 5 individuels. Conseillers today: Rhône 4 recrutés (Alice,
    # Bruno, Denis, Emma), 2 activés, dotation 3 (Villeurbanne) + 2 (Lyon); Ain 1 recrutée activée,
    # dotation 2.
    assert "Hinaura" in html and "ceux faits pour les structures des départements du hub" in html
    # A conseiller's fil d'Ariane starts from his Espace Coop, not from the pilotage he may not open.
    assert 'href="/coop/"' in html and 'href="/pilotage/"' not in html
    assert 'href="/pilotage/territoires/?maille=departement"' in html
    assert tiles(html) == ["11", "11", "1", "5", "0", "0"] + ["7", "5", "3", "2", "60 %"]
    rows = dict(re.findall(r'territoires/departement/(\w+)/">[^<]*</a></th>(.*?)</tr>', html, re.S))
    assert len(rows) == hub.departements.count()
    cells = {code: re.findall(r'fr-cell--right">([^<]*)<', row) for code, row in rows.items()}
    assert cells["69"] == ["5", "10", "5", "4", "2", "2", "50\xa0%"]
    assert cells["01"] == ["1", "1", "2", "1", "1", "0", "100\xa0%"]
    total = re.search(r'<th scope="row">Total</th>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'fr-cell--right">([^<]*)<', total) == ["6", "11", "7", "5", "3", "2", "60\xa0%"]

    # The région has the same départements here: the same figures.
    region = unescape(client.get("/pilotage/territoires/region/84/").content.decode())
    assert tiles(region) == tiles(html)


def test_every_statistics_page_and_its_csv_say_which_cras_they_count(world, cras, log_in):
    client = log_in("gestionnaire_villeurbanne")
    url = f"/pilotage/conseillers/{world.denis.pk}/statistiques/"
    expected = "CRA comptés : seuls ceux faits pour la structure « Mairie de Villeurbanne »"

    assert expected in unescape(client.get(url).content.decode())
    lines = client.get(url, {"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith(expected)
    team = unescape(log_in("emma").get("/pilotage/equipe/statistiques/").content.decode())
    assert "CRA comptés : ceux des 3 conseillers de l'équipe, coordinateur compris" in team
    # The prefet reads Denis's CRAs for all his employers, or for one.
    html = unescape(log_in("prefet_rhone").get(url, {"structure": world.lyon_asso.pk}).content.decode())
    assert "seuls ceux faits pour la structure « Association Lyon Numérique »" in html


@pytest.mark.parametrize(
    "name, cras_offered", [("hub", True), ("prefet_ara", True), ("prefet_rhone", False), ("admin", True)]
)
def test_the_cras_of_a_hub_are_offered_to_the_roles_covering_it(world, log_in, name, cras_offered):
    html = log_in(name).get(f"/pilotage/territoires/hub/{world.hub_ara.pk}/").content.decode()

    assert ('value="cra"' in html) == cras_offered


def test_a_conseiller_exports_a_territorys_figures_not_its_cras(
    world, cras, log_in, django_capture_on_commit_callbacks
):
    client = log_in("alice")
    url = f"/pilotage/territoires/hub/{world.hub_ara.pk}/"

    assert 'value="cra"' not in client.get(url).content.decode()
    assert client.post(url, {"export": "cra"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"export": "pdf"}).status_code == 302
    export = Export.objects.get()
    assert (export.etat, export.parametres["cras_comptes"]) == (
        Export.Etat.TERMINE,
        "CRA comptés : ceux faits pour les structures des départements du hub.",
    )


@pytest.mark.parametrize(
    "path", ["departement/99", "region/99", "commune/69", "departement/<b>", "hub/999999", "hub/hinaura"]
)
def test_an_unknown_territory_is_a_404(world, log_in, path):
    assert log_in("admin").get(f"/pilotage/territoires/{path}/").status_code == 404


@pytest.mark.parametrize("name", ACCOUNTS)
def test_national_statistics_are_open_to_every_role(world, cras, log_in, name):
    response = log_in(name).get("/pilotage/national/")

    assert response.status_code == 200
    html = response.content.decode()
    assert tiles(html)[:6] == expected_tiles(since_launch(StatsScope.national()))
    assert tiles(html)[1] == "11"
    assert "Données mises à jour le" in html
    # The country's conseillers and dotation today, then région by région: every structure of the world
    # is in the hub's départements (test below), so the same figures.
    assert tiles(html)[6:] == ["7", "5", "3", "2", "60 %"]
    assert 'href="/pilotage/territoires/region/84/">Auvergne-Rhône-Alpes (84)</a>' in html


def test_a_wrong_period_on_a_pilotage_page_gives_a_message(world, cras, log_in):
    html = log_in("admin").get("/pilotage/national/", {"du": "2025-02-30", "au": "demain"}).content.decode()

    assert "La date de début n'existe pas" in unescape(html)
    assert "La date de fin n'est pas une date valide" in unescape(html)
    assert tiles(html)[1] == "11"


# The territory table.


def rows(html):
    """(code, nom) of each row of the territory table."""
    return re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<th scope=\"row\"[^>]*>([^<]*)</th>", html)


@pytest.mark.parametrize("name", ACCOUNTS)
def test_the_territory_table_is_open_to_every_role(world, log_in, name):
    response = log_in(name).get("/pilotage/territoires/")

    assert response.status_code == 200


def test_the_territory_table_lists_every_departement_or_region(world, cras, log_in):
    client = log_in("prefet_rhone")

    html = client.get("/pilotage/territoires/").content.decode()
    assert len(rows(html)) == Departement.objects.count()
    assert 'href="/pilotage/territoires/departement/69/"' in html
    rhone = re.search(r"<td>69</td>(.*?)</tr>", html, re.S).group(1)
    # 5 CRAs (Alice ×2, Denis ×2, Emma), dotation 5, 4 recrutés, 2 activés, 2 en attente.
    cells = re.findall(r'fr-cell--right">([^<]*)<', rhone)
    assert cells[0] == "5" and cells[3:] == ["5", "4", "2", "2", "50&nbsp;%"]

    html = client.get("/pilotage/territoires/", {"maille": "region"}).content.decode()
    assert len(rows(html)) == Region.objects.count()
    assert 'href="/pilotage/territoires/region/84/"' in html
    assert "Total (19 régions)" in html


def test_the_territory_table_sorts_searches_and_keeps_its_parameters(world, cras, log_in):
    client = log_in("admin")

    html = client.get("/pilotage/territoires/", {"tri": "-cra"}).content.decode()
    assert [code for code, _nom in rows(html)[:2]] == ["69", "01"]
    assert 'aria-sort="descending"' in html
    html = client.get("/pilotage/territoires/", {"tri": "nom"}).content.decode()
    assert rows(html)[0] == ("01", "Ain")

    html = client.get("/pilotage/territoires/", {"tri": "-nom"}).content.decode()
    noms = [nom for _code, nom in rows(html)]
    assert noms[-1] == "Ain" and noms.index("Ardennes") == noms.index("Ardèche") - 1  # accents do not count

    html = client.get("/pilotage/territoires/", {"q": "rhone", "periode": "12_mois"}).content.decode()
    assert rows(html) == [("13", "Bouches-du-Rhône"), ("69", "Rhône")]
    assert "?maille=departement&amp;q=rhone&amp;du=" in html  # the sort links keep the search and period
    assert rows(client.get("/pilotage/territoires/", {"q": " 2a "}).content.decode()) == [
        ("2A", "Corse-du-Sud")
    ]

    html = client.get("/pilotage/territoires/", {"q": ".*(<script>"}).content.decode()
    assert rows(html) == [] and "&lt;script&gt;" in html and "<script>" not in html.split("</header>")[1]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"tri": "siret"}, "Le tri « siret » n'existe pas"),
        ({"maille": "commune"}, "La maille « commune » n'existe pas"),
        ({"du": "2019-01-01"}, "La date de début doit être comprise"),
    ],
)
def test_wrong_parameters_of_the_territory_table_give_a_message(world, log_in, params, message):
    response = log_in("hub").get("/pilotage/territoires/", params)

    assert response.status_code == 200
    assert message in unescape(response.content.decode())


# Query counts: the same whatever the amount of data.


def _more_data(world):
    with recompute_once():
        for departement in Departement.objects.all()[:20]:
            conseiller = ConseillerFactory(structure=StructureFactory(departement=departement))
            make_cra(conseiller, date=TODAY)
        for day in range(1, 6):
            make_cra(world.alice, date=datetime.date(2024, 3, day), redirections=(("caf", 1),))
            make_cra(world.denis, date=datetime.date(2024, 1, day), structure=world.villeurbanne)


@pytest.mark.parametrize(
    "name, path, most",
    [
        ("prefet_rhone", "/pilotage/conseillers/{alice}/statistiques/", 9),
        ("prefet_rhone", "/pilotage/conseillers/{denis}/statistiques/", 9),
        ("gestionnaire_villeurbanne", "/pilotage/structures/{villeurbanne}/statistiques/", 9),
        ("emma", "/pilotage/equipe/statistiques/", 9),
        # A territory adds its conseillers and dotation by département (stats.territoires: six queries).
        ("hub", "/pilotage/territoires/departement/69/", 14),
        ("hub", "/pilotage/territoires/region/84/", 14),
        ("alice", "/pilotage/territoires/hub/{hub}/", 14),
        # The country adds them by région (no département to read: three fewer).
        ("alice", "/pilotage/national/", 12),
        # The table and the list of the hubs.
        ("admin", "/pilotage/territoires/?maille=departement", 10),
        ("admin", "/pilotage/territoires/?maille=region&tri=-taux_activation", 10),
    ],
)
def test_query_counts_do_not_depend_on_the_data(world, cras, log_in, name, path, most):
    client = log_in(name)
    url = path.format(
        alice=world.alice.pk, denis=world.denis.pk, villeurbanne=world.villeurbanne.pk, hub=world.hub_ara.pk
    )
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _more_data(world)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before) <= most, [query["sql"] for query in after]
