"""The one date input of the site: JJ/MM/AAAA shown and read whatever the browser's language, ISO still read
(the links the site builds, old bookmarks), a French message for a wrong format and for a day that does not
exist."""

import datetime

import pytest
from django import forms

from cnfs.socle.dates import DateFrField
from cnfs.socle.periode import Periode, period_picker


class JourForm(forms.Form):
    jour = DateFrField(label="Jour")
    rupture = DateFrField(label="Rupture", required=False, help_text="Premier jour non travaillé.")


@pytest.mark.parametrize(
    "typed",
    ["17/11/2020", "17/11/2020 ", "17-11-2020", "17.11.2020", "2020-11-17"],
)
def test_jjmmaaaa_its_variants_and_iso_are_read(typed):
    form = JourForm({"jour": typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["jour"] == datetime.date(2020, 11, 17)


def test_one_digit_days_and_months_are_read():
    form = JourForm({"jour": "1/2/2024"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["jour"] == datetime.date(2024, 2, 1)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2024", "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("29/02/2025", "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("2024-02-30", "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("17/13/2020", "Cette date n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("11/17/2020 12:00", "Saisissez une date valide, au format JJ/MM/AAAA."),
        ("17/11/20", "Saisissez une date valide, au format JJ/MM/AAAA."),
        ("2020/11/17", "Saisissez une date valide, au format JJ/MM/AAAA."),
        ("17/11-2020", "Saisissez une date valide, au format JJ/MM/AAAA."),
        ("demain", "Saisissez une date valide, au format JJ/MM/AAAA."),
    ],
)
def test_a_wrong_date_is_refused_with_a_french_message_and_kept_as_typed(typed, message):
    form = JourForm({"jour": typed})

    assert not form.is_valid()
    assert form.errors == {"jour": [message]}
    assert "jour" not in form.cleaned_data
    assert f'value="{typed}"' in str(form["jour"])


def test_the_input_is_a_text_input_showing_jjmmaaaa_with_its_hint():
    form = JourForm(initial={"jour": datetime.date(2020, 11, 7)})

    html = str(form["jour"])
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="07/11/2020"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="off"' in html
    assert "placeholder" not in html and "pattern" not in html
    assert form["jour"].help_text == "Format attendu : JJ/MM/AAAA"
    assert form["rupture"].help_text == "Premier jour non travaillé. Format attendu : JJ/MM/AAAA."


def test_the_period_picker_renders_the_same_input_and_says_its_bounds():
    today = datetime.date(2025, 3, 12)
    picker = period_picker(Periode(datetime.date(2024, 1, 5), today), today=today, kept={})

    assert picker.hint == "Format attendu : JJ/MM/AAAA, du 17/11/2020 au 12/03/2025"
    assert picker.input_du == (
        '<input type="text" name="du" value="05/01/2024" inputmode="numeric" autocomplete="off" '
        'class="fr-input" id="periode-du">'
    )
    assert 'name="au" value="12/03/2025"' in picker.input_au and 'id="periode-au"' in picker.input_au
    assert "min=" not in picker.input_du + picker.input_au
