"""The CSV of "Statistiques par territoire": the table's columns (stats.definitions.TERRITOIRE_COLUMNS),
its rows as shown (searched, sorted) and its totals row."""

from collections.abc import Sequence

from cnfs.exports.tableur import Cell
from stats.definitions import TERRITOIRE_COLUMNS
from stats.territoires import LigneTerritoire, TableauTerritoires


def territoires_lignes(tableau: TableauTerritoires, lignes: Sequence[LigneTerritoire]) -> list[list[Cell]]:
    keys = [key for key, _label in TERRITOIRE_COLUMNS]
    return [
        [label for _key, label in TERRITOIRE_COLUMNS],
        *([getattr(ligne, key) for key in keys] for ligne in (*lignes, tableau.total)),
    ]
