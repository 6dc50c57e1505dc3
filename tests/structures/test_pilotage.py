"""/pilotage/structures/ (the structures of a scope) and /pilotage/structures/<id>/ (a structure's fiche)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import invitation_send, role_grant
from conseillers.enums import StatutConseiller
from structures.enums import StatutStructure, TypeStructure
from structures.filters import COLONNES_STRUCTURES
from tests.accounts.factories import UserFactory
from tests.conseillers.factories import ConseillerFactory
from tests.conseillers.pages import first_cells, log_in_as, make_world_cras, messages, options, rows, text
from tests.stats.factories import make_atelier, make_cra, recompute_once
from tests.structures.factories import StructureFactory

VILLEURBANNE, LYON = "Mairie de Villeurbanne", "Association Lyon Numérique"
BOURG = "Mairie de Bourg-en-Bresse"
ALL = {VILLEURBANNE, LYON, BOURG}
LIST_SCOPES = {
    "prefet_rhone": {VILLEURBANNE, LYON},
    "prefet_ain": {BOURG},
    "prefet_ara": ALL,
    "hub": ALL,
    "admin": ALL,
    "emma": ALL,  # the current structures of Emma, Alice and Chloé
}
# (account) -> status of the fiches of Villeurbanne and Bourg.
FICHE_ACCESS = {
    "gestionnaire_villeurbanne": (200, 404),
    "gestionnaire_bourg": (404, 200),
    "prefet_rhone": (200, 404),
    "prefet_ain": (404, 200),
    "prefet_ara": (200, 200),
    "hub": (200, 200),
    "admin": (200, 200),
    "emma": (200, 200),
    "alice": (403, 403),
}


@pytest.fixture
def log_in(world, login_as):
    return lambda name: log_in_as(world, login_as, name)


def fiche(structure):
    return f"/pilotage/structures/{structure.pk}/"


def definition(html: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return text(match.group(1))


# --- The list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIST_SCOPES))
def test_the_list_shows_the_structures_of_the_scope_only(world, log_in, name):
    response = log_in(name).get("/pilotage/structures/")

    assert response.status_code == 200
    html = response.content.decode()
    assert set(first_cells(html)) == LIST_SCOPES[name]
    for structure in (world.villeurbanne, world.lyon_asso, world.bourg):
        assert (fiche(structure) in html) == (structure.nom in LIST_SCOPES[name])


@pytest.mark.parametrize("name", sorted(LIST_SCOPES))
def test_every_statistics_link_of_the_list_opens(world, log_in, name):
    client = log_in(name)
    html = client.get("/pilotage/structures/").content.decode()

    links = re.findall(r'href="(/pilotage/structures/\d+/statistiques/)"', html)
    assert len(links) == len(LIST_SCOPES[name])
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("name", ["gestionnaire_villeurbanne", "gestionnaire_bourg"])
def test_a_structure_is_sent_to_its_own_fiche(world, log_in, name):
    response = log_in(name).get("/pilotage/structures/")

    own = world.villeurbanne if name == "gestionnaire_villeurbanne" else world.bourg
    assert response.status_code == 302 and response.url == fiche(own)


def test_a_conseiller_may_not_open_the_structures(world, log_in):
    assert log_in("alice").get("/pilotage/structures/").status_code == 403


def test_the_columns_of_the_list(world, log_in):
    ConseillerFactory(structure=world.villeurbanne, statut=StatutConseiller.RUPTURE)  # not in post

    html = log_in("admin").get("/pilotage/structures/", {"q": "villeurbanne"}).content.decode()

    headers = [text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)]
    assert headers == [*(c.label for c in COLONNES_STRUCTURES), "Actions"]
    assert rows(html) == [
        [VILLEURBANNE, world.villeurbanne.siret, "Villeurbanne", "69 – Rhône", "Commune"]
        + ["Validée en comité de sélection", "3", "2"]  # dotation 3, Alice and Bruno in post
        + ["0", "0", f"Statistiques de {VILLEURBANNE}"]  # no CRA yet
    ]
    assert f'<a class="cnfs-row__link" href="{fiche(world.villeurbanne)}">' in html
    assert f'href="/pilotage/structures/{world.villeurbanne.pk}/statistiques/"' in html
    assert 'href="/pilotage/" ' in html and 'href="/pilotage/structures/" aria-current="page"' in html


def test_the_cras_and_people_of_each_structure_over_the_period(world, log_in):
    """The CRAs made for each structure (Denis's first one for Villeurbanne, before he left) and the people
    they accompanied; the statistics link keeps the period."""
    with recompute_once():
        make_cra(world.denis, date=datetime.date(2024, 1, 15), structure=world.villeurbanne)
        make_atelier(
            world.alice, participants=9, nb_participants_recurrents=4, date=datetime.date(2024, 3, 5)
        )
        make_cra(world.denis, date=datetime.date(2024, 4, 2), structure=world.lyon_asso)
    client = log_in("prefet_ara")
    period = {"du": "2024-01-01", "au": "2024-03-31"}

    html = client.get("/pilotage/structures/", period).content.decode()

    assert {row[0]: row[-3:-1] for row in rows(html)} == {
        VILLEURBANNE: ["2", "6"],  # Denis's one person, Alice's 9 participants of whom 4 came before
        LYON: ["0", "0"],  # Denis's CRA for the association is in April
        BOURG: ["0", "0"],
    }
    assert "CRA saisis du 01/01/2024 au 31/03/2024" in html
    assert (
        f'/pilotage/structures/{world.villeurbanne.pk}/statistiques/?du=2024-01-01&amp;au=2024-03-31"' in html
    )
    html = client.get("/pilotage/structures/", {**period, "tri": "-cra"}).content.decode()
    assert first_cells(html)[0] == VILLEURBANNE


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"statut": StatutStructure.ABANDON}, {LYON}),
        ({"type": TypeStructure.PRIVATE}, {LYON}),
        ({"departement": "01"}, {BOURG}),
        ({"region": "84"}, ALL),
        ({"departement": "69", "type": TypeStructure.COMMUNE}, {VILLEURBANNE}),
        ({"q": "mairie"}, {VILLEURBANNE, BOURG}),
        ({"q": "MAIRIE bourg"}, {BOURG}),
    ],
)
def test_the_filters_and_the_search(world, log_in, params, expected):
    world.lyon_asso.statut, world.lyon_asso.type = StatutStructure.ABANDON, TypeStructure.PRIVATE
    world.lyon_asso.save()

    html = log_in("admin").get("/pilotage/structures/", params).content.decode()

    assert set(first_cells(html)) == expected
    assert messages(html) == []


def test_the_search_by_siret_and_by_id(world, log_in):
    client = log_in("admin")
    siret = world.bourg.siret

    assert first_cells(client.get("/pilotage/structures/", {"q": siret}).content.decode()) == [BOURG]
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    assert first_cells(client.get("/pilotage/structures/", {"q": spaced}).content.decode()) == [BOURG]
    by_id = client.get("/pilotage/structures/", {"q": str(world.lyon_asso.pk)}).content.decode()
    assert first_cells(by_id) == [LYON]


@pytest.mark.parametrize("q", [".*", "(", "' OR 1=1 --", "%", "_", "<script>alert(1)</script>", "1" * 30])
def test_hostile_searches_are_plain_text(world, log_in, q):
    response = log_in("admin").get("/pilotage/structures/", {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert first_cells(html) == []
    assert "Aucune structure ne correspond à ces critères" in html
    assert "<script>alert" not in html


def test_the_territory_filters_offer_the_scope_only(world, log_in):
    client = log_in("prefet_ain")
    html = client.get("/pilotage/structures/").content.decode()
    assert options(html, "departement") == ["01"] and options(html, "region") == ["84"]

    html = client.get("/pilotage/structures/", {"departement": "69"}).content.decode()
    assert first_cells(html) == [BOURG]
    assert messages(html)[0].startswith("Département : Sélectionnez un choix valide.")


@pytest.mark.parametrize("colonne", [c.cle for c in COLONNES_STRUCTURES])
@pytest.mark.parametrize("sens", ["", "-"])
def test_every_column_sorts_both_ways(world, log_in, colonne, sens):
    html = log_in("admin").get("/pilotage/structures/", {"tri": f"{sens}{colonne}"}).content.decode()

    assert messages(html) == []
    assert set(first_cells(html)) == ALL
    assert re.search(rf'<th scope="col" aria-sort="{"descending" if sens else "ascending"}">', html)


@pytest.mark.parametrize(
    ("tri", "expected"),
    [
        ("nom", [LYON, BOURG, VILLEURBANNE]),
        ("-nom", [VILLEURBANNE, BOURG, LYON]),
        ("departement", [BOURG, LYON, VILLEURBANNE]),  # 01 then 69, by name among equals
        ("-dotation", [VILLEURBANNE, LYON, BOURG]),  # 3, then 2 and 2 by name
        ("-recrutes", [LYON, VILLEURBANNE, BOURG]),  # Denis and Emma, Alice and Bruno, then Chloé
        ("recrutes", [BOURG, LYON, VILLEURBANNE]),
    ],
)
def test_the_sort_orders(world, log_in, tri, expected):
    html = log_in("admin").get("/pilotage/structures/", {"tri": tri}).content.decode()
    assert first_cells(html) == expected


def test_an_unknown_sort_keeps_the_default_order_with_a_message(world, log_in):
    html = log_in("admin").get("/pilotage/structures/", {"tri": "-siret,secret"}).content.decode()

    assert first_cells(html) == [LYON, BOURG, VILLEURBANNE]
    assert messages(html) == ["Le tri « secret » n'existe pas : la liste garde son ordre habituel."]


def test_fifty_per_page_and_the_links_keep_the_filters(world, log_in):
    for n in range(53):
        StructureFactory(nom=f"Commune {n:02d}", type=TypeStructure.EPCI)
    client = log_in("admin")

    html = client.get("/pilotage/structures/", {"type": "EPCI", "tri": "-nom"}).content.decode()
    assert len(rows(html)) == 50 and first_cells(html)[0] == "Commune 52"
    assert 'href="?type=EPCI&amp;tri=-nom&amp;page=2"' in html

    html = client.get("/pilotage/structures/", {"type": "EPCI", "tri": "-nom", "page": 2}).content.decode()
    assert first_cells(html) == ["Commune 02", "Commune 01", "Commune 00"]


def test_the_list_makes_the_same_queries_for_one_or_many_structures(world, log_in):
    client = log_in("prefet_ara")

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/pilotage/structures/", params).status_code == 200
        return len(queries)

    # session, user, roles of the user; count of the structures, their page with their département,
    # conseillers recrutés, CRAs and people (subqueries); the départements and régions of the filters
    assert count({}) == 7
    assert count({"tri": "-recrutes", "q": "mairie", "region": "84"}) == 8  # + the région asked, checked
    with recompute_once():
        for _ in range(30):
            structure = StructureFactory()
            make_cra(ConseillerFactory(structure=structure), structure=structure)
    assert count({}) == 7
    assert count({"tri": "-recrutes", "q": "mairie", "region": "84"}) == 8


# --- The fiche ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FICHE_ACCESS))
def test_the_fiche_follows_the_scope(world, log_in, name):
    client = log_in(name)
    for structure, status in zip((world.villeurbanne, world.bourg), FICHE_ACCESS[name], strict=True):
        response = client.get(fiche(structure))
        assert response.status_code == status, (name, structure)
        if status == 200:
            html = response.content.decode()
            assert f"<h1>{structure.nom}</h1>" in html
            other = world.bourg if structure == world.villeurbanne else world.villeurbanne
            assert other.siret not in html and other.nom not in html


def test_an_unknown_structure_is_a_404(world, log_in):
    assert log_in("admin").get("/pilotage/structures/999999/").status_code == 404


def test_the_fiche_shows_the_structure_its_dotation_and_its_conseillers(world, log_in):
    structure = world.villeurbanne
    structure.contact_prenom, structure.contact_nom = "Jean", "Dupont"
    structure.contact_email = "j.dupont@villeurbanne.fr"
    structure.reseau, structure.qpv = "Emmaüs Connect", True
    structure.save()
    make_world_cras(world)

    html = log_in("prefet_rhone").get(fiche(structure)).content.decode()

    assert definition(html, "SIRET") == structure.siret
    assert definition(html, "Commune") == "Villeurbanne (69266)"
    assert definition(html, "Région") == "Auvergne-Rhône-Alpes"
    assert definition(html, "Quartier prioritaire de la ville") == "Oui"
    assert definition(html, "Zone de revitalisation rurale") == "Non"
    assert definition(html, "Réseau") == "Emmaüs Connect"
    assert definition(html, "Prénom") == "Jean" and 'href="mailto:j.dupont@villeurbanne.fr"' in html
    # Dotation 3, Alice and Bruno in post: one post to fill.
    assert re.findall(r'cnfs-key-figure__value">([^<]*)<', html) == ["3", "2", "1"]
    assert first_cells(html, "table-conseillers-actuels") == ["Alice", "Bruno"]
    assert first_cells(html, "table-conseillers-anciens") == ["Denis"]
    # Denis's CRAs for this structure only, and his statistics for it.
    assert rows(html, "table-conseillers-anciens")[0][6:8] == ["1", "15/01/2024"]
    assert f'href="/pilotage/conseillers/{world.denis.pk}/statistiques/?structure={structure.pk}"' in html
    assert f'href="/pilotage/structures/{structure.pk}/statistiques/">Voir les statistiques' in html


def test_the_fil_d_ariane_of_the_fiche_leads_back_to_the_list(world, log_in):
    html = log_in("prefet_rhone").get(fiche(world.villeurbanne)).content.decode()

    fil = re.search(r'<nav[^>]*class="fr-breadcrumb[ "].*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a class="fr-breadcrumb__link" ([^>]*)>([^<]*)</a>', fil) == [
        ('href="/accounts/accueil/"', "Accueil"),
        ('href="/pilotage/"', "Tableau de pilotage"),
        ('href="/pilotage/structures/"', "Structures"),
        ('aria-current="page"', VILLEURBANNE),
    ]


def test_its_own_users_see_its_accounts_and_may_invite(world, log_in):
    colleague = UserFactory(email="jamais@villeurbanne.fr")
    role_grant(user=colleague, kind=RoleKind.STRUCTURE, structure=world.villeurbanne)

    html = log_in("gestionnaire_villeurbanne").get(fiche(world.villeurbanne)).content.decode()

    table = html[html.index('id="table-comptes"') :]
    lines = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", table[: table.index("</table>")], re.S)[1:]]
    today = timezone.localdate().strftime("%d/%m/%Y")
    # Logged in by the test client today; the colleague never.
    assert lines[0].startswith(f"gestion@villeurbanne.fr Camille Martin {today} à ")
    assert lines[1] == "jamais@villeurbanne.fr Camille Martin Jamais connecté"
    assert 'href="/accounts/inviter/">Inviter un collaborateur' in html
    assert "gestion@bourg.fr" not in html


@pytest.mark.parametrize(
    ("name", "sees_accounts"), [("prefet_rhone", True), ("admin", True), ("emma", False)]
)
def test_who_sees_the_accounts_of_a_structure(world, log_in, name, sees_accounts):
    html = log_in(name).get(fiche(world.villeurbanne)).content.decode()

    assert ("gestion@villeurbanne.fr" in html) == sees_accounts
    assert "Inviter un collaborateur" not in html


def test_a_coordinateur_sees_only_the_conseillers_he_coordinates(world, log_in):
    html = log_in("emma").get(fiche(world.villeurbanne)).content.decode()

    assert first_cells(html) == ["Alice"]
    assert world.bruno.email_pro not in html and world.denis.email_pro not in html


def test_the_fiche_makes_the_same_queries_for_a_small_or_a_large_structure(world, log_in):
    client = log_in("gestionnaire_villeurbanne")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(fiche(world.villeurbanne)).status_code == 200
        return len(queries)

    # session, user, roles of the user; the structure with its territory and its conseillers recrutés;
    # its conseillers (CRAs and departures in subqueries); its accounts; its pending invitations
    assert count() == 7
    for _ in range(20):
        ConseillerFactory(structure=world.villeurbanne)
        role_grant(user=UserFactory(), kind=RoleKind.STRUCTURE, structure=world.villeurbanne)
        invitation_send(
            user=UserFactory(), invited_by=None, kind=RoleKind.STRUCTURE, structure=world.villeurbanne
        )
    assert count() == 7
