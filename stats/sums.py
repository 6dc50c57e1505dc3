"""The "sums": the additive counters every statistic is derived from (stats.results does the derivation).

A sums mapping is a flat `{key: int}`; a missing key means 0. Every counter is a sum over CRAs, so the
sums of disjoint sets of CRAs simply add up: the reference computation gets them from the raw CRAs of a
request, the aggregates add up counters precomputed per (structure, conseiller, day…) — both must give the
same mapping for the same request, and share everything that follows (ratios, labels, order, rounding).

Keys:
- `cra`, `activite:<activite>`, `participants_ateliers` (Σ nb_participants of collectif CRAs);
- the sums of a CRA field: see FIELD_SUMS (`recurrents`, `suivi_individuel`, `suivi_atelier`,
  `redirections`, the five `age_*` and five `statut_*`);
- `theme:<key>` (CRAs carrying the theme bit, legacy themes included), `sous_theme:<key>`;
- `canal:<canal>`, `duree:<bucket>`, `minutes:<activite>` (minutes counted, stats.definitions);
- `organisme:<ORGANISME>` (Σ nombre of the CraRedirection rows, free "Autre" names under `AUTRE`);
- `mois:<YYYY-MM>` (CRAs of the month; only months with CRAs need to be present).
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db.models import Aggregate, Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.lookups import GreaterThan

from cra.enums import AGES, STATUTS, Activite, Canal, Organisme, SousTheme, Theme
from cra.models import SOUS_THEME_BITS, THEME_BITS
from stats.definitions import (
    ACTIVITES,
    CANAUX,
    DUREE_BUCKETS,
    MINUTES_PAR_DUREE,
    DureeBucket,
    duree_bucket,
    minutes_comptees,
)

CRA = "cra"
PARTICIPANTS_ATELIERS = "participants_ateliers"

# Sum key -> the Cra field summed.
FIELD_SUMS: dict[str, str] = {
    "recurrents": "nb_participants_recurrents",
    "suivi_individuel": "suivi_individuel",
    "suivi_atelier": "suivi_atelier",
    "redirections": "nb_redirections",
    **{name: name for name, _label in AGES},
    **{name: name for name, _label in STATUTS},
}


def activite_key(activite: str) -> str:
    return f"activite:{activite}"


def theme_key(theme: str) -> str:
    return f"theme:{theme}"


def sous_theme_key(sous_theme: str) -> str:
    return f"sous_theme:{sous_theme}"


def canal_key(canal: str) -> str:
    return f"canal:{canal}"


def duree_key(bucket: str) -> str:
    return f"duree:{bucket}"


def minutes_key(activite: str) -> str:
    return f"minutes:{activite}"


def organisme_key(organisme: str) -> str:
    return f"organisme:{organisme}"


def mois_key(day: datetime.date) -> str:
    return f"mois:{day:%Y-%m}"


# Every key but the months, in a stable order (e.g. the columns of an aggregate table).
FIXED_KEYS: tuple[str, ...] = (
    CRA,
    *(activite_key(activite) for activite in Activite.values),
    PARTICIPANTS_ATELIERS,
    *FIELD_SUMS,
    *(theme_key(theme) for theme in Theme.values),
    *(sous_theme_key(sous_theme) for sous_theme in SousTheme.values),
    *(canal_key(canal) for canal in Canal.values),
    *(duree_key(bucket.key) for bucket in DUREE_BUCKETS),
    *(minutes_key(activite) for activite in Activite.values),
    *(organisme_key(organisme) for organisme in Organisme.values),
)


def add_sums(parts: Iterable[Mapping[str, int]]) -> Counter:
    """The sums of the union of disjoint sets of CRAs."""
    total = Counter()
    for part in parts:
        total.update(part)
    return total


def cra_sums(cra, redirections: Iterable[tuple[str, int]] = ()) -> Counter:
    """What one CRA adds to the sums, computed in Python: `cra` has the Cra fields as attributes,
    `redirections` are its (organisme, nombre). The oracle of the tests; usable by incremental code."""
    sums = Counter([CRA, activite_key(cra.activite), canal_key(cra.canal), mois_key(cra.date_accompagnement)])
    if cra.activite == Activite.COLLECTIF:
        sums[PARTICIPANTS_ATELIERS] += cra.nb_participants
    for key, field in FIELD_SUMS.items():
        sums[key] += getattr(cra, field)
    for theme, bit in THEME_BITS.items():
        if cra.themes & bit:
            sums[theme_key(theme)] += 1
    for sous_theme, bit in SOUS_THEME_BITS.items():
        if cra.sous_themes & bit:
            sums[sous_theme_key(sous_theme)] += 1
    sums[duree_key(duree_bucket(cra.duree, cra.duree_minutes))] += 1
    sums[minutes_key(cra.activite)] += minutes_comptees(cra.duree, cra.duree_minutes)
    for organisme, nombre in redirections:
        sums[organisme_key(organisme)] += nombre
    return +sums


def _bucket_condition(bucket: DureeBucket) -> Q:
    condition = Q(duree=bucket.duree)
    if bucket.min_minutes is not None:
        condition &= Q(duree_minutes__gte=bucket.min_minutes)
    if bucket.max_minutes is not None:
        condition &= Q(duree_minutes__lt=bucket.max_minutes)
    return condition


def sum_aggregates() -> dict[str, Aggregate]:
    """Sum key -> the SQL aggregate computing it over a set of CRAs (the redirections and the months
    aside): what cra_sums does for one CRA, done by the database. The one definition shared by the
    reference computation, the aggregates' writes and the bench."""
    minutes = Case(
        *(When(duree=duree, then=Value(value)) for duree, value in MINUTES_PAR_DUREE.items()),
        default=F("duree_minutes"),
        output_field=IntegerField(),
    )
    return {
        CRA: Count("pk"),
        **{activite_key(a): Count("pk", filter=Q(activite=a)) for a, _label in ACTIVITES},
        PARTICIPANTS_ATELIERS: Sum("nb_participants", filter=Q(activite=Activite.COLLECTIF)),
        **{key: Sum(field) for key, field in FIELD_SUMS.items()},
        **{
            theme_key(theme): Count("pk", filter=GreaterThan(F("themes").bitand(bit), 0))
            for theme, bit in THEME_BITS.items()
        },
        **{
            sous_theme_key(sous_theme): Count("pk", filter=GreaterThan(F("sous_themes").bitand(bit), 0))
            for sous_theme, bit in SOUS_THEME_BITS.items()
        },
        **{canal_key(canal): Count("pk", filter=Q(canal=canal)) for canal, _label in CANAUX},
        **{duree_key(b.key): Count("pk", filter=_bucket_condition(b)) for b in DUREE_BUCKETS},
        **{minutes_key(a): Sum(minutes, filter=Q(activite=a)) for a, _label in ACTIVITES},
    }
