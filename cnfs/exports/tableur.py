"""The CSV conventions of every export (SPEC §7): `;`, UTF-8 with BOM, CRLF, French headers, dates
JJ/MM/AAAA, formula injection neutralised, file names `<objet>_<scope>_<du>_<au>.csv`.

French Excel opens such a file with its accents and columns right; numbers are written raw (1234567, and
12,5 for a one-decimal percentage) so that the spreadsheet reads them as numbers.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.utils.text import slugify

from stats.formatting import decimal_fr

BOM = "\ufeff"
# A spreadsheet runs a cell starting with one of these as a formula (or hides what follows a tab / CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | datetime.date | bool | None


def neutralise(text: str) -> str:
    """A cell text the spreadsheet shows as typed: "=1+1" -> "'=1+1"."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cellule(value: Cell) -> str | int:
    """The text of a cell: dates JJ/MM/AAAA, decimals with a comma, yes/no in French, texts neutralised."""
    match value:
        case None:
            return ""
        case bool():
            return "Oui" if value else "Non"
        case int():
            return value
        case Decimal() | float():
            return decimal_fr(value).replace("\u00a0", "")
        case datetime.datetime():
            return value.strftime("%d/%m/%Y %H:%M")
        case datetime.date():
            return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


class Tableur:
    """Writes rows in the CSV conventions to a text stream (a file opened with newline="")."""

    def __init__(self, stream, *, bom: bool = True):
        if bom:
            stream.write(BOM)
        self._writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")

    def ligne(self, values: Iterable[Cell]) -> None:
        self._writer.writerow([cellule(value) for value in values])

    def lignes(self, rows: Iterable[Iterable[Cell]]) -> None:
        self._writer.writerows([cellule(value) for value in row] for row in rows)

    def ligne_prete(self, cells: Iterable[str | int | None]) -> None:
        """A row whose cells are already texts in the conventions (or numbers): the fast path of the
        large exports, which convert each column once with a known converter."""
        self._writer.writerow(cells)


def csv_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    """A small CSV in memory (a statistics page, a short list)."""
    stream = io.StringIO(newline="")
    Tableur(stream).lignes(rows)
    return stream.getvalue().encode("utf-8")


def csv_chunks(rows: Iterable[Sequence[Cell]], *, pretes: bool = False, every: int = 1000) -> Iterator[bytes]:
    """The CSV of `rows` as chunks of encoded lines, for a streamed response (`pretes`: the cells are
    already converted, see Tableur.ligne_prete)."""
    stream = io.StringIO(newline="")
    tableur = Tableur(stream)
    write = tableur.ligne_prete if pretes else tableur.ligne
    for number, row in enumerate(rows, start=1):
        write(row)
        if number % every == 0:
            yield stream.getvalue().encode("utf-8")
            stream.seek(0)
            stream.truncate()
    yield stream.getvalue().encode("utf-8")


def nom_de_fichier(
    objet: str, scope: str, du: datetime.date | None, au: datetime.date | None, ext: str = "csv"
) -> str:
    """ "statistiques_structure-mairie-de-villeurbanne_2024-01-01_2024-01-31.csv" (ASCII, no space)."""
    parts = [slugify(objet), slugify(scope)[:80] or "export"]
    if du and au:
        parts += [du.isoformat(), au.isoformat()]
    return f"{'_'.join(parts)}.{ext}"
