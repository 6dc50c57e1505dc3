"""/coop/statistiques/: a conseiller's own statistics, through HTTP (SPEC §5, §6)."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from accounts.enums import RoleKind
from cnfs.socle.periode import DATE_LANCEMENT
from stats import formatting
from stats.charts import PAGE_ORDER
from stats.definitions import SECTIONS
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from tests.stats.factories import make_atelier, make_cra, recompute_once

URL = "/coop/statistiques/"
TODAY = timezone.localdate()
FIRST = TODAY.replace(day=1)
# The text of a key-figure tile's value.
TILE_VALUE = re.compile(r'cnfs-key-figure__value">([^<]*)<')


@pytest.fixture
def alice(world, login_as):
    return login_as(world.alice.user)


@pytest.fixture
def alice_cras(world):
    """Alice's CRAs this month: two individual ones, one workshop of 12 (2 already met), one redirection."""
    with recompute_once():
        make_cra(world.alice, date=TODAY, themes=("sante",), sous_themes=("espace_sante",))
        make_cra(world.alice, date=FIRST, redirections=(("caf", 1),), code_postal="69003")
        make_atelier(world.alice, participants=12, date=TODAY, nb_participants_recurrents=2)
        # Not counted by default: last year, and someone else's.
        make_cra(world.alice, date=FIRST - datetime.timedelta(days=400))
        make_cra(world.chloe, date=TODAY)


def tiles(html):
    return TILE_VALUE.findall(html)


def expected_tiles(stats):
    return [
        formatting.nombre(stats[key])
        for key in ("personnes", "accompagnements", "ateliers", "individuels", "ponctuels", "avec_suivi")
    ]


def test_the_page_shows_the_figures_of_the_statistics_module(world, alice, alice_cras):
    response = alice.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    stats = statistiques(StatsRequest(StatsScope.conseiller(world.alice.pk), FIRST, TODAY))
    assert tiles(html) == expected_tiles(stats)
    assert stats["cra"] == 3 and stats["personnes"] == 12
    assert "Alice Arnaud" in html and "<h1>Mes statistiques" in html
    for _key, title in SECTIONS:
        assert title in unescape(html)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == len(PAGE_ORDER)
    assert html.count("<table>") == len(PAGE_ORDER)
    assert "dont Mon espace santé" in html
    assert "Données mises à jour le" in html
    assert "Exporter en CSV" in html and "Exporter en PDF" in html
    # The charts come in the order of SPEC §6.
    positions = [html.index(f'id="graphique-{key.replace("_", "-")}"') for key in PAGE_ORDER]
    assert positions == sorted(positions)
    # The month's preset is the current one.
    assert re.search(r'<a class="fr-tag" href="\?periode=ce_mois" aria-current="true">', html)


def test_a_preset_and_typed_dates_change_the_period(world, alice, alice_cras):
    html = alice.get(URL, {"periode": "depuis_le_debut"}).content.decode()

    stats = statistiques(StatsRequest(StatsScope.conseiller(world.alice.pk), DATE_LANCEMENT, TODAY))
    assert tiles(html) == expected_tiles(stats)
    assert stats["cra"] == 4

    last_year = FIRST - datetime.timedelta(days=400)
    html = alice.get(
        URL, {"du": last_year.isoformat(), "au": last_year.strftime("%d/%m/%Y")}
    ).content.decode()
    assert tiles(html)[0] == "1"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"du": "2024-03-10", "au": "2024-03-01"}, "La date de début doit précéder la date de fin"),
        ({"du": "pas une date"}, "La date de début n'est pas une date valide"),
        ({"du": "29/02/2025"}, "La date de début n'existe pas"),
        ({"du": "2019-01-01"}, "La date de début doit être comprise entre le 17/11/2020"),
        ({"au": f"{TODAY + datetime.timedelta(days=3):%d/%m/%Y}"}, "La date de fin doit être comprise"),
        ({"periode": "toujours"}, "Cette période n'existe pas"),
    ],
)
def test_a_wrong_period_gives_a_message_and_the_default_period(world, alice, alice_cras, params, message):
    response = alice.get(URL, params)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="fr-alert fr-alert--warning' in html
    assert message in unescape(html)
    stats = statistiques(StatsRequest(StatsScope.conseiller(world.alice.pk), FIRST, TODAY))
    assert tiles(html) == expected_tiles(stats)
    assert f'name="du" value="{FIRST:%d/%m/%Y}"' in html


def test_the_code_postal_filter(world, alice, alice_cras):
    html = alice.get(URL, {"code_postal": "69003"}).content.decode()

    assert tiles(html)[1] == "1"  # one accompaniment in Lyon 3e
    assert 'name="code_postal" value="69003"' in html
    # The presets keep the filter.
    assert 'href="?periode=mois_dernier&amp;code_postal=69003"' in html

    html = alice.get(URL, {"code_postal": "69003", "code_commune": "69383"}).content.decode()
    assert tiles(html)[1] == "1"
    html = alice.get(URL, {"code_postal": "69003", "code_commune": "69266"}).content.decode()
    assert tiles(html)[1] == "0"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"code_postal": "6900"}, "Le code postal « 6900 » n&#x27;est pas valide"),
        ({"code_postal": "<b>x</b>"}, "Le code postal « &lt;b&gt;x&lt;/b&gt; »"),
        ({"code_commune": "69266"}, "Le code commune « 69266 » n&#x27;est pas valide"),
    ],
)
def test_a_wrong_place_is_dropped_with_a_message(world, alice, alice_cras, params, message):
    response = alice.get(URL, params)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert tiles(html)[1] == "14"  # every accompaniment of the month


def test_the_employer_filter_offers_his_own_employers_only(world, login_as):
    # Denis worked for Villeurbanne, then for the association.
    with recompute_once():
        make_cra(world.denis, date=TODAY, structure=world.villeurbanne)
        make_cra(world.denis, date=TODAY, structure=world.lyon_asso)
        make_cra(world.denis, date=TODAY, structure=world.lyon_asso)
        make_cra(world.alice, date=TODAY)
    user = world.denis.user or _account_for(world.denis)
    client = login_as(user)

    html = client.get(URL).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html)
    assert options == [
        ("", "Toutes mes structures"),
        (str(world.lyon_asso.pk), "Association Lyon Numérique"),
        (str(world.villeurbanne.pk), "Mairie de Villeurbanne"),
    ]
    assert tiles(html)[3] == "3"

    html = client.get(URL, {"structure": world.villeurbanne.pk}).content.decode()
    assert tiles(html)[3] == "1"
    assert f'<option value="{world.villeurbanne.pk}" selected>' in html

    # Another structure's id (Bourg, where Chloé works) is ignored: Denis sees his own CRAs, never Bourg's.
    make_cra(world.chloe, date=TODAY)
    for forged in (world.bourg.pk, "abc"):
        response = client.get(URL, {"structure": forged})
        assert response.status_code == 200
        html = response.content.decode()
        assert "ne fait pas partie de vos employeurs" in html
        assert tiles(html)[3] == "3"


def test_one_employer_only_has_no_employer_filter(world, alice, alice_cras):
    html = alice.get(URL).content.decode()

    assert 'name="structure"' not in html


def _account_for(conseiller):
    from accounts.services import conseiller_account_link

    return conseiller_account_link(conseiller=conseiller)


def test_a_coordinateur_sees_his_own_statistics(world, login_as):
    make_cra(world.emma, date=TODAY)
    make_cra(world.alice, date=TODAY)

    html = login_as(world.emma.user, RoleKind.COORDINATEUR).get(URL).content.decode()

    assert "Emma Etienne" in html and tiles(html)[1] == "1"


@pytest.mark.parametrize(
    "account", ["gestionnaire_villeurbanne", "prefet_rhone", "prefet_ara", "hub", "admin"]
)
def test_pilotage_roles_get_403(world, login_as, account):
    assert login_as(getattr(world, account)).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(URL)

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_query_count_does_not_depend_on_the_data(world, alice, alice_cras, django_assert_num_queries):
    # 1. session  2. user  3. the account's roles with their scope and conseiller  4. his employers (contracts
    # and current structure)  5. the CRAs of the request grouped by month (every counter)  6. their
    # redirections per organisme.
    with django_assert_num_queries(6):
        assert alice.get(URL, {"periode": "depuis_le_debut", "code_postal": "69100"}).status_code == 200
    with recompute_once():
        for _ in range(5):
            make_cra(world.alice, date=TODAY, redirections=(("caf", 1),))
    with django_assert_num_queries(6):
        assert alice.get(URL, {"periode": "12_mois"}).status_code == 200


def test_the_home_links_to_the_statistics(world, alice):
    html = alice.get("/coop/").content.decode()

    assert f'href="{URL}"' in html and "Mes statistiques" in html
