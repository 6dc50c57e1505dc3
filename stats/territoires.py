""" "Statistiques par territoire" (SPEC §5, §6): one row per département or région, in constant queries.

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

from django.db.models import Count, F, Q, Sum

from conseillers.models import Conseiller
from stats.aggregates import territory_sums
from stats.results import key_figures, taux_entier
from structures.enums import Maille
from structures.models import Departement, Region, Structure


@dataclass(frozen=True)
class LigneTerritoire:
    code: str
    nom: str
    cra: int = 0
    personnes: int = 0
    accompagnements: int = 0
    dotation: int = 0
    recrutes: int = 0
    actives: int = 0

    @property
    def en_attente(self) -> int:
        return self.recrutes - self.actives

    @property
    def taux_activation(self) -> int:
        return taux_entier(self.actives, self.recrutes)


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


def _territories(maille: Maille) -> list[tuple[str, str]]:
    model = Departement if maille == Maille.DEPARTEMENT else Region
    return list(model.objects.order_by("code").values_list("code", "nom"))


def _structures_path(maille: Maille) -> str:
    """From a Structure to the code of its territory."""
    return "departement" if maille == Maille.DEPARTEMENT else "departement__region"


def _dotations(maille: Maille) -> dict[str, int]:
    rows = (
        Structure.objects.validees()
        .values(_code=F(_structures_path(maille)))
        .annotate(_dotation=Sum("dotation"))
        .order_by()
    )
    return {row["_code"]: row["_dotation"] or 0 for row in rows}


def _conseillers(maille: Maille) -> dict[str, tuple[int, int]]:
    """Code -> (recrutés, activés)."""
    rows = (
        Conseiller.objects.recrutes()
        .filter(structure__in=Structure.objects.validees())
        .values(_code=F(f"structure__{_structures_path(maille)}"))
        .annotate(_recrutes=Count("pk"), _actives=Count("pk", filter=Q(date_activation__isnull=False)))
        .order_by()
    )
    return {row["_code"]: (row["_recrutes"], row["_actives"]) for row in rows}


def _activity(sums: Counter) -> dict[str, int]:
    figures = key_figures(sums)
    return {key: figures[key] for key in ("cra", "personnes", "accompagnements")}


def tableau_territoires(maille: Maille, du: datetime.date, au: datetime.date) -> TableauTerritoires:
    """Every département or région, in code order, with its totals row. Six queries whatever the number
    of territories: the territories, the last rebuild, two sums of the rollups, the dotations, the
    conseillers."""
    maille = Maille(maille)
    territories = _territories(maille)
    sums, computed_at = territory_sums(maille, du, au)
    dotations = _dotations(maille)
    conseillers = _conseillers(maille)
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
        "",
        "Total France",
        **{key: sum(getattr(ligne, key) for ligne in lignes) for key in NUMBERS},
    )
    return TableauTerritoires(maille, du, au, lignes, total, computed_at)
