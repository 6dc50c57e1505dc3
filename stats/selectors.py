"""The one entry point of the statistics: a request in, a Statistiques out, whatever computes the sums."""

import datetime
from collections.abc import Callable, Mapping

from django.utils import timezone

from stats.aggregates import aggregates_sums
from stats.reference import reference_sums
from stats.request import StatsRequest
from stats.results import Statistiques, derive

Source = Callable[[StatsRequest], tuple[Mapping[str, int], datetime.datetime]]


def _reference(request: StatsRequest) -> tuple[Mapping[str, int], datetime.datetime]:
    # Live from the raw CRAs: up to date now.
    return reference_sums(request), timezone.now()


# Name -> function giving the sums of a request and when they were computed ("Données mises à jour le …").
# Every source must give the same sums for the same request.
SOURCES: dict[str, Source] = {
    "reference": _reference,
    # Precomputed rows (stats.aggregates): what the pages use; the reference is their yardstick.
    "aggregats": aggregates_sums,
}


def statistiques(request: StatsRequest, *, source: str = "aggregats") -> Statistiques:
    """The statistics of a scope and period, computed by `source` and derived by the shared definitions."""
    sums, computed_at = SOURCES[source](request)
    return derive(sums, du=request.du, au=request.au, computed_at=computed_at)
