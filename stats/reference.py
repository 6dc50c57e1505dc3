"""The reference computation: the sums of a request straight from the raw CRAs.

Two queries whatever the scope and the number of CRAs (portable SQL, SQLite and PostgreSQL):
1. one pass over the CRAs of the request, grouped by month, computing every counter at once with
   conditional aggregation (bit tests on `themes` / `sous_themes`); the months give the evolution and
   their sum everything else;
2. the redirections of those CRAs summed per organisme.
It is the yardstick the aggregates are checked against (`check_stats`, the tests).
"""

from collections import Counter

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThan

from cra.enums import Activite
from cra.models import SOUS_THEME_BITS, THEME_BITS, Cra, CraRedirection
from stats import definitions as d
from stats import sums as s
from stats.request import ScopeKind, StatsRequest
from structures.models import Departement


def request_filter(request: StatsRequest, prefix: str = "") -> Q:
    """The CRAs of a request (not deleted, in the period, in the scope, at the place), as a Q on Cra or,
    with `prefix` ("cra__"), on a model pointing to Cra."""
    scope = request.scope

    def q(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    condition = q(deleted_at__isnull=True, date_accompagnement__range=(request.du, request.au))
    match scope.kind:
        case ScopeKind.REGION:
            condition &= q(structure__departement__region_id=scope.code)
        case ScopeKind.DEPARTEMENT:
            condition &= q(structure__departement_id=scope.code)
        case ScopeKind.HUB:
            condition &= q(structure__departement__in=Departement.objects.filter(hubs=scope.id).values("pk"))
        case ScopeKind.STRUCTURE:
            condition &= q(structure_id=scope.id)
        case ScopeKind.CONSEILLER:
            condition &= q(conseiller_id=scope.id)
            if scope.structure_id is not None:
                condition &= q(structure_id=scope.structure_id)
        case ScopeKind.EQUIPE:
            condition &= q(conseiller_id__in=sorted(scope.conseiller_ids))
    if request.code_postal:
        condition &= q(code_postal=request.code_postal)
    if request.code_commune:
        condition &= q(code_commune=request.code_commune)
    return condition


def cras_for(request: StatsRequest) -> QuerySet[Cra]:
    return Cra.objects.filter(request_filter(request))


def _bucket_condition(bucket: d.DureeBucket) -> Q:
    condition = Q(duree=bucket.duree)
    if bucket.min_minutes is not None:
        condition &= Q(duree_minutes__gte=bucket.min_minutes)
    if bucket.max_minutes is not None:
        condition &= Q(duree_minutes__lt=bucket.max_minutes)
    return condition


def _counters() -> dict[str, object]:
    """Sum key -> the aggregate expression computing it over a set of CRAs (stats.sums)."""
    minutes = Case(
        *(When(duree=duree, then=Value(value)) for duree, value in d.MINUTES_PAR_DUREE.items()),
        default=F("duree_minutes"),
        output_field=IntegerField(),
    )
    return {
        s.CRA: Count("pk"),
        **{s.activite_key(a): Count("pk", filter=Q(activite=a)) for a, _label in d.ACTIVITES},
        s.PARTICIPANTS_ATELIERS: Sum("nb_participants", filter=Q(activite=Activite.COLLECTIF)),
        **{key: Sum(field) for key, field in s.FIELD_SUMS.items()},
        **{
            s.theme_key(theme): Count("pk", filter=GreaterThan(F("themes").bitand(bit), 0))
            for theme, bit in THEME_BITS.items()
        },
        **{
            s.sous_theme_key(sous_theme): Count("pk", filter=GreaterThan(F("sous_themes").bitand(bit), 0))
            for sous_theme, bit in SOUS_THEME_BITS.items()
        },
        **{s.canal_key(canal): Count("pk", filter=Q(canal=canal)) for canal, _label in d.CANAUX},
        **{s.duree_key(b.key): Count("pk", filter=_bucket_condition(b)) for b in d.DUREE_BUCKETS},
        **{s.minutes_key(a): Sum(minutes, filter=Q(activite=a)) for a, _label in d.ACTIVITES},
    }


def reference_sums(request: StatsRequest) -> Counter:
    """The sums of a request from the raw CRAs (two queries)."""
    counters = _counters()
    # Positional aliases: the sum keys hold ":" and must not depend on what SQL accepts as a column name.
    aliases = {f"s{i}": key for i, key in enumerate(counters)}
    per_month = (
        cras_for(request)
        .annotate(_mois=TruncMonth("date_accompagnement"))
        .values("_mois")
        .annotate(**{alias: counters[key] for alias, key in aliases.items()})
        .order_by()
    )
    sums = Counter()
    for row in per_month:
        month = {key: row[alias] or 0 for alias, key in aliases.items()}  # SUM of no row is NULL
        sums.update(month)
        sums[s.mois_key(row["_mois"])] += month[s.CRA]
    redirections = (
        CraRedirection.objects.filter(request_filter(request, prefix="cra__"))
        .values("organisme")
        .annotate(total=Sum("nombre"))
        .order_by()
    )
    for row in redirections:
        sums[s.organisme_key(row["organisme"])] += row["total"]
    return +sums
