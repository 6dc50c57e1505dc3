"""Text compared the way people read it: without case, accents or punctuation. One folding for every
search and comparison of the project (lieux, import columns, territories, ressourcerie), computed in Python
so that it is the same on SQLite and PostgreSQL (no `unaccent`)."""

import re
import unicodedata

# Letters that NFKD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
_NOT_WORD = re.compile(r"[\W_]+")


def replie(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: « L'Œuvre d'Été » -> "l oeuvre d ete"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", without_accents).split())
