"""The reference computation: its scopes and filters, its constant number of queries, and its sums checked
against a per-CRA computation in Python (stats.sums.cra_sums) on random data."""

import datetime
import random

import pytest

from conseillers.models import Conseiller
from cra.enums import AGES, STATUTS, Activite, Canal, Organisme, SousTheme, Theme
from cra.models import Cra
from cra.services import cra_create
from stats.reference import reference_sums
from stats.request import ScopeKind, StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.sums import add_sums, cra_sums
from structures.models import Departement, Hub
from tests.conseillers.factories import ConseillerFactory
from tests.cra.factories import cra_data
from tests.stats.factories import COMMUNES, make_atelier, make_cra, recompute_once
from tests.structures.factories import StructureFactory

DU, AU = datetime.date(2023, 6, 1), datetime.date(2024, 6, 30)


@pytest.fixture
def paris(world):
    """A conseiller in Paris (Île-de-France), outside the Auvergne-Rhône-Alpes of the world."""
    structure = StructureFactory(nom="Paris Numérique", departement=Departement.objects.get(code="75"))
    return ConseillerFactory(prenom="Paul", nom="Petit", structure=structure)


def count(scope, du=DU, au=AU, **filters) -> int:
    return statistiques(StatsRequest(scope=scope, du=du, au=au, **filters), source="reference")["cra"]


def test_territorial_scopes_follow_the_structure_of_the_cra(world, paris):
    with recompute_once():
        make_cra(world.alice)  # Villeurbanne, Rhône
        make_cra(world.chloe)  # Bourg-en-Bresse, Ain
        make_cra(paris)  # Paris

    assert count(StatsScope.national()) == 3
    assert count(StatsScope.region("84")) == 2
    assert count(StatsScope.region("11")) == 1
    assert count(StatsScope.departement("01")) == 1
    assert count(StatsScope.departement("2A")) == 0
    assert count(StatsScope.hub(world.hub_ara.pk)) == 2
    assert count(StatsScope.hub(Hub.objects.get(nom="Hub Corse").pk)) == 0


def test_team_and_conseiller_scopes(world, paris):
    with recompute_once():
        make_cra(world.alice)
        make_cra(world.alice)
        make_cra(world.chloe)
        make_cra(paris)

    assert count(StatsScope.equipe({world.alice.pk, world.chloe.pk})) == 3
    assert count(StatsScope.equipe({world.bruno.pk})) == 0
    assert count(StatsScope.conseiller(world.alice.pk)) == 2
    assert count(StatsScope.conseiller(world.alice.pk, structure_id=world.bourg.pk)) == 0


def test_place_filters_of_a_structure_and_of_a_conseiller(world):
    with recompute_once():
        make_cra(world.alice, code_postal="69100")
        make_cra(world.alice, code_postal="69003")
        make_cra(world.bruno, code_postal="69003")
    villeurbanne = StatsScope.structure(world.villeurbanne.pk)

    assert count(villeurbanne) == 3
    assert count(villeurbanne, code_postal="69003") == 2
    assert count(villeurbanne, code_postal="69003", code_commune="69383") == 2
    assert count(villeurbanne, code_postal="69003", code_commune="69381") == 0
    assert count(StatsScope.conseiller(world.alice.pk), code_postal="69003") == 1


def test_a_cra_written_by_the_service_is_counted_with_its_redirections(world):
    data = cra_data(
        date_accompagnement=datetime.date(2024, 2, 15),
        canal="autre_lieu",
        permanence=None,
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
        themes=["sante", "courriel"],
        sous_themes=["espace_sante"],
        redirections=[{"organisme": "AUTRE", "nom_autre": "Banque alimentaire", "nombre": 1}],
    )
    cra_create(conseiller=world.alice, user=None, data=data)

    stats = statistiques(
        StatsRequest(scope=StatsScope.structure(world.villeurbanne.pk), du=DU, au=AU), source="reference"
    )

    assert stats["cra"] == 1
    assert stats["redirections"] == 1
    assert [(row.label, row.value) for row in stats.redirections_detail] == [("Autres", 1)]
    themes = {row.key: row for row in stats.themes}
    assert {key: row.value for key, row in themes.items() if row.value} == {"sante": 1, "courriel": 1}
    assert [(child.key, child.value) for child in themes["sante"].children] == [("espace_sante", 1)]
    assert {row.key: row.value for row in stats.canaux}["autre_lieu"] == 1


SCOPES = [
    pytest.param(lambda w: StatsScope.national(), id="national"),
    pytest.param(lambda w: StatsScope.region("84"), id="region"),
    pytest.param(lambda w: StatsScope.departement("69"), id="departement"),
    pytest.param(lambda w: StatsScope.hub(w.hub_ara.pk), id="hub"),
    pytest.param(lambda w: StatsScope.structure(w.villeurbanne.pk), id="structure"),
    pytest.param(
        lambda w: StatsScope.conseiller(w.denis.pk, structure_id=w.villeurbanne.pk), id="conseiller"
    ),
    pytest.param(lambda w: StatsScope.equipe([w.alice.pk, w.chloe.pk]), id="equipe"),
]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("cras", [1, 40])
def test_the_reference_takes_two_queries_whatever_the_scope_and_the_number_of_cras(
    world, django_assert_num_queries, scope, cras
):
    with recompute_once():
        for index in range(cras):
            conseiller = (world.alice, world.chloe, world.denis)[index % 3]
            make_cra(conseiller, structure=world.villeurbanne if conseiller == world.denis else None)
            make_atelier(world.alice, redirections=[(Organisme.CAF, 1), (Organisme.AUTRE, 1, f"Nom {index}")])
    request = StatsRequest(scope=scope(world), du=DU, au=AU)

    # 1. the CRAs of the request grouped by month, every counter by conditional aggregation;
    # 2. their redirections summed per organisme.
    with django_assert_num_queries(2):
        statistiques(request, source="reference")


# --- The reference against a per-CRA computation, on random data --------------------------------------

MINUTES = list(range(60, 481, 15))


def _spread(rng: random.Random, total: int, names) -> dict:
    values = dict.fromkeys(names, 0)
    for _ in range(total):
        values[rng.choice(names)] += 1
    return values


def _random_cra(rng: random.Random, conseiller: Conseiller, structure, day: datetime.date):
    activite = rng.choice(Activite.values)
    n = rng.randint(1, 12) if activite == Activite.COLLECTIF else 1
    themes = rng.sample(Theme.values, rng.randint(1, 4))
    sous_themes = [key for key in SousTheme.values if rng.random() < 0.3]
    suivi_individuel = rng.randint(0, n)
    suivi_atelier = rng.randint(0, n - suivi_individuel)
    left = n - suivi_individuel - suivi_atelier
    redirections = []
    for organisme in rng.sample(Organisme.values, rng.randint(0, 3)):
        if left:
            nombre = rng.randint(1, left)
            left -= nombre
            redirections.append((organisme, nombre, "Épicerie" if organisme == Organisme.AUTRE else ""))
    duree = rng.choice(["0-30", "30-60", "60+"])
    return make_cra(
        conseiller,
        structure=structure,
        date=day,
        activite=activite,
        nb_participants=n,
        nb_participants_recurrents=rng.randint(0, n),
        canal=rng.choice(Canal.values),
        code_postal=rng.choice(list(COMMUNES)),
        themes=themes,
        sous_themes=sous_themes,
        duree=duree,
        duree_minutes=rng.choice(MINUTES) if duree == "60+" else None,
        suivi_individuel=suivi_individuel,
        suivi_atelier=suivi_atelier,
        redirections=redirections,
        deleted=rng.random() < 0.1,
        **_spread(rng, n, [name for name, _label in AGES]),
        **_spread(rng, n, [name for name, _label in STATUTS]),
    )


def _in_request(cra: Cra, request: StatsRequest, hub_departements: set[str]) -> bool:
    """The scope semantics of SPEC §5, written again in plain Python."""
    scope = request.scope
    departement = cra.structure.departement
    in_scope = {
        ScopeKind.NATIONAL: True,
        ScopeKind.REGION: departement.region_id == scope.code,
        ScopeKind.DEPARTEMENT: departement.code == scope.code,
        ScopeKind.HUB: departement.code in hub_departements,
        ScopeKind.STRUCTURE: cra.structure_id == scope.id,
        ScopeKind.CONSEILLER: cra.conseiller_id == scope.id
        and scope.structure_id in (None, cra.structure_id),
        ScopeKind.EQUIPE: cra.conseiller_id in scope.conseiller_ids,
    }[scope.kind]
    return (
        in_scope
        and cra.deleted_at is None
        and request.du <= cra.date_accompagnement <= request.au
        and request.code_postal in ("", cra.code_postal)
        and request.code_commune in ("", cra.code_commune)
    )


def test_the_reference_sums_equal_the_sums_of_each_cra_on_random_data(world, paris):
    rng = random.Random(20261122)
    places = [
        (world.alice, world.villeurbanne),
        (world.chloe, world.bourg),
        (world.emma, world.lyon_asso),
        (world.denis, world.villeurbanne),
        (world.denis, world.lyon_asso),
        (paris, paris.structure),
    ]
    with recompute_once():
        for _ in range(150):
            conseiller, structure = rng.choice(places)
            day = DU + datetime.timedelta(days=rng.randint(-20, (AU - DU).days + 20))
            _random_cra(rng, conseiller, structure, day)
    cras = list(Cra.objects.select_related("structure__departement").prefetch_related("redirections"))
    hub_departements = set(world.hub_ara.departements.values_list("code", flat=True))
    requests = [
        StatsRequest(scope=scope(world), du=du, au=au)
        for scope in (param.values[0] for param in SCOPES)
        for du, au in ((DU, AU), (datetime.date(2023, 9, 10), datetime.date(2024, 1, 20)))
    ] + [
        StatsRequest(scope=StatsScope.structure(world.villeurbanne.pk), du=DU, au=AU, code_postal="69003"),
        StatsRequest(
            scope=StatsScope.conseiller(world.denis.pk),
            du=DU,
            au=AU,
            code_postal="69100",
            code_commune="69266",
        ),
    ]
    for request in requests:
        expected = add_sums(
            cra_sums(cra, [(r.organisme, r.nombre) for r in cra.redirections.all()])
            for cra in cras
            if _in_request(cra, request, hub_departements)
        )
        assert expected["cra"] > 0, request
        assert reference_sums(request) == expected, request
