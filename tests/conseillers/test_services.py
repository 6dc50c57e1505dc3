import datetime

import pytest
from django.core.exceptions import ValidationError

from conseillers import services
from conseillers.enums import MotifRupture, StatutConseiller, TypeContrat


def test_moving_closes_the_previous_employment(world):
    contrat = services.contrat_start(
        conseiller=world.alice,
        structure=world.bourg,
        type_contrat=TypeContrat.CDI,
        date_debut=datetime.date(2025, 9, 1),
    )

    previous = world.alice.contrats.get(structure=world.villeurbanne)
    assert previous.date_fin == datetime.date(2025, 8, 31)
    world.alice.refresh_from_db()
    assert world.alice.structure == world.bourg
    assert world.alice.statut == StatutConseiller.RECRUTE
    assert contrat.structure == world.bourg


def test_a_future_employment_does_not_change_today(world):
    services.contrat_start(
        conseiller=world.alice,
        structure=world.bourg,
        type_contrat=TypeContrat.CDI,
        date_debut=datetime.date(2099, 1, 1),
    )

    world.alice.refresh_from_db()
    assert world.alice.structure == world.villeurbanne


def test_rupture_leaves_the_conseiller_without_structure(world):
    contrat = world.alice.contrats.get()

    services.contrat_rupture(
        contrat=contrat, date_rupture=datetime.date(2025, 1, 15), motif=MotifRupture.DEMISSION
    )

    world.alice.refresh_from_db()
    assert world.alice.structure is None
    assert world.alice.statut == StatutConseiller.RUPTURE


def test_rupture_before_the_start_is_refused(world):
    contrat = world.alice.contrats.get()

    with pytest.raises(ValidationError, match="ne peut pas précéder"):
        services.contrat_rupture(
            contrat=contrat, date_rupture=datetime.date(2020, 1, 1), motif=MotifRupture.AUTRE
        )
    contrat.refresh_from_db()
    assert contrat.date_rupture is None


def test_end_before_start_is_refused(world):
    with pytest.raises(ValidationError, match="doit suivre"):
        services.contrat_start(
            conseiller=world.alice,
            structure=world.bourg,
            type_contrat=TypeContrat.CDD,
            date_debut=datetime.date(2025, 9, 1),
            date_fin=datetime.date(2025, 1, 1),
        )
    assert world.alice.contrats.count() == 1


def test_finished_fixed_term_contract(world):
    contrat = world.bruno.contrats.get()
    contrat.date_fin = datetime.date(2024, 12, 31)
    contrat.save()

    services.conseiller_situation_refresh(conseiller=world.bruno)

    assert world.bruno.structure is None
    assert world.bruno.statut == StatutConseiller.TERMINE
