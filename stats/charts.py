"""The charts of the statistics pages as SVG built on the server (SPEC §6, §7).

No JavaScript: the same markup goes into the page and, later, into the PDF (WeasyPrint). Each chart is a
pure function of its rows returning a SafeString: sizes through the viewBox (the CSS makes it fluid), DSFR
colours, real <text> (selectable, translatable by the browser), every label and value escaped. The data
table printed next to each chart carries the same figures for assistive technologies: the SVG is one image
(`role="img"`) named by its <title> and described by its <desc>.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from stats import formatting
from stats.results import Row, Statistiques, flatten

WIDTH = 400
FONT = "Marianne, arial, sans-serif"
BLUE_FRANCE = "#000091"
BLUE_FRANCE_LIGHT = "#6a6af4"
TRACK = "#eeeeee"
TEXT = "#161616"
MENTION = "#666666"
EMPTY_BACKGROUND = "#f6f6f6"
EMPTY_TEXT = "Aucune donnée sur la période"


@dataclass(frozen=True)
class BarLayout:
    """Where a horizontal bar chart puts each row's label, bar and value (SVG units, rows `row` high)."""

    row: float
    font_size: int
    label_y: float
    bar_x: float | None  # None: the bar starts under its label, indented like it
    bar_y: float
    bar_height: float
    value_space: float  # kept right of the longest bar for "1 234 567 (100,0 %)"
    value_y: float


# On the page: the label above its bar, the value after it.
STACKED = BarLayout(
    row=46, font_size=14, label_y=14, bar_x=None, bar_y=20, bar_height=16, value_space=140, value_y=33
)
# In the PDF: the label, its bar and its value on one line, half as high, so that a report keeps 2 to 4 pages;
# 200 units hold the longest label ("Gestion de contenus numériques").
INLINE = BarLayout(
    row=22, font_size=11, label_y=15, bar_x=200, bar_y=5, bar_height=13, value_space=100, value_y=15
)
INDENT = 16  # a sub-row ("Mon espace santé" under Santé)

# Columns per period (month, quarter or year).
COLUMNS_HEIGHT = 224
PLOT_TOP, PLOT_BOTTOM = 28, 180
PLOT_LEFT, PLOT_RIGHT = 8, WIDTH - 8
MAX_COLUMN_WIDTH = 48
VALUES_SHOWN_UP_TO = 12  # columns; beyond, they are too narrow for their values
YEAR_LABEL_SPACE = 32  # the room a year written under the axis needs before the next one
# An evolution longer than this many months is shown by quarter, and beyond the second by year: 74 columns
# can be neither read nor printed (issue 16).
MONTHS_SHOWN_UP_TO = 24
QUARTERS_SHOWN_UP_TO = 60
MOIS_COURTS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def _n(number: float) -> str:
    """A coordinate: one decimal at most, a dot (SVG syntax, not French)."""
    return f"{number:.1f}".removesuffix(".0")


def _svg(
    chart_id: str, title: str, description: str, height: float, body: SafeString, *, font_size: int = 14
) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="cnfs-chart__svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-titre" aria-describedby="{}-desc" font-family="{}" font-size="{}" fill="{}">'
        '<title id="{}-titre">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        _n(height),
        chart_id,
        chart_id,
        FONT,
        font_size,
        TEXT,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _empty(chart_id: str, title: str) -> SafeString:
    body = format_html(
        '<rect x="0" y="0" width="{}" height="80" fill="{}"/>'
        '<text x="{}" y="45" text-anchor="middle" fill="{}">{}</text>',
        WIDTH,
        EMPTY_BACKGROUND,
        _n(WIDTH / 2),
        MENTION,
        EMPTY_TEXT,
    )
    return _svg(chart_id, title, f"{EMPTY_TEXT}.", 80, body)


def _description(title: str) -> str:
    return f"Les valeurs sont détaillées dans le tableau « {title} » qui accompagne le graphique."


def horizontal_bars(
    rows: Sequence[Row],
    *,
    chart_id: str,
    title: str,
    value_format: Callable[[int], str] = formatting.nombre,
    layout: BarLayout = STACKED,
) -> SafeString:
    """One bar per row (sub-rows indented), its length proportional to the value, labelled with the value
    and, when the row has one, its percentage."""
    lines = flatten(rows)
    highest = max((line.value for line, _depth in lines), default=0)
    if highest <= 0:
        return _empty(chart_id, title)
    value_x = WIDTH - layout.value_space
    scale = (value_x - (layout.bar_x or 0)) / highest
    parts = []
    for index, (line, depth) in enumerate(lines):
        top = 8 + index * layout.row
        x = depth * INDENT
        bar_x = x if layout.bar_x is None else layout.bar_x
        value = value_format(line.value)
        if line.percent is not None:
            value = f"{value} ({formatting.pourcentage(line.percent)})"
        parts.append(
            format_html(
                '<text x="{}" y="{}"{}>{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect class="cnfs-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="{}" font-weight="700">{}</text>',
                x,
                top + layout.label_y,
                format_html(' fill="{}"', MENTION) if depth else "",
                line.label,
                bar_x,
                top + layout.bar_y,
                _n(value_x - bar_x),
                layout.bar_height,
                TRACK,
                bar_x,
                top + layout.bar_y,
                _n(line.value * scale),
                layout.bar_height,
                BLUE_FRANCE_LIGHT if depth else BLUE_FRANCE,
                _n(value_x + 6),
                top + layout.value_y,
                layout.font_size - 1,
                value,
            )
        )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return _svg(
        chart_id,
        title,
        _description(title),
        8 + len(lines) * layout.row + 4,
        body,
        font_size=layout.font_size,
    )


def _period(key: str) -> tuple[str, str, int, int]:
    """A column's key -> (its label under the axis, its year, its rank in the year, periods per year):
    "2024-02" -> ("févr.", "2024", 1, 12), "2024-T3" -> ("T3", "2024", 2, 4), "2024" -> ("2024", "", 0, 1)."""
    year, _, part = key.partition("-")
    if not part:
        return year, "", 0, 1
    if part.startswith("T"):
        return part, year, int(part[1:]) - 1, 4
    return MOIS_COURTS[int(part) - 1], year, int(part) - 1, 12


def period_columns(rows: Sequence[Row], *, chart_id: str, title: str) -> SafeString:
    """One column per period (rows keyed "YYYY-MM", "YYYY-Tn" or "YYYY", in order), its height proportional
    to the value; the values are written above the columns up to twelve of them, the years under the first
    period of each year and under the first column when the next year leaves room."""
    highest = max((row.value for row in rows), default=0)
    if highest <= 0:
        return _empty(chart_id, title)
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(rows)
    column = min(slot * 0.7, MAX_COLUMN_WIDTH)
    scale = (PLOT_BOTTOM - PLOT_TOP) / highest
    show_values = len(rows) <= VALUES_SHOWN_UP_TO
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            PLOT_LEFT,
            PLOT_BOTTOM,
            PLOT_RIGHT,
            PLOT_BOTTOM,
            MENTION,
        )
    ]
    if not show_values:
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 4"/>'
                '<text x="{}" y="{}" font-size="12" fill="{}">Maximum : {}</text>',
                PLOT_LEFT,
                PLOT_TOP,
                PLOT_RIGHT,
                PLOT_TOP,
                MENTION,
                PLOT_LEFT,
                PLOT_TOP - 8,
                MENTION,
                formatting.nombre(highest),
            )
        )
    for index, row in enumerate(rows):
        centre = PLOT_LEFT + slot * (index + 0.5)
        height = row.value * scale
        label, year, rank, per_year = _period(row.key)
        parts.append(
            format_html(
                '<rect class="cnfs-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(centre - column / 2),
                _n(PLOT_BOTTOM - height),
                _n(column),
                _n(height),
                BLUE_FRANCE,
            )
        )
        if show_values:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" font-weight="700">{}</text>'
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                    _n(centre),
                    _n(PLOT_BOTTOM - height - 5),
                    formatting.nombre(row.value),
                    _n(centre),
                    PLOT_BOTTOM + 16,
                    label,
                )
            )
        room = (per_year - rank) * slot
        if year and (rank == 0 or (index == 0 and (show_values or room >= YEAR_LABEL_SPACE))):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="{}">{}</text>',
                    _n(centre if show_values else centre - slot / 2),
                    PLOT_BOTTOM + (32 if show_values else 16),
                    "middle" if show_values else "start",
                    MENTION,
                    year,
                )
            )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return _svg(chart_id, title, _description(title), COLUMNS_HEIGHT, body)


def evolution_grouped(rows: Sequence[Row]) -> tuple[tuple[Row, ...], str]:
    """The monthly evolution (rows keyed "YYYY-MM", in order) as shown, and the name of its unit: by month
    up to MONTHS_SHOWN_UP_TO months, by quarter up to QUARTERS_SHOWN_UP_TO, by year beyond. A group's value
    is the sum of its months (a quarter or year cut by the period holds only the months of the period)."""
    if len(rows) <= MONTHS_SHOWN_UP_TO:
        return tuple(rows), "Mois"
    by_quarter = len(rows) <= QUARTERS_SHOWN_UP_TO
    groups: dict[str, tuple[str, int]] = {}
    for row in rows:
        year, month = row.key.split("-")
        if by_quarter:
            quarter = (int(month) - 1) // 3 + 1
            key = f"{year}-T{quarter}"
            label = f"{'1er' if quarter == 1 else f'{quarter}e'} trimestre {year}"
        else:
            key = label = year
        groups[key] = (label, groups.get(key, (label, 0))[1] + row.value)
    return tuple(Row(key, label, value) for key, (label, value) in groups.items()), (
        "Trimestre" if by_quarter else "Année"
    )


def empty_runs_folded(rows: Sequence[Row]) -> tuple[Row, ...]:
    """The rows of a table with each run of two or more empty periods folded into one line ("janvier 2020
    – août 2023 : aucune activité"), so that a long period before the first CRA takes one line."""
    folded: list[Row] = []
    run: list[Row] = []
    for row in (*rows, None):
        if row is not None and row.value == 0:
            run.append(row)
            continue
        if len(run) >= 2:
            label = f"{run[0].label} – {run[-1].label} : aucune activité"
            folded.append(Row(f"{run[0].key}/{run[-1].key}", label, 0))
        else:
            folded += run
        run = []
        if row is not None:
            folded.append(row)
    return tuple(folded)


# The charts of a statistics page, in the order of SPEC §6 ("Statistics layout").
PAGE_ORDER: tuple[str, ...] = (
    "themes",
    "evolution",
    "canaux",
    "durees",
    "temps",
    "ages",
    "statuts",
    "redirections_detail",
)
# The header of the first column of each chart's data table.
ROW_HEADERS: dict[str, str] = {
    "themes": "Thème",
    "evolution": "Mois",  # or "Trimestre", "Année": evolution_grouped
    "canaux": "Canal",
    "durees": "Durée",
    "temps": "Activité",
    "ages": "Tranche d'âge",
    "statuts": "Statut",
    "redirections_detail": "Organisme",
}


@dataclass(frozen=True)
class Chart:
    """A chart and what its data table shows: the rows with their depth, values as counts or hours."""

    key: str
    title: str
    row_header: str
    svg: SafeString
    lines: tuple[tuple[Row, int], ...]
    en_heures: bool
    with_percent: bool
    total: int | None = None  # "Temps en accompagnement": the total, in minutes

    @property
    def html_id(self) -> str:
        return f"graphique-{self.key.replace('_', '-')}"


def page_charts(stats: Statistiques, *, bars: BarLayout = STACKED) -> tuple[Chart, ...]:
    """The charts of a statistics page (or, with `bars=INLINE`, of its PDF) with their tables' rows."""
    titles = {section.key: section.title for section in stats.sections}
    charts = []
    for key in PAGE_ORDER:
        rows = getattr(stats, key)
        chart_id = f"graphique-{key.replace('_', '-')}-svg"
        row_header = ROW_HEADERS[key]
        if key == "evolution":
            rows, row_header = evolution_grouped(rows)
            svg = period_columns(rows, chart_id=chart_id, title=titles[key])
            rows = empty_runs_folded(rows)
        elif key == "temps":
            svg = horizontal_bars(
                rows, chart_id=chart_id, title=titles[key], value_format=formatting.heures, layout=bars
            )
        else:
            svg = horizontal_bars(rows, chart_id=chart_id, title=titles[key], layout=bars)
        lines = tuple(flatten(rows))
        charts.append(
            Chart(
                key=key,
                title=titles[key],
                row_header=row_header,
                svg=svg,
                lines=lines,
                en_heures=key == "temps",
                with_percent=any(line.percent is not None for line, _depth in lines),
                total=stats.temps_total if key == "temps" else None,
            )
        )
    return tuple(charts)
