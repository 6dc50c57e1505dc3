"""French numbers (no-break spaces U+00A0) and the request's validation."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from stats.formatting import heures, nombre, pourcentage
from stats.request import StatsRequest, StatsScope

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (999, "999"), (1000, "1 000"), (1234567, "1 234 567"), (-2500, "-2 500")]
)
def test_nombre(value, text):
    assert nombre(value) == text.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.5"), "12,5 %"),
        (Decimal("0.0"), "0,0 %"),
        (Decimal("100.0"), "100,0 %"),
        (12.25, "12,3 %"),  # half up, like the statistics
        (Decimal("1234.5"), "1 234,5 %"),
    ],
)
def test_pourcentage(value, text):
    assert pourcentage(value) == text.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0 h"), (45, "0 h 45"), (120, "2 h"), (5370, "89 h 30"), (75005, "1 250 h 05")]
)
def test_heures(minutes, text):
    assert heures(minutes) == text.replace(" ", NBSP)


def test_template_filters():
    template = Template("{% load stats_format %}{{ n|nombre }} ; {{ p|pourcentage }} ; {{ m|heures }}")
    rendered = template.render(Context({"n": 12345, "p": Decimal("8.4"), "m": 90}))
    assert rendered == f"12{NBSP}345 ; 8,4{NBSP}% ; 1{NBSP}h{NBSP}30"


DAY = datetime.date(2024, 1, 1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: StatsScope.departement(""),
        lambda: StatsScope(kind="commune", code="69266"),
        lambda: StatsScope(kind="structure"),
        lambda: StatsScope(kind="national", id=3),
        lambda: StatsScope(kind="structure", id=3, structure_id=4),
        lambda: StatsScope(kind="national", conseiller_ids=frozenset({1})),
        lambda: StatsRequest(scope=StatsScope.national(), du=DAY, au=DAY - datetime.timedelta(days=1)),
        lambda: StatsRequest(scope=StatsScope.departement("69"), du=DAY, au=DAY, code_postal="69100"),
        lambda: StatsRequest(scope=StatsScope.structure(1), du=DAY, au=DAY, code_postal="6910"),
        lambda: StatsRequest(scope=StatsScope.structure(1), du=DAY, au=DAY, code_commune="69266"),
    ],
)
def test_an_inconsistent_request_is_refused(build):
    with pytest.raises(ValueError):
        build()


def test_a_place_filter_is_accepted_for_a_structure_or_a_conseiller():
    request = StatsRequest(
        scope=StatsScope.conseiller(1, structure_id=2),
        du=DAY,
        au=DAY,
        code_postal="20000",
        code_commune="2A004",
    )
    assert request.filtered
