"""The `date_fr` filter: French dates, "1er" for the first day of a month, in Paris time."""

import datetime

import pytest
from django.template import Context, Template


def _render(value, fmt):
    return Template('{% load dates %}{{ value|date_fr:"' + fmt + '" }}').render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (datetime.date(2026, 12, 1), "j F Y", "1er décembre 2026"),
        (datetime.date(2026, 12, 2), "j F Y", "2 décembre 2026"),
        (datetime.date(2026, 12, 21), "j F Y", "21 décembre 2026"),
        # 23h30 UTC on 30 November is already the first of December in Paris.
        (
            datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC),
            r"j F Y à H\hi",
            "1er décembre 2026 à 00h30",
        ),
        (datetime.date(2026, 12, 1), r"\j j", "j 1er"),
        (None, "j F Y", ""),
    ],
)
def test_date_fr(value, fmt, expected):
    assert _render(value, fmt) == expected
