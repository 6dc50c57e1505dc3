from django.shortcuts import get_object_or_404

from conseillers.models import Conseiller, Permanence
from cra.models import Cra

HISTORY_ORDERINGS = {
    "date": ("-date_accompagnement", "-created_at", "-pk"),
    "modification": ("-updated_at", "-pk"),
}


def cras_of_conseiller(conseiller: Conseiller):
    """The conseiller's own CRAs that count (not deleted), with what their history lines show."""
    return Cra.objects.actifs().filter(conseiller=conseiller).select_related("permanence")


def cra_of_conseiller_or_404(conseiller: Conseiller, pk: int) -> Cra:
    """A CRA of this conseiller; another conseiller's CRA, or a deleted one, is a 404."""
    return get_object_or_404(cras_of_conseiller(conseiller), pk=pk)


def permanences_of_conseiller(conseiller: Conseiller):
    return Permanence.objects.filter(conseillers=conseiller).order_by("nom")


def principal_permanence_id(conseiller: Conseiller) -> int | None:
    return (
        Permanence.objects.filter(
            permanenceconseiller__conseiller=conseiller, permanenceconseiller__principale=True
        )
        .values_list("pk", flat=True)
        .first()
    )
