import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conseillers.enums import StatutConseiller
from conseillers.models import Conseiller, Contrat


def conseiller_situation_refresh(*, conseiller: Conseiller, today: datetime.date | None = None) -> Conseiller:
    """Derives the current structure and statut of a conseiller from his employment history."""
    today = today or timezone.localdate()
    contrats = conseiller.contrats.all()
    current = contrats.en_cours_le(today).order_by("-date_debut").first()
    if current is not None:
        conseiller.structure, conseiller.statut = current.structure, StatutConseiller.RECRUTE
    elif contrats.exists():
        conseiller.structure = None
        broken = contrats.filter(date_rupture__isnull=False).exists()
        conseiller.statut = StatutConseiller.RUPTURE if broken else StatutConseiller.TERMINE
    conseiller.save(update_fields=["structure", "statut", "updated_at"])
    return conseiller


@transaction.atomic
def contrat_start(
    *,
    conseiller: Conseiller,
    structure,
    type_contrat: str,
    date_debut: datetime.date,
    date_fin: datetime.date | None = None,
) -> Contrat:
    """Opens an employment; the one still open on its first day ends the day before."""
    if date_fin is not None and date_fin < date_debut:
        raise ValidationError("La date de fin de contrat doit suivre la date de début.")
    previous = conseiller.contrats.en_cours_le(date_debut).exclude(structure=structure)
    for contrat in previous:
        if contrat.date_debut >= date_debut:
            raise ValidationError(
                f"Un contrat avec {contrat.structure} commence déjà le {contrat.date_debut:%d/%m/%Y}."
            )
        contrat.date_fin = date_debut - datetime.timedelta(days=1)
        contrat.save(update_fields=["date_fin"])
    contrat = Contrat.objects.create(
        conseiller=conseiller,
        structure=structure,
        type_contrat=type_contrat,
        date_debut=date_debut,
        date_fin=date_fin,
    )
    conseiller_situation_refresh(conseiller=conseiller)
    return contrat


@transaction.atomic
def contrat_rupture(*, contrat: Contrat, date_rupture: datetime.date, motif: str) -> Contrat:
    """Records the rupture of an employment on a date (that day is no longer worked)."""
    if date_rupture < contrat.date_debut:
        raise ValidationError("La date de rupture ne peut pas précéder le début du contrat.")
    contrat.date_rupture = date_rupture
    contrat.motif_rupture = motif
    contrat.save(update_fields=["date_rupture", "motif_rupture"])
    conseiller_situation_refresh(conseiller=contrat.conseiller)
    return contrat
