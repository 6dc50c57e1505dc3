from django import forms

from conseillers.models import Permanence
from structures.communes import commune_check, commune_fields_adapt


class PermanenceForm(forms.ModelForm):
    """A lieu d'activité, edited by a conseiller from his Espace Coop."""

    principale = forms.BooleanField(
        label="C'est mon lieu d'activité principal",
        required=False,
        help_text="Il est proposé par défaut dans vos comptes rendus.",
    )

    class Meta:
        model = Permanence
        fields = [
            "nom",
            "adresse",
            "code_postal",
            "code_commune",
            "nom_commune",
            "type_acces",
            "horaires",
            "itinerant",
        ]
        labels = {
            "nom": "Nom du lieu",
            "code_commune": "Code INSEE de la commune",
            "nom_commune": "Commune",
            "itinerant": "Lieu itinérant (bus, permanences tournantes…)",
        }
        help_texts = {
            "code_commune": "5 caractères, par exemple 69266 pour Villeurbanne.",
            "horaires": "Par exemple : du lundi au vendredi, 9 h – 12 h et 14 h – 17 h.",
        }
        widgets = {
            "type_acces": forms.RadioSelect,
            "horaires": forms.Textarea(attrs={"rows": 3}),
            "code_postal": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        }

    def __init__(self, *args, referentiel=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.referentiel = referentiel
        commune_fields_adapt(self, referentiel)
        for name in ("nom", "adresse", "horaires", "nom_commune"):
            self.fields[name].strip = True

    def clean(self):
        data = super().clean()
        if {"code_postal", "code_commune", "nom_commune"} & set(self.errors):
            return data
        errors, values = commune_check(
            data.get("code_postal"), data.get("code_commune"), data.get("nom_commune"), self.referentiel
        )
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        data.update(values)
        return data

    def place_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
