"""The result of a statistics request, derived from the sums by one pure function.

Whatever computed the sums (the reference from the raw CRAs, or the aggregates), the ratios, labels, row
order and rounding all happen here, once.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from stats import definitions as d
from stats import sums as s


@dataclass(frozen=True)
class Row:
    """One line of a section: a figure with its label and, where the section has one, its percentage."""

    key: str
    label: str
    value: int | Decimal
    percent: Decimal | None = None
    children: tuple["Row", ...] = ()


def flatten(rows: Iterable[Row]) -> list[tuple[Row, int]]:
    """The rows and their sub-rows, in order, with their depth (0, or 1 for "dont Mon espace santé")."""
    return [(line, depth) for row in rows for line, depth in ((row, 0), *((c, 1) for c in row.children))]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Statistiques:
    """Everything a statistics page, its CSV and its PDF show for one scope and period."""

    du: datetime.date
    au: datetime.date
    chiffres: Mapping[str, Row]  # the key figures, by id, in the order of definitions.KEY_FIGURES
    themes: tuple[Row, ...]  # "Mon espace santé" is a child of Santé
    canaux: tuple[Row, ...]
    durees: tuple[Row, ...]
    temps: tuple[Row, ...]  # minutes per activité
    temps_total: int
    ages: tuple[Row, ...]
    statuts: tuple[Row, ...]
    redirections_detail: tuple[Row, ...]
    evolution: tuple[Row, ...]  # one row per month of the period, key "YYYY-MM"
    # When the sums were computed (the aggregates' last run; now for the reference): not part of equality.
    computed_at: datetime.datetime | None = field(default=None, compare=False)

    def __getitem__(self, key: str) -> int | Decimal:
        """stats["personnes"]: the value of a key figure."""
        return self.chiffres[key].value

    @property
    def sections(self) -> tuple[Section, ...]:
        """The charts / CSV sections in their order (definitions.SECTIONS)."""
        return tuple(Section(key, title, getattr(self, key)) for key, title in d.SECTIONS)


def pourcentage(value: int, total: int) -> Decimal:
    """value × 100 / total with one decimal, rounded half up (12.25 -> 12.3), 0 when total is 0.

    Computed on integers, so no binary rounding can move a half: tenths = ⌊(2·1000·value + total) / 2·total⌋.
    """
    if total <= 0:
        return Decimal("0.0")
    tenths = (2000 * value + total) // (2 * total)
    return Decimal(tenths).scaleb(-1)


def taux_entier(value: int, total: int) -> int:
    """value × 100 / total rounded half up to a whole number (the "Taux d'activation"), 0 when total is 0."""
    if total <= 0:
        return 0
    return (200 * value + total) // (2 * total)


def _shares(buckets, values: Mapping[str, int]) -> tuple[Row, ...]:
    """Rows whose percentages are shares of their own sum (ages, statuts)."""
    total = sum(values[key] for key, _label in buckets)
    return tuple(Row(key, label, values[key], pourcentage(values[key], total)) for key, label in buckets)


def key_figures(sums: Mapping[str, int]) -> dict[str, int | Decimal]:
    """The key figures (definitions.KEY_FIGURES) of sums (a missing key counts 0)."""
    sums = _Zeros(sums)
    individuels = sums[s.activite_key("individuel")]
    ponctuels = sums[s.activite_key("ponctuel")]
    accompagnements = sums[s.PARTICIPANTS_ATELIERS] + individuels + ponctuels
    avec_suivi = sums["suivi_individuel"] + sums["suivi_atelier"] + sums["redirections"]
    return {
        "cra": sums[s.CRA],
        "ateliers": sums[s.activite_key("collectif")],
        "participants_ateliers": sums[s.PARTICIPANTS_ATELIERS],
        "individuels": individuels,
        "ponctuels": ponctuels,
        "accompagnements": accompagnements,
        "recurrents": sums["recurrents"],
        "personnes": accompagnements - sums["recurrents"],
        "suivi_individuel": sums["suivi_individuel"],
        "suivi_atelier": sums["suivi_atelier"],
        "redirections": sums["redirections"],
        "avec_suivi": avec_suivi,
        "taux_suivi": pourcentage(avec_suivi, accompagnements),
    }


def _themes(sums: Mapping[str, int]) -> tuple[Row, ...]:
    shown = list(d.THEMES_SHOWN) + [t for t in d.THEMES_SHOWN_WHEN_POSITIVE if sums[s.theme_key(t)] > 0]
    total = sum(sums[s.theme_key(theme)] for theme in shown)
    return tuple(
        Row(
            theme,
            d.theme_label(theme),
            sums[s.theme_key(theme)],
            pourcentage(sums[s.theme_key(theme)], total),
            children=tuple(
                Row(
                    sous_theme,
                    d.sous_theme_label(sous_theme),
                    sums[s.sous_theme_key(sous_theme)],
                    pourcentage(sums[s.sous_theme_key(sous_theme)], total),
                )
                for sous_theme in d.THEME_SUB_ROWS.get(theme, ())
            ),
        )
        for theme in shown
    )


def _redirections(sums: Mapping[str, int]) -> tuple[Row, ...]:
    values = {organisme: sums[s.organisme_key(organisme)] for organisme, _label in d.ORGANISMES}
    return tuple(
        Row(organisme, label, values[organisme], pourcentage(values[organisme], sums["redirections"]))
        for organisme, label in d.ORGANISMES
        if values[organisme] > 0
    )


def months(du: datetime.date, au: datetime.date) -> Iterator[datetime.date]:
    """The first day of every month from du's to au's, both included."""
    year, month = du.year, du.month
    while (year, month) <= (au.year, au.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def derive(
    sums: Mapping[str, int],
    *,
    du: datetime.date,
    au: datetime.date,
    computed_at: datetime.datetime | None = None,
) -> Statistiques:
    """The statistics of a period from its sums (a missing key counts 0)."""
    sums = _Zeros(sums)
    figures = key_figures(sums)
    temps = {activite: sums[s.minutes_key(activite)] for activite, _label in d.ACTIVITES}
    return Statistiques(
        du=du,
        au=au,
        chiffres=MappingProxyType({key: Row(key, label, figures[key]) for key, label in d.KEY_FIGURES}),
        themes=_themes(sums),
        canaux=tuple(
            Row(canal, label, sums[s.canal_key(canal)], pourcentage(sums[s.canal_key(canal)], sums[s.CRA]))
            for canal, label in d.CANAUX
        ),
        durees=tuple(
            Row(bucket.key, bucket.label, sums[s.duree_key(bucket.key)]) for bucket in d.DUREE_BUCKETS
        ),
        temps=tuple(Row(activite, label, temps[activite]) for activite, label in d.ACTIVITES),
        temps_total=sum(temps.values()),
        ages=_shares(d.AGE_BUCKETS, sums),
        statuts=_shares(d.STATUT_BUCKETS, sums),
        redirections_detail=_redirections(sums),
        evolution=tuple(
            Row(f"{month:%Y-%m}", d.mois_label(month.year, month.month), sums[s.mois_key(month)])
            for month in months(du, au)
        ),
        computed_at=computed_at,
    )


class _Zeros(dict):
    """A read view of the sums where a missing key is 0."""

    def __missing__(self, key):
        return 0
