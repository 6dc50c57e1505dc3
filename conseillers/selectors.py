from django.db.models import Exists, OuterRef

from accounts.scoping import Scope
from conseillers.models import Permanence, PermanenceConseiller


def conseillers_for_pilotage(scope: Scope):
    """The conseillers of the scope with their current structure, in name order."""
    return scope.conseillers().select_related("structure__departement").order_by("nom", "prenom", "pk")


def lieux_of_conseiller(conseiller):
    """The conseiller's lieux d'activité, each with `principale` for him, his principal place first."""
    principale = PermanenceConseiller.objects.filter(
        permanence=OuterRef("pk"), conseiller=conseiller, principale=True
    )
    return (
        Permanence.objects.filter(conseillers=conseiller)
        .annotate(principale=Exists(principale))
        .order_by("-principale", "nom")
    )


def other_lieux_of_structure(conseiller):
    """The lieux of his current structure he is not attached to (a colleague created them)."""
    if conseiller.structure_id is None:
        return Permanence.objects.none()
    return (
        Permanence.objects.filter(structure_id=conseiller.structure_id)
        .exclude(conseillers=conseiller)
        .order_by("nom")
    )
