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

# Horizontal bars: the label above its bar, the value after it.
BAR_ROW = 46  # the height of one row
BAR_HEIGHT = 16
VALUE_SPACE = 140  # kept right of the longest bar for "1 234 567 (100,0 %)"
INDENT = 16  # a sub-row ("Mon espace santé" under Santé)

# Columns per month.
COLUMNS_HEIGHT = 224
PLOT_TOP, PLOT_BOTTOM = 28, 180
PLOT_LEFT, PLOT_RIGHT = 8, WIDTH - 8
MAX_COLUMN_WIDTH = 48
VALUES_SHOWN_UP_TO = 12  # months; beyond, the columns are too narrow for their values
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


def _svg(chart_id: str, title: str, description: str, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="cnfs-chart__svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-titre" aria-describedby="{}-desc" font-family="{}" font-size="14" fill="{}">'
        '<title id="{}-titre">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        _n(height),
        chart_id,
        chart_id,
        FONT,
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
) -> SafeString:
    """One bar per row (sub-rows indented), its length proportional to the value, labelled with the value
    and, when the row has one, its percentage."""
    lines = flatten(rows)
    highest = max((line.value for line, _depth in lines), default=0)
    if highest <= 0:
        return _empty(chart_id, title)
    scale = (WIDTH - VALUE_SPACE) / highest
    parts = []
    for index, (line, depth) in enumerate(lines):
        top = 8 + index * BAR_ROW
        x = depth * INDENT
        width = line.value * scale
        value = value_format(line.value)
        if line.percent is not None:
            value = f"{value} ({formatting.pourcentage(line.percent)})"
        parts.append(
            format_html(
                '<text x="{}" y="{}"{}>{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect class="cnfs-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13" font-weight="700">{}</text>',
                x,
                top + 14,
                format_html(' fill="{}"', MENTION) if depth else "",
                line.label,
                x,
                top + 20,
                _n(WIDTH - VALUE_SPACE - x),
                BAR_HEIGHT,
                TRACK,
                x,
                top + 20,
                _n(width),
                BAR_HEIGHT,
                BLUE_FRANCE_LIGHT if depth else BLUE_FRANCE,
                _n(WIDTH - VALUE_SPACE + 6),
                top + 33,
                value,
            )
        )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return _svg(chart_id, title, _description(title), 8 + len(lines) * BAR_ROW + 4, body)


def _month(key: str) -> tuple[str, str]:
    """ "2024-02" -> ("févr.", "2024")."""
    year, month = key.split("-")
    return MOIS_COURTS[int(month) - 1], year


def monthly_columns(rows: Sequence[Row], *, chart_id: str, title: str) -> SafeString:
    """One column per month (rows keyed "YYYY-MM", in order), its height proportional to the value; the
    values are written above the columns up to twelve months, the years under January and the first one."""
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
        month, year = _month(row.key)
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
                    month,
                )
            )
        # The year under January, and under the first month unless a January follows too closely.
        if month == MOIS_COURTS[0] or (index == 0 and (show_values or MOIS_COURTS.index(month) <= 8)):
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
    "evolution": "Mois",
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


def page_charts(stats: Statistiques) -> tuple[Chart, ...]:
    """The charts of a statistics page (and, later, of its PDF) with their tables' rows."""
    titles = {section.key: section.title for section in stats.sections}
    charts = []
    for key in PAGE_ORDER:
        rows = getattr(stats, key)
        chart_id = f"graphique-{key.replace('_', '-')}-svg"
        if key == "evolution":
            svg = monthly_columns(rows, chart_id=chart_id, title=titles[key])
        elif key == "temps":
            svg = horizontal_bars(rows, chart_id=chart_id, title=titles[key], value_format=formatting.heures)
        else:
            svg = horizontal_bars(rows, chart_id=chart_id, title=titles[key])
        lines = tuple(flatten(rows))
        charts.append(
            Chart(
                key=key,
                title=titles[key],
                row_header=ROW_HEADERS[key],
                svg=svg,
                lines=lines,
                en_heures=key == "temps",
                with_percent=any(line.percent is not None for line, _depth in lines),
                total=stats.temps_total if key == "temps" else None,
            )
        )
    return tuple(charts)
