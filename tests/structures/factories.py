import factory

from structures.enums import StatutStructure, TypeStructure
from structures.models import Departement, Structure
from structures.validators import luhn_valid


def siret_for(number: int) -> str:
    """A valid SIRET (Luhn key) derived from a sequence number."""
    base = f"{number:013d}"
    return next(base + str(key) for key in range(10) if luhn_valid(base + str(key)))


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    siret = factory.Sequence(lambda n: siret_for(4_000_000 + n))
    nom = factory.Sequence(lambda n: f"Structure {n}")
    type = TypeStructure.COMMUNE
    adresse = "1 place de la Mairie"
    code_postal = "69100"
    code_commune = "69266"
    nom_commune = "Villeurbanne"
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))
    statut = StatutStructure.VALIDATION_COSELEC
    dotation = 2
