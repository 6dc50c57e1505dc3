"""Accent- and case-insensitive text, computed in Python so that the search works the same on SQLite and
PostgreSQL (no `unaccent`): documents keep a folded copy of their searchable text, queries are folded the
same way."""

import re
import unicodedata

# Letters that NFKD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
_NOT_WORD = re.compile(r"[\W_]+")

RECHERCHE_MAX = 100  # characters of a query taken into account
MOTS_MAX = 10  # words of a query taken into account


def replie(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: « L'Œuvre d'Été » -> "l oeuvre d ete"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", without_accents).split())


def mots(query: str) -> list[str]:
    """The distinct folded words of a query, in order (at most MOTS_MAX)."""
    words = []
    for word in replie(query[:RECHERCHE_MAX]).split():
        if word not in words:
            words.append(word)
    return words[:MOTS_MAX]


def nom_de_fichier(titre: str) -> str:
    """A file name stem from a title: ASCII, lower case, words joined by hyphens (« S'inscrire » ->
    "s-inscrire"); "" when nothing is left."""
    return "-".join(replie(titre).encode("ascii", "ignore").decode().split())
