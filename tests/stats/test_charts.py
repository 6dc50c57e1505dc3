"""The server-side SVG charts: well-formed, accessible, escaped, proportional, and sane without data."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from stats import charts
from stats.results import Row, derive

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def bars(root):
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "cnfs-chart__bar"]


def texts(root):
    return [text.text for text in root.iter(f"{SVG}text")]


def test_horizontal_bars_are_an_accessible_image_with_french_numbers():
    rows = (
        Row(
            "sante", "Santé", 1234, Decimal("61.7"), children=(Row("espace_sante", "Mon espace santé", 200),)
        ),
        Row("courriel", "Courriels", 766, Decimal("38.3")),
    )

    root = parse(charts.horizontal_bars(rows, chart_id="g-themes", title="Thèmes des accompagnements"))

    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 400 ")
    assert root.get("aria-labelledby") == "g-themes-titre"
    assert root.get("aria-describedby") == "g-themes-desc"
    assert root.find(f"{SVG}title").get("id") == "g-themes-titre"
    assert root.find(f"{SVG}title").text == "Thèmes des accompagnements"
    assert root.find(f"{SVG}desc").get("id") == "g-themes-desc"
    assert "style" not in str(charts.horizontal_bars(rows, chart_id="x", title="t"))
    shown = texts(root)
    assert shown[:2] == ["Santé", "1\xa0234 (61,7\xa0%)"]
    assert "Mon espace santé" in shown and "200" in shown


def test_the_sub_row_is_indented_and_lighter():
    rows = (
        Row("sante", "Santé", 10, Decimal("100.0"), children=(Row("espace_sante", "Mon espace santé", 4),)),
    )

    parent, child = bars(parse(charts.horizontal_bars(rows, chart_id="g", title="t")))

    assert float(child.get("x")) > float(parent.get("x"))
    assert child.get("fill") == charts.BLUE_FRANCE_LIGHT and parent.get("fill") == charts.BLUE_FRANCE


def test_bar_widths_are_proportional_to_the_values():
    rows = tuple(Row(f"k{value}", f"Ligne {value}", value) for value in (40, 10, 25, 0))

    widths = [
        float(bar.get("width")) for bar in bars(parse(charts.horizontal_bars(rows, chart_id="g", title="t")))
    ]

    assert widths[0] == charts.WIDTH - charts.STACKED.value_space
    assert widths[1] == pytest.approx(widths[0] / 4, abs=0.1)
    assert widths[2] == pytest.approx(widths[0] * 25 / 40, abs=0.1)
    assert widths[3] == 0


def test_temps_is_written_in_hours_and_minutes():
    rows = (Row("individuel", "Individuel", 5370),)

    root = parse(charts.horizontal_bars(rows, chart_id="g", title="t", value_format=charts.formatting.heures))

    assert "89\xa0h\xa030" in texts(root)


HOSTILE = '<script>alert("x")</script>&"\''


def test_labels_and_titles_of_bars_are_escaped():
    svg = str(charts.horizontal_bars((Row("a", HOSTILE, 3),), chart_id="g", title="<b>titre</b> & co"))

    root = ET.fromstring(svg)  # still well-formed
    assert "<script" not in svg and "<b>" not in svg
    assert root.find(f"{SVG}title").text == "<b>titre</b> & co"
    assert HOSTILE in texts(root)


def test_titles_of_columns_are_escaped():
    svg = str(charts.period_columns((Row("2024-01", HOSTILE, 3),), chart_id="g", title=HOSTILE))

    root = ET.fromstring(svg)
    assert "<script" not in svg
    assert root.find(f"{SVG}title").text == HOSTILE


@pytest.mark.parametrize("rows", [(), (Row("a", "A", 0), Row("b", "B", 0, Decimal("0.0")))])
def test_no_data_gives_an_empty_state_chart(rows):
    for svg in (
        charts.horizontal_bars(rows, chart_id="g", title="Canaux"),
        charts.period_columns(
            tuple(Row("2024-01", "janvier 2024", r.value) for r in rows), chart_id="g", title="t"
        ),
    ):
        root = parse(svg)
        assert root.get("role") == "img"
        assert bars(root) == []
        assert charts.EMPTY_TEXT in texts(root)


def test_monthly_columns_heights_are_proportional_with_month_and_year_labels():
    rows = (
        Row("2023-12", "décembre 2023", 10),
        Row("2024-01", "janvier 2024", 20),
        Row("2024-02", "février 2024", 5),
    )

    root = parse(charts.period_columns(rows, chart_id="g-evolution", title="Évolution"))

    heights = [float(bar.get("height")) for bar in bars(root)]
    assert heights[1] == charts.PLOT_BOTTOM - charts.PLOT_TOP
    assert heights[0] == pytest.approx(heights[1] / 2, abs=0.1)
    assert heights[2] == pytest.approx(heights[1] / 4, abs=0.1)
    shown = texts(root)
    assert [t for t in shown if t.endswith(".")] == ["déc.", "janv.", "févr."]
    assert "2023" in shown and "2024" in shown and "20" in shown


def test_long_periods_drop_the_values_above_columns_but_keep_the_maximum():
    day = datetime.date(2021, 1, 1)
    rows = tuple(Row(f"{day.year + i // 12}-{i % 12 + 1:02d}", "mois", 1000 + i) for i in range(48))

    root = parse(charts.period_columns(rows, chart_id="g", title="t"))

    assert len(bars(root)) == 48
    assert "Maximum : 1\xa0047" in texts(root)
    assert [t for t in texts(root) if t.isdigit()] == ["2021", "2022", "2023", "2024"]


def test_page_charts_follow_the_spec_order_with_their_tables():
    stats = derive(
        {"cra": 2, "canal:rattachement": 2}, du=datetime.date(2024, 1, 1), au=datetime.date(2024, 3, 31)
    )

    page = charts.page_charts(stats)

    assert [chart.key for chart in page] == list(charts.PAGE_ORDER)
    assert [chart.title for chart in page][:2] == [
        "Thèmes des accompagnements",
        "Évolution des comptes rendus d'activité",
    ]
    for chart in page:
        ET.fromstring(str(chart.svg))
    temps = next(chart for chart in page if chart.key == "temps")
    assert temps.en_heures and temps.total == 0 and not temps.with_percent
    assert next(chart for chart in page if chart.key == "canaux").with_percent


# A long evolution, grouped (issue 16): the same numbers, by quarter beyond 24 months, by year beyond 60.


def monthly(first: datetime.date, count: int, value=lambda index: 3 * index + 1) -> tuple[Row, ...]:
    rows = []
    for index in range(count):
        year, month = divmod(first.month - 1 + index, 12)
        rows.append(Row(f"{first.year + year}-{month + 1:02d}", "mois", value(index)))
    return tuple(rows)


@pytest.mark.parametrize(
    ("count", "unit", "groups"),
    [
        (1, "Mois", 1),
        (24, "Mois", 24),
        (25, "Trimestre", 9),
        (60, "Trimestre", 21),
        (61, "Année", 6),
        (74, "Année", 7),
    ],
)
def test_a_long_evolution_is_grouped_and_keeps_its_sums(count, unit, groups):
    rows = monthly(datetime.date(2020, 11, 1), count)

    grouped, row_header = charts.evolution_grouped(rows)

    assert row_header == unit and len(grouped) == groups
    assert sum(row.value for row in grouped) == sum(row.value for row in rows)
    for group in grouped:
        if unit == "Trimestre":
            year, quarter = group.key.split("-T")
            months = [
                row for row in rows if row.key[:4] == year and (int(row.key[5:]) - 1) // 3 + 1 == int(quarter)
            ]
        elif unit == "Année":
            months = [row for row in rows if row.key[:4] == group.key]
        else:
            months = [row for row in rows if row.key == group.key]
        assert group.value == sum(row.value for row in months), group


def test_quarters_and_years_are_named_in_french():
    quarters, _unit = charts.evolution_grouped(monthly(datetime.date(2023, 1, 1), 30))
    years, _unit = charts.evolution_grouped(monthly(datetime.date(2020, 1, 1), 61))

    assert [(row.key, row.label) for row in quarters[:2]] == [
        ("2023-T1", "1er trimestre 2023"),
        ("2023-T2", "2e trimestre 2023"),
    ]
    assert [row.label for row in years] == ["2020", "2021", "2022", "2023", "2024", "2025"]


def test_runs_of_empty_periods_fold_into_one_line():
    values = [0, 0, 0, 5, 0, 7, 0, 0]
    rows = monthly(datetime.date(2024, 1, 1), len(values), value=values.__getitem__)
    rows = tuple(Row(row.key, f"m{index}", row.value) for index, row in enumerate(rows))

    folded = charts.empty_runs_folded(rows)

    assert [(row.label, row.value) for row in folded] == [
        ("m0 – m2 : aucune activité", 0),
        ("m3", 5),
        ("m4", 0),
        ("m5", 7),
        ("m6 – m7 : aucune activité", 0),
    ]
    assert sum(row.value for row in folded) == sum(values)


def test_quarter_columns_are_labelled_with_their_years():
    rows = charts.evolution_grouped(monthly(datetime.date(2023, 4, 1), 27))[0]

    root = parse(charts.period_columns(rows, chart_id="g", title="Évolution"))

    assert len(bars(root)) == 9
    shown = texts(root)
    assert [t for t in shown if t.startswith("T")] == ["T2", "T3", "T4", "T1", "T2", "T3", "T4", "T1", "T2"]
    assert [t for t in shown if t.isdigit() and len(t) == 4] == ["2023", "2024", "2025"]


def test_the_page_shows_a_long_evolution_by_quarter():
    stats = derive(
        {"cra": 1, "mois:2024-03": 1}, du=datetime.date(2023, 1, 1), au=datetime.date(2025, 12, 31)
    )

    evolution = next(chart for chart in charts.page_charts(stats) if chart.key == "evolution")

    assert evolution.row_header == "Trimestre"
    assert [(row.label, row.value) for row, _depth in evolution.lines] == [
        ("1er trimestre 2023 – 4e trimestre 2023 : aucune activité", 0),
        ("1er trimestre 2024", 1),
        ("2e trimestre 2024 – 4e trimestre 2025 : aucune activité", 0),
    ]
