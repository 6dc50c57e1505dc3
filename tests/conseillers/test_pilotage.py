"""/pilotage/: a structure's own conseillers (current, then former ones, with its CRAs only), and the
searchable, filterable, sortable list of the conseillers of a préfet, a hub, a coordinateur or the admin."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.enums import RoleKind
from accounts.services import role_grant
from conseillers.enums import StatutConseiller
from conseillers.filters import COLONNES_CONSEILLERS
from structures.enums import TypeStructure
from structures.models import Departement
from tests.accounts.factories import UserFactory
from tests.conseillers.factories import ConseillerFactory, ContratFactory
from tests.conseillers.pages import EVERYONE, log_in_as, make_world_cras, messages, options, rows, text
from tests.conseillers.pages import first_cells as prenoms
from tests.stats.factories import make_cra, recompute_once
from tests.structures.factories import StructureFactory


@pytest.fixture
def log_in(world, login_as):
    return lambda name: log_in_as(world, login_as, name)


@pytest.fixture
def cras(world):
    make_world_cras(world)


# --- Who sees what -----------------------------------------------------------------------------------------

SCOPES = {
    "gestionnaire_villeurbanne": {"Alice", "Bruno", "Denis"},  # Denis left it in 2024
    "gestionnaire_bourg": {"Chloé", "Fabrice"},  # Fabrice broke his contract
    "prefet_rhone": {"Alice", "Bruno", "Denis", "Emma"},
    "prefet_ain": {"Chloé", "Fabrice"},
    "prefet_ara": EVERYONE,
    "hub": EVERYONE,
    "admin": EVERYONE,
    "emma": {"Alice", "Chloé", "Emma"},  # Alice explicitly, the Ain by département, herself
}


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_the_home_lists_the_conseillers_of_the_scope_only(world, log_in, name):
    response = log_in(name).get("/pilotage/")

    assert response.status_code == 200
    html = response.content.decode()
    assert set(prenoms(html)) == SCOPES[name]
    for other in EVERYONE - SCOPES[name]:
        conseiller = next(c for c in world.__dict__.values() if getattr(c, "prenom", None) == other)
        assert conseiller.email_pro not in html
        assert f"/pilotage/conseillers/{conseiller.pk}/" not in html


def test_a_conseiller_may_not_open_the_pilotage(world, log_in):
    assert log_in("alice").get("/pilotage/").status_code == 403


# --- A structure's home, as in its guide ----------------------------------------------------------------


def test_a_structure_sees_its_current_conseillers_first_then_its_former_ones(world, log_in):
    html = log_in("gestionnaire_villeurbanne").get("/pilotage/").content.decode()

    assert prenoms(html, "table-conseillers-actuels") == ["Alice", "Bruno"]
    assert prenoms(html, "table-conseillers-anciens") == ["Denis"]
    assert html.index('id="table-conseillers-actuels"') < html.index('id="table-conseillers-anciens"')
    # Prénom, Nom, E-mail, Statut (his departure for a former one), Activé, CCP1, CRA, dernier CRA, actions.
    alice, bruno = rows(html, "table-conseillers-actuels")
    assert alice[:4] == ["Alice", "Arnaud", "alice.arnaud@conseiller-numerique.fr", "En activité"]
    assert alice[4:6] == ["Activé", "Certifié"]
    assert bruno[4:6] == ["en attente d'activation", "Non certifié"]
    assert rows(html, "table-conseillers-anciens")[0][3] == "Départ le 01/03/2024"
    assert 'name="q"' not in html  # the guide's simple list: no search nor filters


def test_each_row_is_a_link_to_the_statistics_with_detail_and_statistics(world, log_in):
    html = log_in("gestionnaire_villeurbanne").get("/pilotage/").content.decode()
    pk = world.alice.pk

    # As the structures' guide has it, a row opens the conseiller's statistics: a real link in the row
    # header (keyboard, screen readers), stretched over the row by CSS; the page says so.
    fiche = f"/pilotage/conseillers/{pk}/"
    assert f'<a class="cnfs-row__link" href="{fiche}statistiques/">Alice</a>' in html
    assert "Cliquez sur une ligne pour afficher les statistiques du conseiller" in html
    assert f'href="{fiche}">Détail<span class="fr-sr-only"> de Alice Arnaud</span>' in html
    assert f'href="{fiche}statistiques/">Statistiques<span class="fr-sr-only"> de Alice Arnaud' in html
    # The check and the crosses carry a text for screen readers.
    assert 'fr-icon-close-circle-fill fr-text-default--error" aria-hidden="true"' in html


def test_a_structure_counts_only_the_cras_made_for_it(world, cras, log_in):
    structure = log_in("gestionnaire_villeurbanne").get("/pilotage/").content.decode()
    prefet = log_in("prefet_rhone").get("/pilotage/").content.decode()

    denis = rows(structure, "table-conseillers-anciens")[0]
    assert denis[6:8] == ["1", "15/01/2024"]
    assert next(r for r in rows(prefet) if r[0] == "Denis")[7:9] == ["3", "03/05/2024"]
    assert next(r for r in rows(prefet) if r[0] == "Alice")[7:9] == ["1", "01/06/2024"]


def test_the_cra_columns_follow_the_period(world, cras, log_in):
    period = {"du": "2024-02-01", "au": "2024-04-30"}
    structure = log_in("gestionnaire_villeurbanne").get("/pilotage/", period).content.decode()
    prefet = log_in("prefet_rhone").get("/pilotage/", period).content.decode()

    assert rows(structure, "table-conseillers-anciens")[0][6:8] == ["0", "Aucun"]
    assert next(r for r in rows(prefet) if r[0] == "Denis")[7:9] == ["1", "02/04/2024"]
    assert "du 01/02/2024 au 30/04/2024" in prefet
    # The statistics links keep the period.
    assert f"/pilotage/conseillers/{world.denis.pk}/statistiques/?du=2024-02-01&amp;au=2024-04-30" in prefet
    assert f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/?du=2024-02-01" in structure


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"du": "pas-une-date"}, "La date de début n'est pas une date valide (JJ/MM/AAAA)."),
        ({"du": "2024-05-01", "au": "2024-01-01"}, "La date de début doit précéder la date de fin"),
        ({"du": "2019-01-01"}, "La date de début doit être comprise entre le 17/11/2020"),
        ({"periode": "<script>"}, "Cette période n'existe pas"),
    ],
)
@pytest.mark.parametrize("name", ["gestionnaire_villeurbanne", "admin"])
def test_a_wrong_period_is_explained_and_the_default_one_kept(world, cras, log_in, name, params, message):
    response = log_in(name).get("/pilotage/", params)

    assert response.status_code == 200
    html = response.content.decode()
    assert any(m.startswith(message) for m in messages(html))
    # The CRA column counts since the launch: the structure's one CRA of Denis, or all three.
    assert next(r for r in rows(html) if r[0] == "Denis")[-3] == ("1" if name != "admin" else "3")
    assert "<script>" not in html.split("</header>", 1)[1]
    # The links of the page (presets, sort, pages) do not repeat the refused period.
    for value in params.values():
        assert f"={value}" not in html


def test_a_structure_has_links_to_its_statistics_invitations_and_the_territories(world, log_in):
    html = log_in("gestionnaire_villeurbanne").get("/pilotage/").content.decode()

    for href in (
        f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/",
        "/accounts/inviter/",
        "/pilotage/territoires/",
        "/pilotage/national/",
    ):
        assert f'href="{href}"' in html
    assert 'href="/pilotage/structures/"' not in html


def test_a_structure_with_no_conseiller_is_told_so(world, login_as):
    user = UserFactory()
    role_grant(user=user, kind=RoleKind.STRUCTURE, structure=StructureFactory())

    html = login_as(user).get("/pilotage/").content.decode()

    assert "Aucun conseiller" in html and 'class="cnfs-row"' not in html


def _hire(world, count, structure=None):
    """`count` more conseillers in post in Villeurbanne, each with a former contract elsewhere and CRAs."""
    structure = structure or world.villeurbanne
    with recompute_once():
        for n in range(count):
            conseiller = ConseillerFactory(structure=structure, nom=f"Zeta{n:03d}")
            ContratFactory(conseiller=conseiller, structure=world.bourg, date_debut=datetime.date(2021, 1, 1))
            make_cra(conseiller, date=datetime.date(2024, 3, 1 + n % 28))


def test_the_structure_home_makes_the_same_queries_for_one_or_many_conseillers(
    world, cras, log_in, django_assert_num_queries
):
    client = log_in("gestionnaire_villeurbanne")
    # session, user, roles of the user (with their structure); the conseillers of the structure with their
    # CRAs for it and their departure (one query: subqueries on the aggregates and the contracts)
    with django_assert_num_queries(4):
        client.get("/pilotage/")
    _hire(world, 12)
    with django_assert_num_queries(4):
        html = client.get("/pilotage/").content.decode()
    assert len(prenoms(html, "table-conseillers-actuels")) == 14


# --- The list of the other roles ------------------------------------------------------------------------


def test_the_list_has_the_structure_and_departement_columns_and_links(world, cras, log_in):
    html = log_in("prefet_rhone").get("/pilotage/").content.decode()

    headers = [text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)]
    assert headers == [*(c.label for c in COLONNES_CONSEILLERS), "Actions"]
    denis = next(r for r in rows(html) if r[0] == "Denis")
    # The e-mail is left to the fiche, for the list to fit a laptop's screen.
    assert denis[2:4] == ["Association Lyon Numérique", "69 – Rhône"]
    assert "@conseiller-numerique.fr" not in html.split('id="table-conseillers"', 1)[1]
    assert f'href="/pilotage/structures/{world.lyon_asso.pk}/"' in html
    assert 'href="/pilotage/structures/" aria-current' not in html and 'href="/pilotage/structures/"' in html
    assert 'href="/pilotage/territoires/"' in html and 'href="/pilotage/national/"' in html
    assert '/accounts/inviter/"' not in html.split("</header>", 1)[1]


def test_a_coordinateur_has_a_link_to_his_team_statistics(world, log_in):
    assert 'href="/pilotage/equipe/statistiques/"' in log_in("emma").get("/pilotage/").content.decode()


@pytest.mark.parametrize(
    ("name", "lien"),
    [
        ("hub", 'territoires/hub/{hub}/">Statistiques du hub'),
        ("prefet_rhone", 'territoires/departement/69/">Statistiques du département'),
        ("prefet_ara", 'territoires/region/84/">Statistiques de la région'),
    ],
)
def test_a_territory_role_has_a_link_to_its_territorys_statistics(world, log_in, name, lien):
    html = log_in(name).get("/pilotage/").content.decode()

    assert f'href="/pilotage/{lien.format(hub=world.hub_ara.pk)}' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"statut": StatutConseiller.RUPTURE}, {"Fabrice"}),
        ({"active": "oui"}, {"Alice", "Chloé", "Emma"}),
        ({"active": "non"}, {"Bruno", "Denis", "Fabrice"}),
        ({"certifie": "non"}, {"Bruno"}),
        ({"certifie": "oui"}, EVERYONE - {"Bruno"}),
        ({"coordinateur": "oui"}, {"Emma"}),
        ({"coordinateur": "non"}, EVERYONE - {"Emma"}),
        ({"departement": "01"}, {"Chloé"}),  # Fabrice has no structure any more
        ({"region": "84"}, EVERYONE - {"Fabrice"}),
        ({"type_structure": TypeStructure.PRIVATE}, {"Denis", "Emma"}),
        ({"type_structure": TypeStructure.PRIVATE, "active": "oui"}, {"Emma"}),
    ],
)
def test_the_filters(world, log_in, params, expected):
    world.lyon_asso.type = TypeStructure.PRIVATE
    world.lyon_asso.save()

    html = log_in("admin").get("/pilotage/", params).content.decode()

    assert set(prenoms(html)) == expected
    assert messages(html) == []
    for value in params.values():  # the form shows them
        assert f'<option value="{value}" selected>' in html


def test_the_territory_filters_offer_the_scope_only(world, log_in):
    client = log_in("prefet_rhone")
    html = client.get("/pilotage/").content.decode()

    assert options(html, "departement") == ["69"]
    assert options(html, "region") == ["84"]

    # Another département is refused with a message, and the list is the scope's.
    html = client.get("/pilotage/", {"departement": "01"}).content.decode()
    assert set(prenoms(html)) == SCOPES["prefet_rhone"]
    assert messages(html) == [
        "Département : Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("arnaud", {"Alice"}),
        ("ALICE", {"Alice"}),
        ("alice arnaud", {"Alice"}),
        ("bruno.blanc@", {"Bruno"}),
        ("Villeurbanne", {"Alice", "Bruno"}),  # the current structure's name
        ("lyon numérique", {"Denis", "Emma"}),
        ("chevalier bourg", {"Chloé"}),
    ],
)
def test_the_search(world, log_in, q, expected):
    assert set(prenoms(log_in("admin").get("/pilotage/", {"q": q}).content.decode())) == expected


def test_the_search_by_siret_and_by_id(world, log_in):
    client = log_in("admin")
    siret = world.bourg.siret

    assert set(prenoms(client.get("/pilotage/", {"q": siret}).content.decode())) == {"Chloé"}
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"  # typed as printed on a Kbis
    assert set(prenoms(client.get("/pilotage/", {"q": spaced}).content.decode())) == {"Chloé"}
    assert prenoms(client.get("/pilotage/", {"q": str(world.denis.pk)}).content.decode()) == ["Denis"]


HOSTILE = [
    ".*",
    "(",
    "[a-z]+",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "9" * 40,
    "é" * 100,
]


@pytest.mark.parametrize("q", [*HOSTILE, "é" * 100])
def test_hostile_searches_are_plain_text(world, log_in, q):
    response = log_in("admin").get("/pilotage/", {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert prenoms(html) == []
    assert "Aucun conseiller ne correspond à ces critères" in html
    assert "<script>alert" not in html
    if q.startswith("<"):
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_a_too_long_search_is_refused_with_a_message(world, log_in):
    html = log_in("admin").get("/pilotage/", {"q": "a" * 101}).content.decode()

    assert set(prenoms(html)) == EVERYONE
    assert messages(html) == [
        "Rechercher un conseiller : "
        "Assurez-vous que cette valeur comporte au plus 100 caractères (actuellement 101)."
    ]


@pytest.mark.parametrize("colonne", [c.cle for c in COLONNES_CONSEILLERS])
@pytest.mark.parametrize("sens", ["", "-"])
def test_every_column_sorts_both_ways(world, cras, log_in, colonne, sens):
    html = log_in("admin").get("/pilotage/", {"tri": f"{sens}{colonne}"}).content.decode()

    assert messages(html) == []
    assert set(prenoms(html)) == EVERYONE
    aria = "descending" if sens else "ascending"
    label = next(c.label for c in COLONNES_CONSEILLERS if c.cle == colonne)
    header = rf'<th scope="col" aria-sort="{aria}">\s*<a class="cnfs-sort-link" href="[^"]*">{label}'
    assert re.search(header, html)
    # The current column's link sorts the other way round.
    assert f'href="?tri={colonne if sens else f"-{colonne}"}"' in html


@pytest.mark.parametrize(
    ("tri", "expected"),
    [
        ("nom", ["Alice", "Bruno", "Chloé", "Denis", "Emma", "Fabrice"]),
        ("-nom", ["Fabrice", "Emma", "Denis", "Chloé", "Bruno", "Alice"]),
        ("-prenom", ["Fabrice", "Emma", "Denis", "Chloé", "Bruno", "Alice"]),
        ("-cra", ["Denis", "Alice", "Bruno", "Chloé", "Emma", "Fabrice"]),  # then by name
        ("cra", ["Bruno", "Chloé", "Emma", "Fabrice", "Alice", "Denis"]),
        ("dernier_cra", ["Denis", "Alice", "Bruno", "Chloé", "Emma", "Fabrice"]),  # none: last either way
        ("-dernier_cra", ["Alice", "Denis", "Bruno", "Chloé", "Emma", "Fabrice"]),
        ("-structure", ["Alice", "Bruno", "Chloé", "Denis", "Emma", "Fabrice"]),  # no structure: last
        ("certification", ["Alice", "Chloé", "Denis", "Emma", "Fabrice", "Bruno"]),
    ],
)
def test_the_sort_orders(world, cras, log_in, tri, expected):
    assert prenoms(log_in("admin").get("/pilotage/", {"tri": tri}).content.decode()) == expected


def test_an_unknown_sort_keeps_the_default_order_with_a_message(world, log_in):
    html = log_in("admin").get("/pilotage/", {"tri": "mot_de_passe"}).content.decode()

    assert prenoms(html) == ["Alice", "Bruno", "Chloé", "Denis", "Emma", "Fabrice"]
    assert messages(html) == ["Le tri « mot_de_passe » n'existe pas : la liste garde son ordre habituel."]
    assert "mot_de_passe" not in html.split('id="table-conseillers"', 1)[1]


def test_fifty_per_page_and_the_links_keep_the_filters_and_the_sort(world, log_in):
    _hire(world, 55)
    client = log_in("admin")
    params = {"statut": "RECRUTE", "tri": "-nom", "q": "zeta", "du": "2024-03-01", "au": "2024-03-31"}
    params["inconnu"] = "x"  # not a parameter of the page: the links drop it

    html = client.get("/pilotage/", params).content.decode()
    assert len(rows(html)) == 50
    assert rows(html)[0][1] == "Zeta054"
    assert "55 au total, page 1 sur 2" in html
    page_2 = re.search(r'href="\?([^"]*page=2)"', html).group(1)
    assert unescape(page_2) == "statut=RECRUTE&tri=-nom&q=zeta&du=2024-03-01&au=2024-03-31&page=2"
    # The sort links keep the filters and the period, not the page.
    assert 'href="?statut=RECRUTE&amp;q=zeta&amp;du=2024-03-01&amp;au=2024-03-31&amp;tri=prenom"' in html

    html = client.get("/pilotage/", {**params, "page": 2}).content.decode()
    assert [r[1] for r in rows(html)] == ["Zeta004", "Zeta003", "Zeta002", "Zeta001", "Zeta000"]
    assert all(r[7] == "1" for r in rows(html))


def test_the_list_makes_the_same_queries_for_one_or_many_conseillers(world, cras, log_in):
    client = log_in("admin")
    params = {"tri": "-cra", "q": "e", "active": "non", "departement": "69", "du": "2024-01-01"}

    def count(url_params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/pilotage/", url_params).status_code == 200
        return len(queries)

    # session, user, roles of the user; count of the conseillers, their page with their structure and
    # CRAs (subqueries on the aggregates); the départements and régions of the filters
    assert count({}) == 7
    # + the département asked, checked against the scope's
    assert count(params) == 8
    _hire(world, 60)
    assert count({}) == 7
    assert count(params) == 8


def test_a_current_structure_outside_the_territory_is_named_not_linked(world, log_in):
    # Chloé leaves Bourg for a structure of Paris: the préfet of the Ain still reads her, not her employer.
    paris = StructureFactory(nom="Médiathèque de Paris", departement=Departement.objects.get(code="75"))
    world.chloe.structure = paris
    world.chloe.save()

    html = log_in("prefet_ain").get("/pilotage/").content.decode()

    assert next(r for r in rows(html) if r[0] == "Chloé")[2] == "Médiathèque de Paris"
    assert f"/pilotage/structures/{paris.pk}/" not in html
    assert log_in("prefet_ain").get(f"/pilotage/structures/{paris.pk}/").status_code == 404
