import pytest
from django.core.exceptions import ValidationError

from conseillers import services
from conseillers.models import Permanence, PermanenceConseiller
from tests.conseillers.factories import PLACE


def test_create_attaches_the_conseiller_to_a_lieu_of_his_structure(world):
    lieu = services.permanence_create(conseiller=world.alice, fields=PLACE, principale=True)

    assert lieu.structure == world.villeurbanne
    assert PermanenceConseiller.objects.get(permanence=lieu).conseiller == world.alice
    assert PermanenceConseiller.objects.get(permanence=lieu).principale


@pytest.mark.parametrize(
    "variant",
    [
        {"nom": "médiathèque le rize"},
        {"nom": "MEDIATHEQUE  LE RIZE"},
        {"adresse": "2, rue Valentin Hauy"},
    ],
)
def test_the_same_place_twice_in_a_structure_is_refused(world, variant):
    services.permanence_create(conseiller=world.alice, fields=PLACE)

    with pytest.raises(ValidationError, match="existe déjà pour votre structure"):
        services.permanence_create(conseiller=world.bruno, fields={**PLACE, **variant})
    assert Permanence.objects.count() == 1


def test_another_structure_may_have_the_same_place(world):
    services.permanence_create(conseiller=world.alice, fields=PLACE)

    services.permanence_create(conseiller=world.denis, fields=PLACE)

    assert Permanence.objects.count() == 2


def test_one_principal_place(world):
    first = services.permanence_create(conseiller=world.alice, fields=PLACE, principale=True)
    second = services.permanence_create(
        conseiller=world.alice, fields={**PLACE, "nom": "Mairie"}, principale=True
    )

    principal = PermanenceConseiller.objects.get(conseiller=world.alice, principale=True)
    assert principal.permanence == second
    assert PermanenceConseiller.objects.filter(conseiller=world.alice, permanence=first).exists()


def test_a_conseiller_without_structure_cannot_create_a_lieu(world):
    with pytest.raises(ValidationError, match="aucune structure"):
        services.permanence_create(conseiller=world.fabrice, fields=PLACE)


def test_removing_a_shared_lieu_only_detaches(world):
    lieu = services.permanence_create(conseiller=world.alice, fields=PLACE)
    services.permanence_attach(conseiller=world.bruno, permanence=lieu)

    assert services.permanence_remove(conseiller=world.alice, permanence=lieu) is False
    assert list(lieu.conseillers.all()) == [world.bruno]
    assert services.permanence_remove(conseiller=world.bruno, permanence=lieu) is True
    assert not Permanence.objects.exists()


def test_attaching_to_another_structures_lieu_is_refused(world):
    lieu = services.permanence_create(conseiller=world.alice, fields=PLACE)

    with pytest.raises(ValidationError):
        services.permanence_attach(conseiller=world.chloe, permanence=lieu)


def test_update_refuses_to_become_a_duplicate(world):
    services.permanence_create(conseiller=world.alice, fields=PLACE)
    other = services.permanence_create(conseiller=world.alice, fields={**PLACE, "nom": "Mairie"})

    with pytest.raises(ValidationError):
        services.permanence_update(conseiller=world.alice, permanence=other, fields=PLACE, principale=False)


@pytest.mark.parametrize("former", ["denis", "fabrice"])
def test_a_conseiller_who_left_cannot_change_his_former_structures_lieu(world, former):
    """Denis left Villeurbanne, Fabrice left Bourg: the lieux of these structures are no longer theirs."""
    conseiller = getattr(world, former)
    lieu = Permanence.objects.create(
        structure=world.villeurbanne if former == "denis" else world.bourg, **PLACE
    )
    PermanenceConseiller.objects.create(conseiller=conseiller, permanence=lieu)

    with pytest.raises(ValidationError, match="Ce lieu n'appartient pas à votre structure."):
        services.permanence_update(
            conseiller=conseiller, permanence=lieu, fields={**PLACE, "nom": "Pris"}, principale=True
        )
    with pytest.raises(ValidationError, match="Ce lieu n'appartient pas à votre structure."):
        services.permanence_remove(conseiller=conseiller, permanence=lieu)

    lieu.refresh_from_db()
    assert lieu.nom == PLACE["nom"]
    assert list(lieu.conseillers.all()) == [conseiller]
    assert not PermanenceConseiller.objects.get(permanence=lieu).principale
