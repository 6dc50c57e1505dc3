import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conseillers.models import Conseiller
from cra.models import Cra, CraHistorique, CraRedirection, sous_themes_to_bits, themes_to_bits
from cra.rules import CraContext, Emploi, Lieu, check_cra
from cra.signals import cras_changed
from structures.communes import ReferentielCommunes

# The stored fields a CRA's history follows, besides themes and redirections.
HISTORY_FIELDS = [
    "date_accompagnement",
    "structure_id",
    "canal",
    "permanence_id",
    "code_postal",
    "code_commune",
    "nom_commune",
    "activite",
    "nb_participants",
    "nb_participants_recurrents",
    "age_moins_12",
    "age_12_18",
    "age_18_35",
    "age_35_60",
    "age_plus_60",
    "statut_etudiant",
    "statut_sans_emploi",
    "statut_en_emploi",
    "statut_retraite",
    "statut_heterogene",
    "annotation",
    "duree",
    "duree_minutes",
    "suivi_individuel",
    "suivi_atelier",
]


class CraInvalid(ValidationError):
    """The CRA breaks rules: `message_dict` maps each field to its French messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)


def _cle(cra: Cra) -> tuple:
    """What the statistics count the CRA under: its day, its structure, its conseiller."""
    return (cra.date_accompagnement, cra.structure_id, cra.conseiller_id)


def _signal(cles: list[tuple]) -> None:
    cras_changed.send(sender=Cra, cles=cles)


def cra_context_for(
    conseiller: Conseiller, *, legacy_themes_allowed: bool = False, permanences=None
) -> CraContext:
    """What the rules need about a conseiller: his employments and lieux d'activité (two queries, one
    when the caller already holds his `permanences`)."""
    emplois = [
        Emploi(structure_id=contrat.structure_id, debut=contrat.date_debut, fin=contrat.date_fin_effective)
        for contrat in conseiller.contrats.all()
    ]
    lieux = {
        permanence.pk: Lieu(
            permanence.code_postal, permanence.code_commune, permanence.nom_commune, permanence.structure_id
        )
        for permanence in (conseiller.permanences.all() if permanences is None else permanences)
    }
    return CraContext(
        emplois=emplois,
        lieux=lieux,
        communes_par_code_postal=ReferentielCommunes.if_loaded(),
        legacy_themes_allowed=legacy_themes_allowed,
    )


def cra_stored_fields(values: dict) -> dict:
    """The model fields of a CRA from the values its rules returned (shared with the generator)."""
    fields = {name: values[name] for name in HISTORY_FIELDS}
    fields["themes"] = themes_to_bits(values["themes"])
    fields["sous_themes"] = sous_themes_to_bits(values["sous_themes"])
    fields["nb_redirections"] = values["nb_redirections"]
    return fields


def _snapshot(cra: Cra, redirections) -> dict:
    """The readable state of a CRA for its history."""
    state = {name: getattr(cra, name) for name in HISTORY_FIELDS}
    state["date_accompagnement"] = cra.date_accompagnement.isoformat()
    state["themes"] = cra.theme_keys
    state["sous_themes"] = cra.sous_theme_keys
    state["redirections"] = sorted(
        [r["organisme"], r["nom_autre"], r["nombre"]]
        if isinstance(r, dict)
        else [r.organisme, r.nom_autre, r.nombre]
        for r in redirections
    )
    return state


def _validated(data: dict, context: CraContext) -> dict:
    check = check_cra(data, context)
    if not check.is_valid:
        raise CraInvalid(check.errors)
    return check.values


def _redirections_save(cra: Cra, redirections: list[dict]) -> None:
    CraRedirection.objects.bulk_create(CraRedirection(cra=cra, **redirection) for redirection in redirections)


def cra_create(
    *,
    conseiller: Conseiller,
    user,
    data: dict,
    idempotency_key: uuid.UUID | None = None,
    context: CraContext | None = None,
) -> Cra:
    """Records a CRA for the conseiller; the same idempotency key never records two."""
    if idempotency_key is not None:
        existing = Cra.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None and existing.conseiller_id != conseiller.pk:
            # Another conseiller's form sent back (the back button of a shared computer, or a forged key):
            # a key of this conseiller's own, derived from it, still records a replay of it only once.
            idempotency_key = uuid.uuid5(idempotency_key, str(conseiller.pk))
            existing = Cra.objects.filter(idempotency_key=idempotency_key, conseiller=conseiller).first()
        if existing is not None:
            return existing
    values = _validated(data, context or cra_context_for(conseiller))
    try:
        with transaction.atomic():
            cra = Cra.objects.create(
                conseiller=conseiller, idempotency_key=idempotency_key, **cra_stored_fields(values)
            )
            _redirections_save(cra, values["redirections"])
            _signal([_cle(cra)])
            CraHistorique.objects.create(
                cra=cra,
                user=user,
                action=CraHistorique.Action.CREATION,
                changes={
                    name: [None, value] for name, value in _snapshot(cra, values["redirections"]).items()
                },
            )
    except IntegrityError:
        # A concurrent replay of the same submission won the race: return its CRA.
        existing = Cra.objects.filter(idempotency_key=idempotency_key, conseiller=conseiller).first()
        if idempotency_key is None or existing is None:
            raise
        return existing
    return cra


@transaction.atomic
def cra_update(*, cra: Cra, user, data: dict, context: CraContext | None = None) -> Cra:
    """Applies an edit by its conseiller and keeps the fields changed, before and after, in the history."""
    cra = Cra.objects.select_for_update().get(pk=cra.pk)
    values = _validated(data, context or cra_context_for(cra.conseiller))
    before = _snapshot(cra, cra.redirections.all())
    key_before = _cle(cra)  # an edit can move the CRA to another day or structure
    for name, value in cra_stored_fields(values).items():
        setattr(cra, name, value)
    cra.save()
    _signal([key_before, _cle(cra)])
    cra.redirections.all().delete()
    _redirections_save(cra, values["redirections"])
    after = _snapshot(cra, values["redirections"])
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changes:
        CraHistorique.objects.create(
            cra=cra, user=user, action=CraHistorique.Action.MODIFICATION, changes=changes
        )
    return cra


@transaction.atomic
def cra_delete(*, cra: Cra, user) -> Cra:
    """Soft delete: the CRA leaves every page and statistic, and the admin can restore it."""
    if cra.deleted_at is None:
        cra.deleted_at = timezone.now()
        cra.save(update_fields=["deleted_at", "updated_at"])
        _signal([_cle(cra)])
        CraHistorique.objects.create(cra=cra, user=user, action=CraHistorique.Action.SUPPRESSION)
    return cra


@transaction.atomic
def cra_restore(*, cra: Cra, user) -> Cra:
    if cra.deleted_at is not None:
        cra.deleted_at = None
        cra.save(update_fields=["deleted_at", "updated_at"])
        _signal([_cle(cra)])
        CraHistorique.objects.create(cra=cra, user=user, action=CraHistorique.Action.RESTAURATION)
    return cra
