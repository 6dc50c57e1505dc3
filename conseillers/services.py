import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cnfs.socle.texte import replie
from conseillers.enums import StatutConseiller
from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller


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


def _same_place(permanence: Permanence, fields: dict) -> bool:
    return (
        permanence.code_commune == fields["code_commune"]
        and replie(permanence.nom) == replie(fields["nom"])
        and replie(permanence.adresse) == replie(fields["adresse"])
    )


def _check_unique_place(structure, fields: dict, exclude_pk=None) -> None:
    for permanence in structure.permanences.exclude(pk=exclude_pk):
        if _same_place(permanence, fields):
            raise ValidationError(
                f"Le lieu « {permanence.nom} » existe déjà pour votre structure : rattachez-vous à ce lieu "
                "plutôt que de le créer une seconde fois."
            )


def _check_current_structure(conseiller: Conseiller, permanence: Permanence) -> None:
    """A conseiller acts on the lieux of his current structure only, never on those of a structure he left."""
    if conseiller.structure_id is None or permanence.structure_id != conseiller.structure_id:
        raise ValidationError("Ce lieu n'appartient pas à votre structure.")


def _set_principal(conseiller: Conseiller, permanence: Permanence, principale: bool) -> None:
    if principale:
        PermanenceConseiller.objects.filter(conseiller=conseiller).exclude(permanence=permanence).update(
            principale=False
        )
    PermanenceConseiller.objects.update_or_create(
        conseiller=conseiller, permanence=permanence, defaults={"principale": principale}
    )


@transaction.atomic
def permanence_create(*, conseiller: Conseiller, fields: dict, principale: bool = False) -> Permanence:
    """Creates a lieu d'activité of the conseiller's current structure and attaches him to it."""
    if conseiller.structure is None:
        raise ValidationError("Vous n'êtes employé par aucune structure : vous ne pouvez pas créer de lieu.")
    _check_unique_place(conseiller.structure, fields)
    permanence = Permanence.objects.create(structure=conseiller.structure, **fields)
    _set_principal(conseiller, permanence, principale)
    return permanence


@transaction.atomic
def permanence_update(
    *, conseiller: Conseiller, permanence: Permanence, fields: dict, principale: bool
) -> Permanence:
    """Edits a lieu the conseiller works at (his colleagues attached to it see the change)."""
    _check_current_structure(conseiller, permanence)
    _check_unique_place(permanence.structure, fields, exclude_pk=permanence.pk)
    for name, value in fields.items():
        setattr(permanence, name, value)
    permanence.save()
    _set_principal(conseiller, permanence, principale)
    return permanence


@transaction.atomic
def permanence_attach(*, conseiller: Conseiller, permanence: Permanence) -> None:
    """Attaches the conseiller to an existing lieu of his structure."""
    _check_current_structure(conseiller, permanence)
    PermanenceConseiller.objects.get_or_create(conseiller=conseiller, permanence=permanence)


@transaction.atomic
def permanence_remove(*, conseiller: Conseiller, permanence: Permanence) -> bool:
    """Removes the lieu from the conseiller's places; the lieu itself goes when nobody works there any more.

    Returns whether the lieu was deleted. Its CRAs keep their postal code and commune.
    """
    _check_current_structure(conseiller, permanence)
    PermanenceConseiller.objects.filter(conseiller=conseiller, permanence=permanence).delete()
    if permanence.conseillers.exists():
        return False
    permanence.delete()
    return True
