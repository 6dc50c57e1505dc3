from django.core.exceptions import ValidationError

# La Poste's establishments share the SIREN 356 000 000, and their SIRETs do not follow the Luhn key:
# the sum of their digits is a multiple of 5 instead (INSEE's documented exception).
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_14_ascii_digits(value: str) -> bool:
    # str.isdigit() accepts "²" or Arabic-Indic digits: a SIRET is 14 ASCII digits.
    return len(value) == 14 and value.isascii() and value.isdigit()


def siret_valid(siret: str) -> bool:
    if not _is_14_ascii_digits(siret):
        return False
    if luhn_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def validate_siret(value: str) -> None:
    if not _is_14_ascii_digits(value):
        raise ValidationError("Le SIRET doit comporter exactement 14 chiffres.", code="siret_format")
    if not siret_valid(value):
        raise ValidationError("Ce SIRET n'est pas valide (clé de contrôle incorrecte).", code="siret_cle")
