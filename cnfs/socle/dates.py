"""The one date input of the site: a DSFR text input that shows and reads JJ/MM/AAAA.

An <input type="date"> follows the browser's language (11/17/2020 in an English Chromium) and sends ISO: a
text input shows what a French user expects, whatever the browser, and the server alone parses it.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

FORMAT_ATTENDU = "Format attendu : JJ/MM/AAAA"
# JJ/MM/AAAA first, then what people also type (1/2/2024, 01-02-2024, 01.02.2024), then ISO: the links the
# site builds carry ISO dates (?du=2024-01-31), and so do the old bookmarks.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
# A value shaped like a date of those formats but refused by them names a day that does not exist (31/02).
DATE_SHAPE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{4}|\d{4}-\d{1,2}-\d{1,2}")


class DateFrWidget(forms.DateInput):
    """A text input showing JJ/MM/AAAA; `inputmode` brings the digits keyboard, `autocomplete` off keeps the
    browser's past entries from covering the hint. No `pattern`: the server's messages say what is wrong."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class DateFrField(forms.DateField):
    """A date typed as JJ/MM/AAAA (or one of DATE_INPUT_FORMATS), its format said in the help text (the
    DSFR hint of the label); a day that does not exist has its own message."""

    widget = DateFrWidget
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": "Saisissez une date valide, au format JJ/MM/AAAA.",
        "inexistante": "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA).",
    }

    def __init__(self, *, help_text: str = "", **kwargs):
        help_text = f"{help_text} {FORMAT_ATTENDU}." if help_text else FORMAT_ATTENDU
        super().__init__(help_text=help_text, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if isinstance(value, str) and DATE_SHAPE.fullmatch(value.strip()):
                raise ValidationError(self.error_messages["inexistante"], code="inexistante") from error
            raise
