import datetime

import pytest
from django.db import IntegrityError

from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller
from tests.conseillers.factories import ContratFactory


def test_contract_covering_a_date(world):
    contrats = Contrat.objects.filter(conseiller=world.denis)

    assert contrats.en_cours_le(datetime.date(2023, 6, 1)).get().structure == world.villeurbanne
    # The rupture day belongs to the next employer, not to the broken contract.
    assert contrats.en_cours_le(datetime.date(2024, 3, 1)).get().structure == world.lyon_asso
    assert contrats.en_cours_le(datetime.date(2024, 2, 29)).get().structure == world.villeurbanne
    assert not contrats.en_cours_le(datetime.date(2021, 12, 31)).exists()


def test_fixed_term_contract_ends_on_its_last_day(world):
    contrat = ContratFactory(
        conseiller=world.fabrice,
        structure=world.lyon_asso,
        date_debut=datetime.date(2025, 2, 1),
        date_fin=datetime.date(2025, 7, 31),
    )

    assert contrat in Contrat.objects.en_cours_le(datetime.date(2025, 7, 31))
    assert contrat not in Contrat.objects.en_cours_le(datetime.date(2025, 8, 1))


def test_last_day_worked_of_a_broken_contract(world):
    contrat = world.denis.contrats.get(structure=world.villeurbanne)

    assert contrat.date_fin_effective == datetime.date(2024, 2, 29)


def test_contract_cannot_end_before_it_starts(world):
    with pytest.raises(IntegrityError):
        ContratFactory(
            conseiller=world.alice, date_debut=datetime.date(2024, 1, 1), date_fin=datetime.date(2023, 1, 1)
        )


def test_recrutes_and_actives(world):
    recrutes = set(Conseiller.objects.recrutes().values_list("prenom", flat=True))

    assert recrutes == {"Alice", "Bruno", "Chloé", "Denis", "Emma"}
    assert set(Conseiller.objects.actives().values_list("prenom", flat=True)) == {"Alice", "Chloé", "Emma"}
    assert world.alice.est_active and not world.bruno.est_active
    assert world.alice.est_certifie and not world.bruno.est_certifie


def test_professional_email_is_unique_whatever_the_case(world):
    with pytest.raises(IntegrityError):
        Conseiller.objects.create(prenom="A", nom="B", email_pro=world.alice.email_pro.upper())


def test_same_place_cannot_be_created_twice_for_a_structure(world):
    fields = {
        "adresse": "3 rue Michel Servet",
        "code_postal": "69100",
        "code_commune": "69266",
        "nom_commune": "Villeurbanne",
    }
    Permanence.objects.create(structure=world.villeurbanne, nom="Médiathèque", **fields)

    Permanence.objects.create(structure=world.lyon_asso, nom="Médiathèque", **fields)
    with pytest.raises(IntegrityError):
        Permanence.objects.create(structure=world.villeurbanne, nom="MéDIATHèQUE", **fields)


def test_one_principal_place_per_conseiller(world):
    fields = {
        "structure": world.villeurbanne,
        "code_postal": "69100",
        "code_commune": "69266",
        "nom_commune": "Villeurbanne",
    }
    first = Permanence.objects.create(nom="Mairie", adresse="1 place", **fields)
    second = Permanence.objects.create(nom="Médiathèque", adresse="2 rue", **fields)
    PermanenceConseiller.objects.create(permanence=first, conseiller=world.alice, principale=True)
    PermanenceConseiller.objects.create(permanence=second, conseiller=world.alice, principale=False)

    # Bruno may have the same principal place as Alice, but Alice cannot have two.
    PermanenceConseiller.objects.create(permanence=first, conseiller=world.bruno, principale=True)
    with pytest.raises(IntegrityError):
        PermanenceConseiller.objects.filter(permanence=second, conseiller=world.alice).update(principale=True)
