"""The "aggregats" source of the sums: a request answered by adding up precomputed rows (stats.models).

- national, région, département, hub: the (month, département) rollup for the whole months of the period,
  the (day, département) rollup for the days of the partial months at its ends;
- structure, conseiller (optionally for one employer), équipe: the (day, structure, conseiller) rows;
- a code postal / commune filter is not a key of the aggregates: those requests (a structure or a
  conseiller, small and indexed scopes) go to the reference computation.

Three queries whatever the scope and the period: the last rebuild, then two grouped SUMs (territory) or
one (the other scopes, plus the same rebuild query).
"""

import datetime
from collections import Counter
from collections.abc import Mapping

from django.db.models import F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cnfs.socle.periode import month_start, next_month
from stats import sums as s
from stats.models import COLUMNS, AgregatDepartementJour, AgregatDepartementMois, AgregatJour, EtatAgregats
from stats.reference import reference_sums
from stats.request import ScopeKind, StatsRequest
from structures.models import Departement

TERRITORIES = frozenset({ScopeKind.NATIONAL, ScopeKind.REGION, ScopeKind.DEPARTEMENT, ScopeKind.HUB})
# Positional aliases: the sum keys hold ":" (as in stats.reference).
ALIASES: dict[str, str] = {f"s{i}": key for i, key in enumerate(COLUMNS)}


def _sums_of(queryset: QuerySet, **groups) -> QuerySet:
    """The rows of `queryset` summed per value of `groups` (alias -> expression), with the latest
    `computed_at` of each group."""
    return (
        queryset.values(**groups)
        .annotate(
            _computed_at=Max("computed_at"), **{alias: Sum(COLUMNS[key]) for alias, key in ALIASES.items()}
        )
        .order_by()
    )


def _row_sums(row) -> dict[str, int]:
    return {key: row[alias] or 0 for alias, key in ALIASES.items()}


def _territory(request: StatsRequest) -> Q:
    scope = request.scope
    match scope.kind:
        case ScopeKind.REGION:
            return Q(region=scope.code)
        case ScopeKind.DEPARTEMENT:
            return Q(departement=scope.code)
        case ScopeKind.HUB:
            return Q(departement__in=Departement.objects.filter(hubs=scope.id).values("pk"))
    return Q()


def _people(request: StatsRequest) -> Q:
    scope = request.scope
    match scope.kind:
        case ScopeKind.STRUCTURE:
            return Q(structure_id=scope.id)
        case ScopeKind.CONSEILLER:
            condition = Q(conseiller_id=scope.id)
            if scope.structure_id is not None:
                condition &= Q(structure_id=scope.structure_id)
            return condition
        case ScopeKind.EQUIPE:
            return Q(conseiller_id__in=sorted(scope.conseiller_ids))
    raise ValueError(f"Portée sans agrégat par conseiller : {scope.kind}")


def whole_months(du: datetime.date, au: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[first, end): the whole months of the period, empty (first >= end) when it holds none."""
    first = du if du.day == 1 else next_month(du)
    end = au + datetime.timedelta(days=1)
    return first, (end if end.day == 1 else month_start(au))


def _departement_rows(territory: Q, du: datetime.date, au: datetime.date) -> tuple[QuerySet, QuerySet]:
    """The month rows of the whole months of du…au, and the day rows of its partial months."""
    first, end = whole_months(du, au)
    if first < end:
        edges = Q(jour__gte=du, jour__lt=first) | Q(jour__gte=end, jour__lte=au)
    else:
        edges = Q(jour__range=(du, au))
    # Always both querysets, so that the number of queries does not depend on the period.
    months = AgregatDepartementMois.objects.filter(territory, mois__gte=first, mois__lt=end)
    days = AgregatDepartementJour.objects.filter(territory, edges)
    return months, days


def _querysets(request: StatsRequest) -> list[QuerySet]:
    du, au = request.du, request.au
    if request.scope.kind not in TERRITORIES:
        rows = AgregatJour.objects.filter(_people(request), jour__range=(du, au))
        return [_sums_of(rows, _mois=TruncMonth("jour"))]
    months, days = _departement_rows(_territory(request), du, au)
    return [_sums_of(months, _mois=F("mois")), _sums_of(days, _mois=TruncMonth("jour"))]


def last_rebuild() -> datetime.datetime | None:
    return EtatAgregats.objects.filter(pk=1).values_list("rebuilt_at", flat=True).first()


def territory_sums(
    maille: str, du: datetime.date, au: datetime.date
) -> tuple[dict[str, Counter], datetime.datetime | None]:
    """The sums of every département (maille "departement") or région ("region") having CRAs in du…au,
    by code, and when they were computed. Three queries whatever the number of territories."""
    computed = [last_rebuild()]
    sums: dict[str, Counter] = {}
    for queryset in _departement_rows(Q(), du, au):
        for row in _sums_of(queryset, _code=F(maille)):
            sums.setdefault(row["_code"], Counter()).update(_row_sums(row))
            computed.append(row["_computed_at"])
    return sums, _latest(computed)


def _latest(moments) -> datetime.datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def aggregates_sums(request: StatsRequest) -> tuple[Mapping[str, int], datetime.datetime | None]:
    """The sums of a request from the aggregates, and when they were computed (the latest of the last
    rebuild and of the rows summed)."""
    if request.filtered:
        return reference_sums(request), timezone.now()
    computed = [last_rebuild()]
    sums = Counter()
    for queryset in _querysets(request):
        for row in queryset:
            month = _row_sums(row)
            sums.update(month)
            sums[s.mois_key(row["_mois"])] += month[s.CRA]
            computed.append(row["_computed_at"])
    return +sums, _latest(computed)
