import contextlib
import datetime
from contextvars import ContextVar

from cra.models import Cra, CraRedirection, sous_themes_to_bits, themes_to_bits
from stats.results import Statistiques
from stats.services import AggregateKey, aggregates_recompute

# Code postal -> (code commune INSEE, nom) for the CRAs the tests store directly.
COMMUNES = {
    "69001": ("69381", "Lyon 1er Arrondissement"),
    "69003": ("69383", "Lyon 3e Arrondissement"),
    "69100": ("69266", "Villeurbanne"),
    "01000": ("01053", "Bourg-en-Bresse"),
    "75011": ("75111", "Paris 11e Arrondissement"),
}

# The keys of the CRAs made inside recompute_once(), None outside.
_pending_keys: ContextVar[list[AggregateKey] | None] = ContextVar("pending_keys", default=None)


@contextlib.contextmanager
def recompute_once():
    """The CRAs made by make_cra in this block have their aggregates recomputed once, at its end, for all of
    them (as the CRA services do once per transaction): a recompute per CRA costs more than the CRA."""
    keys = []
    token = _pending_keys.set(keys)
    try:
        yield
    finally:
        _pending_keys.reset(token)
    aggregates_recompute(keys=keys)


def make_cra(
    conseiller,
    *,
    date=datetime.date(2024, 2, 15),
    structure=None,
    themes=("courriel",),
    sous_themes=(),
    redirections=(),
    deleted=False,
    code_postal="69100",
    **fields,
) -> Cra:
    """A CRA stored directly (legacy themes allowed), its aggregates recomputed (at the end of the block when
    inside recompute_once()): one person aged 35-60 in employment, 30 min to 1 h, for the conseiller's current
    structure; `redirections` are (organisme, nombre[, nom_autre])."""
    code_commune, nom_commune = COMMUNES[code_postal]
    values = {
        "canal": "rattachement",
        "activite": "individuel",
        "nb_participants": 1,
        "age_35_60": 1,
        "statut_en_emploi": 1,
        "duree": "30-60",
        "code_commune": code_commune,
        "nom_commune": nom_commune,
        **fields,
    }
    cra = Cra.objects.create(
        conseiller=conseiller,
        structure=structure or conseiller.structure,
        date_accompagnement=date,
        code_postal=code_postal,
        themes=themes_to_bits(themes),
        sous_themes=sous_themes_to_bits(sous_themes),
        nb_redirections=sum(r[1] for r in redirections),
        deleted_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) if deleted else None,
        **values,
    )
    CraRedirection.objects.bulk_create(
        CraRedirection(cra=cra, organisme=r[0], nombre=r[1], nom_autre=r[2] if len(r) > 2 else "")
        for r in redirections
    )
    # As the CRA services do on commit (with eager Celery): the pages read the aggregates.
    pending = _pending_keys.get()
    if pending is None:
        aggregates_recompute(keys=[AggregateKey.of(cra)])
    else:
        pending.append(AggregateKey.of(cra))
    return cra


def make_atelier(conseiller, participants=5, **fields) -> Cra:
    """A workshop of people aged 60+ and retired."""
    values = {
        "activite": "collectif",
        "nb_participants": participants,
        "age_35_60": 0,
        "age_plus_60": participants,
        "statut_en_emploi": 0,
        "statut_retraite": participants,
        **fields,
    }
    return make_cra(conseiller, **values)


def as_expected(stats: Statistiques) -> dict:
    """The statistics in the shape of shared/conformance/stats-cases.json's `expected`."""

    def shares(rows, key=lambda row: row.key):
        return {key(row): {"value": row.value, "percent": float(row.percent)} for row in rows}

    figures = {key: row.value for key, row in stats.chiffres.items()}
    figures["taux_suivi"] = float(figures["taux_suivi"])
    return {
        **figures,
        "themes": shares(stats.themes),
        "espace_sante": next(
            c.value for row in stats.themes for c in row.children if c.key == "espace_sante"
        ),
        "canaux": shares(stats.canaux),
        "durees": {row.key: row.value for row in stats.durees},
        "temps_minutes": {**{row.key: row.value for row in stats.temps}, "total": stats.temps_total},
        "ages": shares(stats.ages),
        "statuts": shares(stats.statuts),
        "redirections_detail": shares(stats.redirections_detail, key=lambda row: row.label),
        "evolution": {row.key: row.value for row in stats.evolution},
    }
