import pytest
from django.core.exceptions import ValidationError

from structures.validators import luhn_valid, siret_valid, validate_siret

SIRET_VALIDE = "73282932000074"
# La Poste's head office passes the Luhn key like any other SIRET.
SIRET_LA_POSTE_SIEGE = "35600000000048"
# A La Poste establishment whose Luhn key fails but whose digits add up to 45.
SIRET_LA_POSTE_ETABLISSEMENT = "35600000049837"


def test_examples_test_what_they_claim():
    assert luhn_valid(SIRET_VALIDE)
    assert luhn_valid(SIRET_LA_POSTE_SIEGE)
    assert not luhn_valid(SIRET_LA_POSTE_ETABLISSEMENT)
    assert sum(int(c) for c in SIRET_LA_POSTE_ETABLISSEMENT) % 5 == 0


@pytest.mark.parametrize("siret", [SIRET_VALIDE, SIRET_LA_POSTE_SIEGE, SIRET_LA_POSTE_ETABLISSEMENT])
def test_valid_sirets(siret):
    assert siret_valid(siret)
    validate_siret(siret)


def test_wrong_key_is_refused():
    assert not siret_valid("73282932000075")
    with pytest.raises(ValidationError) as error:
        validate_siret("73282932000075")
    assert error.value.code == "siret_cle"


def test_la_poste_establishment_with_digit_sum_not_multiple_of_5_is_refused():
    # Fails Luhn, digit sum 46.
    assert not siret_valid("35600000049838")
    with pytest.raises(ValidationError) as error:
        validate_siret("35600000049838")
    assert error.value.code == "siret_cle"


def test_digit_sum_exception_is_reserved_to_la_poste():
    siret = "73282932000077"
    assert not luhn_valid(siret)
    assert sum(int(c) for c in siret) == 50

    assert not siret_valid(siret)


@pytest.mark.parametrize(
    "siret",
    ["7328293200007", "732829320000740", "", "7328293200007A", "73282932O00074", "732 829 320 00074"],
)
def test_format_errors(siret):
    assert not siret_valid(siret)
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == "siret_format"
    assert error.value.messages == ["Le SIRET doit comporter exactement 14 chiffres."]


@pytest.mark.parametrize("value", ["7328293200007²", "٧٣٢٨٢٩٣٢٠٠٠٠٧٤"])
def test_non_ascii_digits_are_refused(value):
    assert not siret_valid(value)
    with pytest.raises(ValidationError):
        validate_siret(value)
