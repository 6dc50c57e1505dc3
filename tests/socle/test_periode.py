"""The period of a statistics page: defaults, presets, and French messages instead of errors (SPEC §5)."""

import datetime

import pytest
from django.http import QueryDict

from cnfs.socle.periode import Periode, PeriodeForm, default_periode, parse_periode, preset_periode

TODAY = datetime.date(2025, 3, 12)
LAUNCH = datetime.date(2020, 11, 17)
PILOTAGE = default_periode(today=TODAY, conseiller=False)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_defaults():
    assert default_periode(today=TODAY, conseiller=True) == Periode(d("2025-03-01"), TODAY)
    assert default_periode(today=TODAY, conseiller=False) == Periode(LAUNCH, TODAY)


@pytest.mark.parametrize(
    ("key", "du", "au"),
    [
        ("ce_mois", "2025-03-01", "2025-03-12"),
        ("mois_dernier", "2025-02-01", "2025-02-28"),
        ("12_mois", "2024-04-01", "2025-03-12"),
        ("annee_en_cours", "2025-01-01", "2025-03-12"),
        ("annee_precedente", "2024-01-01", "2024-12-31"),
        ("depuis_le_debut", "2020-11-17", "2025-03-12"),
    ],
)
def test_presets(key, du, au):
    assert preset_periode(key, today=TODAY) == Periode(d(du), d(au))


def test_presets_across_a_year_and_never_before_the_launch():
    january = d("2025-01-20")
    assert preset_periode("mois_dernier", today=january) == Periode(d("2024-12-01"), d("2024-12-31"))
    assert preset_periode("12_mois", today=january) == Periode(d("2024-02-01"), january)
    assert preset_periode("annee_precedente", today=d("2021-05-02")) == Periode(LAUNCH, d("2020-12-31"))
    with pytest.raises(ValueError, match="inconnue"):
        preset_periode("hier", today=TODAY)


def parse(query: str, default=PILOTAGE):
    return parse_periode(QueryDict(query), today=TODAY, default=default)


def test_valid_dates_iso_or_french():
    assert parse("du=2024-01-01&au=2024-03-31") == (Periode(d("2024-01-01"), d("2024-03-31")), [])
    assert parse("du=01/01/2024&au=31/03/2024") == (Periode(d("2024-01-01"), d("2024-03-31")), [])
    assert parse("du=2024-02-29&au=2024-02-29") == (Periode(d("2024-02-29"), d("2024-02-29")), [])
    assert parse("du=1/2/2024&au=29.02.2024") == (Periode(d("2024-02-01"), d("2024-02-29")), [])


def test_missing_dates_take_the_default_and_a_preset_wins():
    assert parse("") == (PILOTAGE, [])
    assert parse("du=2024-01-01") == (Periode(d("2024-01-01"), TODAY), [])
    assert parse("au=2024-01-01") == (Periode(LAUNCH, d("2024-01-01")), [])
    assert parse("periode=mois_dernier&du=2024-01-01") == (Periode(d("2025-02-01"), d("2025-02-28")), [])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("du=2024-03-01&au=2024-02-01", "La date de début doit précéder la date de fin, ou lui être égale."),
        ("du=2024-02-30", "La date de début n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("au=31/04/2024", "La date de fin n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."),
        ("au=demain", "La date de fin n'est pas une date valide (JJ/MM/AAAA)."),
        (
            "du=2020-11-16",
            "La date de début doit être comprise entre le 17/11/2020 (lancement du dispositif) "
            "et aujourd'hui (12/03/2025).",
        ),
        (
            "au=2025-03-13",
            "La date de fin doit être comprise entre le 17/11/2020 (lancement du dispositif) "
            "et aujourd'hui (12/03/2025).",
        ),
        ("periode=hier", "Cette période n'existe pas : choisissez-en une dans la liste."),
    ],
)
def test_a_wrong_period_gives_a_french_message_and_the_default(query, message):
    periode, messages = parse(query)
    assert periode == PILOTAGE
    assert messages == [message]


def test_the_form_shows_its_errors_and_keeps_the_default():
    form = PeriodeForm(QueryDict("du=2024-03-01&au=2024-02-01"), today=TODAY, default=PILOTAGE)
    assert not form.is_valid()
    assert form.errors == {"au": ["La date de début doit précéder la date de fin, ou lui être égale."]}
    assert form.periode_retenue == PILOTAGE
    unbound = PeriodeForm(today=TODAY, default=PILOTAGE)
    assert unbound.periode_retenue == PILOTAGE
    assert [value for value, _label in unbound.fields["periode"].choices][1:] == [
        "ce_mois",
        "mois_dernier",
        "12_mois",
        "annee_en_cours",
        "annee_precedente",
        "depuis_le_debut",
    ]
