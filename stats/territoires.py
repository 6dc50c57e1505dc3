""" "Statistiques par territoire" (SPEC §5, §6): one row per département or région, in constant queries;
and the same rows for the départements of one territory (its page).

Activity columns (CRA enregistrés, personnes, accompagnements) come from the département rollups of the
aggregates over the period; the conseiller columns are the current state:
- Dotation de conseillers: Σ dotation of the territory's structures in statut VALIDATION_COSELEC;
- Conseillers recrutés: conseillers in post today (ConseillerQuerySet.recrutes) in those structures;
- CnFS activés: those of them who activated their Espace Coop; en attente = recrutés − activés;
- Taux d'activation: activés × 100 / recrutés, rounded half up to a whole number.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum

from conseillers.models import Conseiller
from stats.aggregates import territory_sums
from stats.request import ScopeKind, StatsScope
from stats.results import key_figures, taux_entier
from structures.enums import Maille
from structures.models import Departement, Region, Structure


@dataclass(frozen=True, kw_only=True)
class Postes:
    """The conseillers of a territory today: its dotation, recrutés and activés (definitions above)."""

    dotation: int = 0
    recrutes: int = 0
    actives: int = 0

    @property
    def en_attente(self) -> int:
        return self.recrutes - self.actives

    @property
    def taux_activation(self) -> int:
        return taux_entier(self.actives, self.recrutes)


@dataclass(frozen=True)
class LigneTerritoire(Postes):
    code: str
    nom: str
    cra: int = 0
    personnes: int = 0
    accompagnements: int = 0


# The summable numbers of a row (the totals row adds them up); en_attente and taux_activation derive.
NUMBERS = ("cra", "personnes", "accompagnements", "dotation", "recrutes", "actives")


@dataclass(frozen=True)
class TableauTerritoires:
    maille: Maille
    du: datetime.date
    au: datetime.date
    lignes: tuple[LigneTerritoire, ...]
    total: LigneTerritoire
    computed_at: datetime.datetime | None = field(default=None, compare=False)


def _territories(maille: Maille, departements: QuerySet[Departement] | None) -> list[tuple[str, str]]:
    if departements is not None:
        territories = departements
    else:
        territories = Departement.objects.all() if maille == Maille.DEPARTEMENT else Region.objects.all()
    return list(territories.order_by("code").values_list("code", "nom"))


def _structures_path(maille: Maille) -> str:
    """From a Structure to the code of its territory."""
    return "departement" if maille == Maille.DEPARTEMENT else "departement__region"


def _structures(departements: QuerySet[Departement] | None) -> QuerySet[Structure]:
    structures = Structure.objects.validees()
    return structures if departements is None else structures.filter(departement__in=departements)


def _dotations(maille: Maille, structures: QuerySet[Structure]) -> dict[str, int]:
    rows = structures.values(_code=F(_structures_path(maille))).annotate(_dotation=Sum("dotation")).order_by()
    return {row["_code"]: row["_dotation"] or 0 for row in rows}


def _conseillers(maille: Maille, structures: QuerySet[Structure]) -> dict[str, tuple[int, int]]:
    """Code -> (recrutés, activés)."""
    rows = (
        Conseiller.objects.recrutes()
        .filter(structure__in=structures)
        .values(_code=F(f"structure__{_structures_path(maille)}"))
        .annotate(_recrutes=Count("pk"), _actives=Count("pk", filter=Q(date_activation__isnull=False)))
        .order_by()
    )
    return {row["_code"]: (row["_recrutes"], row["_actives"]) for row in rows}


def _activity(sums: Counter) -> dict[str, int]:
    figures = key_figures(sums)
    return {key: figures[key] for key in ("cra", "personnes", "accompagnements")}


def tableau_territoires(
    maille: Maille,
    du: datetime.date,
    au: datetime.date,
    *,
    departements: QuerySet[Departement] | None = None,
    total: str = "Total France",
) -> TableauTerritoires:
    """Every département or région, in code order, with its totals row named `total`; or only the
    `departements` of one territory (maille "departement"). Six queries whatever the number of
    territories: the territories, the last rebuild, two sums of the rollups, the dotations, the
    conseillers."""
    maille = Maille(maille)
    territories = _territories(maille, departements)
    sums, computed_at = territory_sums(maille, du, au)
    structures = _structures(departements)
    dotations = _dotations(maille, structures)
    conseillers = _conseillers(maille, structures)
    lignes = tuple(
        LigneTerritoire(
            code,
            nom,
            **_activity(sums.get(code, Counter())),
            dotation=dotations.get(code, 0),
            recrutes=conseillers.get(code, (0, 0))[0],
            actives=conseillers.get(code, (0, 0))[1],
        )
        for code, nom in territories
    )
    total = LigneTerritoire(
        "", total, **{key: sum(getattr(ligne, key) for ligne in lignes) for key in NUMBERS}
    )
    return TableauTerritoires(maille, du, au, lignes, total, computed_at)


def departements_du_territoire(scope: StatsScope) -> QuerySet[Departement]:
    """The départements whose structures' CRAs a territorial scope counts (SPEC §5: a région and a hub
    are the sum of their départements)."""
    match scope.kind:
        case ScopeKind.DEPARTEMENT:
            return Departement.objects.filter(code=scope.code)
        case ScopeKind.REGION:
            return Departement.objects.filter(region_id=scope.code)
        case ScopeKind.HUB:
            return Departement.objects.filter(hubs=scope.id)
        case ScopeKind.NATIONAL:
            return Departement.objects.all()
    raise ValueError(f"Portée sans territoire : {scope.kind}")
