"""The reference computation: the sums of a request straight from the raw CRAs.

Two queries whatever the scope and the number of CRAs (portable SQL, SQLite and PostgreSQL):
1. one pass over the CRAs of the request, grouped by month, computing every counter at once with
   conditional aggregation (bit tests on `themes` / `sous_themes`); the months give the evolution and
   their sum everything else;
2. the redirections of those CRAs summed per organisme.
It is the yardstick the aggregates are checked against (`check_stats`, the tests).
"""

from collections import Counter

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from cra.models import Cra, CraRedirection
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


def reference_sums(request: StatsRequest) -> Counter:
    """The sums of a request from the raw CRAs (two queries)."""
    counters = s.sum_aggregates()
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
