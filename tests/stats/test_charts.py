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
