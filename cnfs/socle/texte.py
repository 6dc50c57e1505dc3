"""Text compared the way people read it: without case, accents or punctuation. One folding for every
search and comparison of the project (lieux, import columns, territories, ressourcerie), computed in Python
so that it is the same on SQLite and PostgreSQL (no `unaccent`).

And text that users typed, in an e-mail (SPEC §18): quoted, on one line, short (`cite`, the template filter
of cnfs/templatetags/courriel.py); `sans_controle` is the validator of the form fields whose values reach
e-mails. A name holding line breaks and a URL must not read as a paragraph of the official e-mail."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Letters that NFKD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
_NOT_WORD = re.compile(r"[\W_]+")


def replie(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: « L'Œuvre d'Été » -> "l oeuvre d ete"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", without_accents).split())


def _invisible(char: str) -> bool:
    """Control and format characters (bidi overrides, zero-width…), line and paragraph separators."""
    return unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def sans_controle(value: str) -> None:
    if any(_invisible(char) for char in value):
        raise ValidationError(
            "Saisissez ce texte sur une seule ligne, sans caractère de contrôle.", code="controle"
        )


def cite(value, longueur: int = 80) -> str:
    """The value on one line (every space, break or control character as one space), cut to `longueur`
    characters, between « »; its own guillemets become quotes, so that it cannot close the quotation."""
    text = "".join(" " if _invisible(char) or char.isspace() else char for char in str(value))
    text = " ".join(text.replace("«", '"').replace("»", '"').split())
    if len(text) > longueur:
        text = text[: longueur - 1].rstrip() + "…"
    return f"« {text} »"
