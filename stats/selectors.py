"""The one entry point of the statistics: a request in, a Statistiques out, whatever computes the sums."""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT
from conseillers.models import Conseiller
from stats.aggregates import aggregates_sums
from stats.reference import reference_sums
from stats.request import StatsRequest, StatsScope
from stats.results import Statistiques, derive
from structures.models import Structure

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


@dataclass(frozen=True)
class ChiffresNationaux:
    """The headline figures of the public home page (open data): since the launch, and today's state."""

    personnes: int
    accompagnements: int
    cra: int
    conseillers: int  # in post today
    structures: int  # validated by the selection committee
    computed_at: datetime.datetime | None


CHIFFRES_NATIONAUX_CACHE = "stats:chiffres-nationaux"
CHIFFRES_NATIONAUX_SECONDS = 600  # anonymous traffic must not reach the database on every visit


def chiffres_nationaux() -> ChiffresNationaux:
    """The national headline figures, cached for ten minutes."""
    chiffres = cache.get(CHIFFRES_NATIONAUX_CACHE)
    if chiffres is None:
        national = statistiques(StatsRequest(StatsScope.national(), DATE_LANCEMENT, timezone.localdate()))
        chiffres = ChiffresNationaux(
            personnes=national["personnes"],
            accompagnements=national["accompagnements"],
            cra=national["cra"],
            conseillers=Conseiller.objects.recrutes().count(),
            structures=Structure.objects.validees().count(),
            computed_at=national.computed_at,
        )
        cache.set(CHIFFRES_NATIONAUX_CACHE, chiffres, CHIFFRES_NATIONAUX_SECONDS)
    return chiffres
