"""The exports of a statistics page (SPEC §7): its CSV (sections of label;value(;%) lines) and its PDF
(the page laid out for A4 by WeasyPrint, with the same SVG charts). Both are built from the page's
`Statistiques` object, so they show exactly the page's numbers."""

import datetime
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from cnfs.exports.tableur import Cell
from cnfs.socle.pdf import PdfMaker
from stats import definitions as d
from stats.charts import INLINE, page_charts
from stats.formatting import NBSP, heures
from stats.results import Statistiques, flatten

# Sections whose values are also given as shares: the CSV titles say so (SPEC §7).
CSV_EN_POURCENTAGE = frozenset({"ages", "statuts", "redirections_detail"})


@dataclass(frozen=True)
class Entete:
    """What names a statistics export: the page's title and scope, when it was generated, and which CRAs
    it counts (stats.definitions.cras_comptes)."""

    titre: str
    scope_name: str
    genere_le: datetime.datetime
    cras_comptes: str = ""

    def periode(self, stats: Statistiques) -> str:
        return f"du {stats.du:%d/%m/%Y} au {stats.au:%d/%m/%Y}"


def _mis_a_jour(stats: Statistiques) -> str:
    if stats.computed_at is None:
        return "Données calculées à l'instant"
    return f"Données mises à jour le {timezone.localtime(stats.computed_at):%d/%m/%Y à %H:%M}"


def csv_lignes(stats: Statistiques, entete: Entete) -> list[list[Cell]]:
    """The rows of the statistics CSV: a title line (scope and period), then one block per section."""
    rows: list[list[Cell]] = [
        [f"{entete.titre} – {entete.scope_name}", entete.periode(stats)],
        *([[entete.cras_comptes]] if entete.cras_comptes else []),
        [_mis_a_jour(stats)],
        [],
        ["Général"],
    ]
    rows += [[label, stats.chiffres[key].value] for key, label in d.KEY_FIGURES]
    for section in stats.sections:
        title = f"{section.title} (en %)" if section.key in CSV_EN_POURCENTAGE else section.title
        rows += [[], [title]]
        for row, depth in flatten(section.rows):
            label = f"dont {row.label}" if depth else row.label
            value = heures(row.value).replace(NBSP, " ") if section.key == "temps" else row.value
            rows.append([label, value] if row.percent is None else [label, value, row.percent])
        if section.key == "temps":
            rows.append(["Total", heures(stats.temps_total).replace(NBSP, " ")])
    return rows


def pdf_html(stats: Statistiques, entete: Entete) -> str:
    """The report as HTML for WeasyPrint (SPEC §20): cover block, key figures, every chart whole with its
    title, the tables in an appendix."""
    return render_to_string(
        "stats/pdf.html",
        {
            "stats": stats,
            "charts": page_charts(stats, bars=INLINE),
            "entete": entete,
            "periode": entete.periode(stats),
            "mis_a_jour": _mis_a_jour(stats),
        },
    )


def pdf_maker() -> PdfMaker:
    return PdfMaker(css_file=finders.find("css/pdf.css"))


def pdf_bytes(stats: Statistiques, entete: Entete) -> bytes:
    """The statistics laid out for A4 as a report, with page numbers and the generation and update dates.
    Text stays text (selectable, searchable)."""
    return pdf_maker().pdf(pdf_html(stats, entete))
