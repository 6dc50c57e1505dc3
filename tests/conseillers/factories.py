import datetime

import factory

from conseillers.enums import StatutConseiller, TypeContrat
from conseillers.models import Conseiller, Contrat
from tests.structures.factories import StructureFactory


class ConseillerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conseiller
        skip_postgeneration_save = True

    prenom = factory.Sequence(lambda n: f"Prénom{n}")
    nom = factory.Sequence(lambda n: f"Nom{n}")
    email_pro = factory.LazyAttribute(lambda o: f"{o.prenom}.{o.nom}@conseiller-numerique.fr".lower())
    structure = factory.SubFactory(StructureFactory)
    statut = StatutConseiller.RECRUTE
    date_certification = datetime.date(2023, 6, 1)

    @factory.post_generation
    def contrat(self, create, extracted, **kwargs):
        """A current contract with the structure, unless `contrat=False`."""
        if create and extracted is not False and self.structure_id:
            ContratFactory(conseiller=self, structure=self.structure)


class ContratFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contrat

    conseiller = factory.SubFactory(ConseillerFactory, contrat=False)
    structure = factory.SubFactory(StructureFactory)
    type_contrat = TypeContrat.CDD
    date_debut = datetime.date(2023, 1, 1)


# The fields of a lieu d'activité in Villeurbanne.
PLACE = {
    "nom": "Médiathèque Le Rize",
    "adresse": "2 rue Valentin-Haüy",
    "code_postal": "69100",
    "code_commune": "69266",
    "nom_commune": "Villeurbanne",
    "type_acces": "libre",
    "horaires": "",
    "itinerant": False,
}
