"""Numbers in French for pages and PDF: "1 234 567", "12,5 %", "89 h 30".

The separator is the no-break space U+00A0, the one Django's French locale (and so humanize's intcomma,
used elsewhere on the site) puts between thousands: one character everywhere, never a line break inside a
number. CSV exports write raw numbers (1234567 ; 12,5) so that spreadsheets read them as numbers.
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def nombre(value: int) -> str:
    """1234567 -> "1 234 567" (no-break spaces)."""
    return f"{value:,d}".replace(",", NBSP)


def decimal_fr(value: Decimal | float | int) -> str:
    """12.5 -> "12,5": one decimal, as the statistics are rounded (stats.results.pourcentage)."""
    number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    integer, _dot, decimals = f"{abs(number):f}".partition(".")
    sign = "-" if number < 0 else ""
    return f"{sign}{nombre(int(integer))},{decimals}"


def pourcentage(value: Decimal | float | int) -> str:
    """Decimal("12.5") -> "12,5 %" (no-break space before %)."""
    return f"{decimal_fr(value)}{NBSP}%"


def heures(minutes: int) -> str:
    """Minutes of "Temps en accompagnement" in hours: 5370 -> "89 h 30", 120 -> "2 h", 45 -> "0 h 45"."""
    hours, rest = divmod(minutes, 60)
    text = f"{nombre(hours)}{NBSP}h"
    return f"{text}{NBSP}{rest:02d}" if rest else text
