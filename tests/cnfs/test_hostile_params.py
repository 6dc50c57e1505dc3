"""Random and hostile query strings on every list and statistics page: never a 500, always the page (its
filters fall back to their defaults with a French message)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import RoleKind
from tests.utils import examples

HOSTILE = [
    "",
    " ",
    ".*",
    "(",
    "[a-",
    "\\",
    "%",
    "_",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "2024-02-30",
    "30/02/2024",
    "1900-01-01",
    "9999-12-31",
    "-1",
    "0",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "\x00",
    "é" * 300,
    "departement",
    "region",
    "-cra",
    "ce_mois",
]
KEYS = [
    "du",
    "au",
    "periode",
    "code_postal",
    "code_commune",
    "structure",
    "tri",
    "q",
    "maille",
    "page",
    "statut",
    "active",
    "certifie",
    "coordinateur",
    "departement",
    "region",
    "type_structure",
    "theme",
    "canal",
    "activite",
    "tag",
    "categorie",
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
PARAMS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)

PAGES = [
    ("admin", None, "/pilotage/"),
    ("admin", None, "/pilotage/structures/"),
    ("prefet_rhone", None, "/pilotage/"),
    ("gestionnaire_villeurbanne", None, "/pilotage/"),
    ("admin", None, "/pilotage/territoires/"),
    ("admin", None, "/pilotage/territoires/departement/69/"),
    ("admin", None, "/pilotage/national/"),
    ("admin", None, "/pilotage/structures/{villeurbanne}/statistiques/"),
    ("admin", None, "/pilotage/conseillers/{denis}/statistiques/"),
    ("admin", None, "/pilotage/conseillers/{alice}/"),
    ("admin", None, "/pilotage/structures/{villeurbanne}/"),
    ("emma", RoleKind.COORDINATEUR, "/pilotage/equipe/statistiques/"),
    ("alice", None, "/coop/statistiques/"),
    ("alice", None, "/coop/cra/"),
    ("alice", None, "/coop/"),
    ("alice", None, "/exports/"),
    ("alice", None, "/ressourcerie/"),
]


@pytest.mark.parametrize(("account", "kind", "path"), PAGES, ids=[f"{a}:{p}" for a, _k, p in PAGES])
def test_hostile_query_strings_never_break_a_page(world, login_as, account, kind, path):
    user = getattr(world, account)
    client = login_as(user.user if account in ("alice", "emma") else user, kind)
    url = path.format(villeurbanne=world.villeurbanne.pk, denis=world.denis.pk, alice=world.alice.pk)

    @settings(
        max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(params=PARAMS)
    def check(params):
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        assert "<script>alert(1)</script>" not in response.content.decode()

    check()
