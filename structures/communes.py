"""Postal code and commune of a place, checked against the référentiel of communes when it is loaded."""

import re

from django import forms

from structures.models import CodePostal

CODE_POSTAL = re.compile(r"[0-9]{5}")
# INSEE commune codes: 5 digits, or 2A/2B followed by 3 digits for Corsica.
CODE_COMMUNE = re.compile(r"(?:[0-9]{2}|2A|2B)[0-9]{3}")


def departement_of_commune(code_commune: str) -> str:
    """The département of an INSEE commune code: 2 characters, 3 overseas (97x, 98x)."""
    return code_commune[:3] if code_commune[:2] in ("97", "98") else code_commune[:2]


def departement_matches_code_postal(code_commune: str, code_postal: str) -> bool:
    """Whether a postal code can serve a commune of this département (Corsica's start with 20)."""
    departement = departement_of_commune(code_commune)
    if departement in ("2A", "2B"):
        return code_postal.startswith("20")
    return code_postal.startswith(departement)


class ReferentielCommunes:
    """Postal code -> {INSEE code: name}, read from the référentiel on demand and kept for the request."""

    def __init__(self):
        self._cache = {}

    @classmethod
    def if_loaded(cls):
        """The référentiel, or None when no commune was loaded (the checks then fall back on the codes)."""
        return cls() if CodePostal.objects.exists() else None

    def get(self, code_postal, default=None):
        if code_postal not in self._cache:
            rows = CodePostal.objects.filter(code=code_postal).values_list("commune_id", "commune__nom")
            self._cache[code_postal] = dict(rows)
        return self._cache[code_postal] or default


def commune_fields_adapt(form, referentiel) -> None:
    """With the référentiel, nobody types an INSEE code: the commune is one of the postal code's.

    The name always comes from the référentiel, so its input goes; the code is a list of the postal code's
    communes when there are several, and hidden otherwise (the script offers the list as the postal code is
    typed; without it, the check takes a postal code's only commune, or asks to choose from this list).
    """
    if referentiel is None:
        return
    for name in ("code_commune", "nom_commune"):
        form.fields[name].required = False  # commune_check says what is missing, once
    form.fields["nom_commune"].widget = forms.HiddenInput()
    code_postal = (form["code_postal"].value() or "").strip()
    communes = referentiel.get(code_postal, {}) if CODE_POSTAL.fullmatch(code_postal) else {}
    if len(communes) < 2:
        form.fields["code_commune"].widget = forms.HiddenInput()
        return
    choices = sorted(((code, f"{nom} ({code})") for code, nom in communes.items()), key=lambda c: c[1])
    form.fields["code_commune"].widget = forms.Select(choices=[("", "Choisir la commune"), *choices])
    form.fields["code_commune"].label = "Commune"
    form.fields["code_commune"].help_text = f"Les communes du code postal {code_postal}."


def commune_check(code_postal: str, code_commune: str, nom_commune: str, referentiel) -> tuple[dict, dict]:
    """Checks a place's postal code and commune; returns (errors by field, cleaned values).

    `referentiel` maps a postal code to {INSEE code: name} (a ReferentielCommunes or a dict), or is None.
    """
    code_postal = (code_postal or "").strip()
    code_commune = (code_commune or "").strip().upper()
    nom_commune = (nom_commune or "").strip()
    if not CODE_POSTAL.fullmatch(code_postal):
        message = "Indiquez un code postal de 5 chiffres." if code_postal else "Indiquez le code postal."
        return {"code_postal": [message]}, {}
    mismatch = {"code_commune": [f"Cette commune ne correspond pas au code postal {code_postal}."]}
    if referentiel is not None:
        communes = referentiel.get(code_postal, {})
        if not communes:
            return {"code_postal": [f"Le code postal {code_postal} ne correspond à aucune commune."]}, {}
        if not code_commune and len(communes) == 1:
            # Without the script offering the list, a postal code of one commune is enough.
            code_commune = next(iter(communes))
        if not code_commune:
            noms = ", ".join(sorted(communes.values()))
            return {"code_commune": [f"Choisissez la commune parmi celles du code postal : {noms}."]}, {}
        if code_commune not in communes:
            return mismatch, {}
        nom_commune = communes[code_commune]
    elif not CODE_COMMUNE.fullmatch(code_commune) or not nom_commune:
        return {"code_commune": ["Choisissez la commune."]}, {}
    elif not departement_matches_code_postal(code_commune, code_postal):
        return mismatch, {}
    return {}, {"code_postal": code_postal, "code_commune": code_commune, "nom_commune": nom_commune[:150]}
