"""The statistics PDF as a report (SPEC §20, issue 16): 2 to 4 pages for a typical year, no heading ending a
page, nothing outside the printable area; the evolution grouped as on the page."""

import datetime
import io

import pypdf
import pytest
from django.utils import timezone
from weasyprint.formatting_structure.boxes import MarginBox

from cnfs.exports.statistiques import Entete, pdf_html, pdf_maker
from cnfs.socle.periode import DATE_LANCEMENT
from cra.generation import generate_cras
from stats.charts import page_charts
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
HEADINGS = {"Chiffres clés", "Graphiques", "Annexe : les chiffres des graphiques"}
FOOTER = ("Page ", "Généré le ")


@pytest.fixture
def demo_year(world):
    """A year of CRAs for the world's activated conseillers, as the demo generates them."""
    generate_cras(count=1_500, seed=16, start=YEAR[0], today=YEAR[1], method="bulk")
    return world


def report(scope: StatsScope, du: datetime.date, au: datetime.date, scope_name: str):
    """The laid-out report (a weasyprint Document) and its PDF read back by pypdf."""
    stats = statistiques(StatsRequest(scope, du, au), source="reference")
    document = pdf_maker().document(pdf_html(stats, Entete("Statistiques", scope_name, timezone.localtime())))
    return stats, document, pypdf.PdfReader(io.BytesIO(document.write_pdf()))


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def outside_printable_area(document) -> list[str]:
    """The boxes of the flow (not the margins' page numbers) reaching out of their page's content area."""
    outside = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        for flow in page_box.children:
            if isinstance(flow, MarginBox):
                continue
            for box in _boxes(flow):
                x, y = box.border_box_x(), box.border_box_y()
                if x < left - 0.5 or y < top - 0.5 or x + box.border_width() > right + 0.5:
                    outside.append(f"page {number}: {box!r} at ({x:.0f}, {y:.0f})")
                elif y + box.border_height() > bottom + 0.5:
                    outside.append(
                        f"page {number}: {box!r} ends at {y + box.border_height():.0f} > {bottom:.0f}"
                    )
    return outside


def last_lines(pdf) -> list[str]:
    """The last line of text of each page, the margins' page number and generation date aside."""
    lasts = []
    for page in pdf.pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        lasts.append([line for line in lines if line and not line.startswith(FOOTER)][-1])
    return lasts


@pytest.mark.slow
@pytest.mark.parametrize("scope_of", ["conseiller", "structure", "national"])
def test_a_typical_year_is_a_report_of_two_to_four_pages(demo_year, scope_of):
    w = demo_year
    scope, name = {
        "conseiller": (StatsScope.conseiller(w.alice.pk), "Alice Arnaud"),
        "structure": (StatsScope.structure(w.villeurbanne.pk), w.villeurbanne.nom),
        "national": (StatsScope.national(), "National"),
    }[scope_of]

    stats, document, pdf = report(scope, *YEAR, name)

    assert stats["cra"] > 100
    assert 2 <= len(pdf.pages) <= 4, len(pdf.pages)
    titles = HEADINGS | {chart.title for chart in page_charts(stats)}
    assert not [line for line in last_lines(pdf) if line in titles]
    assert outside_printable_area(document) == []
    text = " ".join(page.extract_text() for page in pdf.pages)
    for title in titles:
        assert title in text, title


@pytest.mark.slow
def test_the_evolution_since_the_launch_is_grouped_by_year_and_empty_years_folded(demo_year):
    today = timezone.localdate()
    stats, document, pdf = report(StatsScope.national(), DATE_LANCEMENT, today, "National")

    evolution = next(chart for chart in page_charts(stats) if chart.key == "evolution")
    assert len(stats.evolution) > 60 and evolution.row_header == "Année"
    # 2020 to 2023 had no CRA: one line; 2024, the year of the CRAs, holds them all.
    assert [(row.label, row.value) for row, _depth in evolution.lines] == [
        ("2020 – 2023 : aucune activité", 0),
        ("2024", stats["cra"]),
        (f"2025 – {today.year} : aucune activité", 0),
    ]
    assert 2 <= len(pdf.pages) <= 4 and outside_printable_area(document) == []
