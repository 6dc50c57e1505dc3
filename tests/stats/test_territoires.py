"""Statistiques par territoire (stats.territoires): hand-computed conseiller columns, activity columns equal
to each territory's own statistics, a totals row, constant queries."""

import datetime

import pytest

from conseillers.enums import StatutConseiller
from stats.request import StatsRequest, StatsScope
from stats.results import taux_entier
from stats.selectors import statistiques
from stats.services import aggregates_rebuild
from stats.territoires import departements_du_territoire, tableau_territoires
from structures.enums import MAILLES_DU_TABLEAU, Maille, StatutStructure
from structures.models import Departement, Region
from tests.conseillers.factories import ConseillerFactory
from tests.stats.factories import make_atelier, make_cra, recompute_once
from tests.structures.factories import StructureFactory

DU, AU = datetime.date(2024, 1, 10), datetime.date(2024, 3, 20)


@pytest.mark.parametrize(
    ("actives", "recrutes", "taux"), [(0, 0, 0), (2, 4, 50), (2, 3, 67), (1, 3, 33), (1, 8, 13), (3, 3, 100)]
)
def test_taux_d_activation_is_rounded_half_up_to_a_whole_number(actives, recrutes, taux):
    assert taux_entier(actives, recrutes) == taux


def _by_code(tableau):
    return {ligne.code: ligne for ligne in tableau.lignes}


def test_conseiller_columns_are_the_current_state_of_the_validated_structures(world):
    # A structure refused by the committee: its dotation and its conseiller never count.
    refusee = StructureFactory(departement=world.rhone, statut=StatutStructure.REFUS_COSELEC, dotation=9)
    ConseillerFactory(structure=refusee)
    # A conseiller who left keeps no post (Fabrice is already one); a new one not activated yet in the Ain.
    ConseillerFactory(structure=world.bourg, statut=StatutConseiller.RUPTURE)
    ConseillerFactory(structure=world.bourg)

    lignes = _by_code(tableau_territoires(Maille.DEPARTEMENT, DU, AU))
    # Rhône: Villeurbanne (3) + the association (2); Alice and Emma activated, Bruno and Denis not.
    rhone = lignes["69"]
    assert (rhone.dotation, rhone.recrutes, rhone.actives, rhone.en_attente, rhone.taux_activation) == (
        5,
        4,
        2,
        2,
        50,
    )
    ain = lignes["01"]
    assert (ain.dotation, ain.recrutes, ain.actives, ain.en_attente, ain.taux_activation) == (2, 2, 1, 1, 50)
    assert (lignes["75"].dotation, lignes["75"].recrutes, lignes["75"].taux_activation) == (0, 0, 0)
    assert len(lignes) == Departement.objects.count()

    regions = _by_code(tableau_territoires(Maille.REGION, DU, AU))
    ara = regions["84"]
    assert (ara.nom, ara.dotation, ara.recrutes, ara.actives, ara.taux_activation) == (
        "Auvergne-Rhône-Alpes",
        7,
        6,
        3,
        50,
    )
    assert len(regions) == Region.objects.count()


def test_activity_columns_equal_each_territory_statistics_and_the_total_adds_up(world):
    paris = StructureFactory(departement=Departement.objects.get(code="75"), code_postal="75011")
    paris_conseiller = ConseillerFactory(
        structure=paris, date_activation=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    with recompute_once():
        make_cra(world.alice, date=DU, nb_participants_recurrents=0)
        make_cra(world.alice, date=datetime.date(2024, 2, 29))
        make_atelier(world.chloe, participants=7, nb_participants_recurrents=3, date=AU, code_postal="01000")
        make_cra(world.chloe, date=AU + datetime.timedelta(days=1), code_postal="01000")  # after the period
        make_cra(world.alice, date=datetime.date(2024, 2, 1), deleted=True)
        make_cra(paris_conseiller, date=datetime.date(2024, 3, 1), activite="ponctuel", code_postal="75011")
    aggregates_rebuild()

    for maille, scope in ((Maille.DEPARTEMENT, StatsScope.departement), (Maille.REGION, StatsScope.region)):
        tableau = tableau_territoires(maille, DU, AU)
        for ligne in tableau.lignes:
            expected = statistiques(StatsRequest(scope(ligne.code), DU, AU), source="reference")
            assert (ligne.cra, ligne.personnes, ligne.accompagnements) == (
                expected["cra"],
                expected["personnes"],
                expected["accompagnements"],
            ), ligne.code
        national = statistiques(StatsRequest(StatsScope.national(), DU, AU), source="reference")
        total = tableau.total
        assert (total.cra, total.personnes, total.accompagnements) == (4, 7, 10)
        assert (total.cra, total.personnes, total.accompagnements) == (
            national["cra"],
            national["personnes"],
            national["accompagnements"],
        )
        assert total.recrutes == sum(ligne.recrutes for ligne in tableau.lignes)
        assert tableau.computed_at is not None


@pytest.mark.parametrize("maille", MAILLES_DU_TABLEAU)
def test_the_table_takes_the_same_queries_whatever_the_number_of_territories(
    world, maille, django_assert_num_queries
):
    with recompute_once():
        for departement in Departement.objects.all()[:30]:
            conseiller = ConseillerFactory(structure=StructureFactory(departement=departement))
            make_cra(conseiller, date=datetime.date(2024, 2, 15))
    aggregates_rebuild()
    with django_assert_num_queries(6):
        tableau = tableau_territoires(maille, DU, AU)
    assert tableau.total.cra == 30


@pytest.mark.parametrize("kind", ["departement", "region", "hub"])
def test_a_territorys_departements_add_up_to_its_statistics(world, kind, django_assert_num_queries):
    scope = {
        "departement": StatsScope.departement("69"),
        "region": StatsScope.region("84"),
        "hub": StatsScope.hub(world.hub_ara.pk),
    }[kind]
    # A structure of the Loire, in the région and the hub too, with a conseiller not activated yet.
    loire = StructureFactory(departement=Departement.objects.get(code="42"), dotation=4)
    ConseillerFactory(structure=loire, date_activation=None)
    with recompute_once():
        make_cra(world.alice, date=datetime.date(2024, 2, 1))
        make_atelier(world.chloe, participants=4, date=datetime.date(2024, 2, 2), code_postal="01000")
        make_cra(loire.conseillers.get(), date=datetime.date(2024, 3, 1))
    aggregates_rebuild()

    departements = departements_du_territoire(scope)
    with django_assert_num_queries(6):
        tableau = tableau_territoires(Maille.DEPARTEMENT, DU, AU, departements=departements, total="Le nom")
    assert [ligne.code for ligne in tableau.lignes] == sorted(departements.values_list("code", flat=True))
    expected = statistiques(StatsRequest(scope, DU, AU), source="reference")
    total = tableau.total
    assert total.nom == "Le nom"
    assert (total.cra, total.personnes) == (expected["cra"], expected["personnes"])
    # By hand: Villeurbanne (3) and Lyon (2), then Bourg (2) and the Loire's structure (4).
    if kind == "departement":
        assert (total.cra, total.personnes, total.dotation, total.recrutes, total.actives) == (1, 1, 5, 4, 2)
    else:
        assert (total.cra, total.personnes, total.dotation, total.recrutes, total.actives) == (3, 6, 11, 6, 3)
        assert (total.en_attente, total.taux_activation) == (3, 50)
