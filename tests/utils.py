import re

from django.test import Client
from hypothesis import settings

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle=|<style[\s>]", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post[^>]*>(.*?)</form>", re.I | re.S)


def examples(count: int) -> int:
    """The examples of a property test that asks for `count` of them, in the Hypothesis profile of the run
    (tests/conftest.py): its max_examples over Hypothesis' default of 100, i.e. fewer by default, many more
    in `make test-long`."""
    return max(1, count * settings.default.max_examples // 100)


class StrictClient(Client):
    """A test client that fails on a page without its Content-Security-Policy, with a POST form missing its
    CSRF token, or breaking the CSP: inline script, inline style or event handler.

    (A missing template variable already fails through the test settings' `string_if_invalid`.)
    """

    def request(self, **request):
        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        if "text/html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
            return response
        assert "default-src 'self'" in response.get("Content-Security-Policy", ""), f"No CSP on {path}"
        html = response.content.decode()
        for form in POST_FORM.findall(html):
            assert 'name="csrfmiddlewaretoken"' in form, f"POST form without CSRF token in {path}"
        if not path.startswith("/admin/"):
            for name, pattern in (
                ("script", INLINE_SCRIPT),
                ("style", INLINE_STYLE),
                ("handler", INLINE_HANDLER),
            ):
                match = pattern.search(html)
                assert match is None, f"Inline {name} in {path}: {match.group(0)[:120]}"
        return response


# Words of Django's, the database's and Python's English messages; none is a French word.
MOTS_ANGLAIS = {
    "the", "this", "that", "must", "enter", "ensure", "field", "required", "allowed", "please", "select",
    "characters", "value", "number", "whole", "null", "least", "most", "invalid", "choice", "available",
    "constraint", "failed", "unique", "violates", "duplicate", "key", "exceeds", "limit", "error", "integer",
    "string", "literal", "cannot", "contain", "file", "empty", "submitted", "upload", "corrupted",
}  # fmt: skip
MOTS_FRANCAIS = {
    "le", "la", "les", "de", "des", "du", "un", "une", "ce", "cette", "ces", "ne", "pas", "doit", "est",
    "indiquez", "saisissez", "choisissez", "nombre", "au", "aux", "en", "par", "sont", "valide", "date",
    "valeur", "obligatoire", "ligne", "lignes", "fichier", "colonne", "colonnes", "nouvelle", "nouveau",
    "aucun", "aucune", "plus", "moins", "ici", "dans", "avec", "sans", "pour", "et", "ou", "il", "elle",
}  # fmt: skip


def en_francais(message, *, sauf=()) -> bool:
    """Whether a message reads as French: no English word, and French words or accents. The user's values it
    quotes (between « and », and those given in `sauf`) are left out."""
    if not isinstance(message, str) or not message.strip():
        return False
    texte = re.sub(r"«.*»", " ", message, flags=re.S)
    for valeur in sorted((v.strip() for v in sauf if len(v.strip()) >= 3), key=len, reverse=True):
        texte = re.sub(rf"(?<!\w){re.escape(valeur)}(?!\w)", " ", texte, flags=re.I)
    mots = set(re.findall(r"[a-zàâäçéèêëîïôöùûüÿœ]+", texte.lower()))
    accents = re.search(r"[àâçéèêëîôûù]", texte)
    return not mots & MOTS_ANGLAIS and bool(mots & MOTS_FRANCAIS or accents)
