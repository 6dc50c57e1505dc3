"""Text that users typed, in an e-mail (SPEC §18): quoted, on one line, short — `{{ value|cite }}` gives
« Jean Dupont ». A name holding line breaks and a URL must not read as a paragraph of the official e-mail.

`sans_controle` is the validator of the forms whose values reach e-mails (names): no control character, no
line break."""

import unicodedata

from django import template
from django.core.exceptions import ValidationError

register = template.Library()

LONGUEUR = 80


def _invisible(char: str) -> bool:
    """Control and format characters (bidi overrides, zero-width…), line and paragraph separators."""
    return unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def sans_controle(value: str) -> None:
    if any(_invisible(char) for char in value):
        raise ValidationError(
            "Saisissez ce texte sur une seule ligne, sans caractère de contrôle.", code="controle"
        )


@register.filter
def cite(value, longueur: int = LONGUEUR) -> str:
    """The value on one line (every space, break or control character as one space), cut to `longueur`
    characters, between « »; its own guillemets become quotes, so that it cannot close the quotation."""
    text = "".join(" " if _invisible(char) or char.isspace() else char for char in str(value))
    text = " ".join(text.replace("«", '"').replace("»", '"').split())
    if len(text) > longueur:
        text = text[: longueur - 1].rstrip() + "…"
    return f"« {text} »"
