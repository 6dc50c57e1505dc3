import uuid
from collections import defaultdict

from django import forms
from django.utils import timezone

from cnfs.socle.dates import DateFrField
from cra.enums import (
    AGES,
    CURRENT_THEMES,
    STATUTS,
    THEME_OF_SOUS_THEME,
    Activite,
    Canal,
    Duree,
    Organisme,
    SousTheme,
)
from cra.models import duree_minutes_label
from cra.rules import (
    ANNOTATION_MAX,
    DUREE_MINUTES_MAX,
    DUREE_MINUTES_MIN,
    DUREE_MINUTES_STEP,
    CraContext,
    check_cra,
)
from structures.communes import commune_fields_adapt

AUTRES_ORGANISMES = 3  # free-named "Autre" redirections the form offers
ORGANISMES_LISTES = [organisme for organisme in Organisme if organisme != Organisme.AUTRE]
COUNT_ERRORS = {"invalid": "Saisissez un nombre entier.", "max_value": "Ce nombre est trop grand."}
# Rule errors about a group of fields are shown on the group's fieldset.
GROUPS = ("ages", "statuts", "suivi", "redirections")


def _count_field(label, **kwargs):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000,
        error_messages={**COUNT_ERRORS, "min_value": "Ce nombre ne peut pas être négatif."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "cnfs-counter"}),
        **kwargs,
    )


class CraForm(forms.Form):
    """The CRA form: it types what was sent, then cra.rules decides (the browser is never trusted)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    date_accompagnement = DateFrField(label="Date de l'accompagnement", required=False)
    canal = forms.ChoiceField(
        label="Canal",
        choices=Canal.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Ce canal n'existe pas."},
    )
    permanence = forms.TypedChoiceField(
        label="Lieu d'activité",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Ce lieu d'activité ne fait pas partie des vôtres."},
    )
    code_postal = forms.CharField(
        label="Code postal",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5}),
    )
    code_commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=10,
        help_text="Code INSEE de la commune, 5 caractères (par exemple 69266 pour Villeurbanne).",
    )
    nom_commune = forms.CharField(label="Nom de la commune", required=False, max_length=150)
    activite = forms.ChoiceField(
        label="Activité",
        choices=Activite.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Ce type d'activité n'existe pas."},
    )
    nb_participants = _count_field(
        "Nombre de participants", help_text="De 1 à 100 pour un atelier collectif."
    )
    nb_participants_recurrents = _count_field(
        "Dont personnes déjà accompagnées", help_text="Personnes que vous aviez déjà accompagnées."
    )
    themes = forms.MultipleChoiceField(
        label="Thèmes de l'accompagnement",
        choices=[(theme.value, theme.label) for theme in CURRENT_THEMES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Ce thème n'existe pas ou n'est plus proposé."},
    )
    sous_themes = forms.MultipleChoiceField(
        label="Précisions",
        choices=SousTheme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Ce sous-thème n'existe pas."},
    )
    annotation = forms.CharField(
        label="Annotation (facultatif)",
        required=False,
        max_length=200,
        help_text=f"Un mot-clé pour retrouver ce compte rendu, de 3 à {ANNOTATION_MAX} caractères. "
        "N'indiquez aucune information sur la personne accompagnée.",
        widget=forms.TextInput(attrs={"maxlength": ANNOTATION_MAX}),
    )
    duree = forms.ChoiceField(
        label="Durée",
        choices=Duree.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Cette durée n'existe pas."},
    )
    duree_minutes = forms.TypedChoiceField(
        label="Durée exacte",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Choisir la durée")]
        + [
            (minutes, duree_minutes_label(minutes))
            for minutes in range(DUREE_MINUTES_MIN, DUREE_MINUTES_MAX + 1, DUREE_MINUTES_STEP)
        ],
        error_messages={"invalid_choice": "Choisissez une durée de la liste."},
    )
    suivi_individuel = _count_field("Poursuite en accompagnement individuel")
    suivi_atelier = _count_field("Poursuite en atelier collectif")

    def __init__(self, *args, context: CraContext, permanences, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context
        commune_fields_adapt(self, context.communes_par_code_postal)
        # A missing group reads as no error in the template (the strict test engine refuses missing keys).
        self.group_errors = defaultdict(list)
        self.check = None
        self.fields["permanence"].choices = [("", "Choisir un lieu d'activité")] + [
            (permanence.pk, str(permanence)) for permanence in permanences
        ]
        for name, label in AGES + STATUTS:
            self.fields[name] = _count_field(label)
        for organisme in ORGANISMES_LISTES:
            self.fields[f"redirection_{organisme.value}"] = _count_field(organisme.label)
        for index in range(1, AUTRES_ORGANISMES + 1):
            self.fields[f"autre_nom_{index}"] = forms.CharField(
                label=f"Autre organisme {index} : nom", required=False, max_length=200
            )
            self.fields[f"autre_nombre_{index}"] = _count_field(f"Autre organisme {index} : personnes")

    # Groups of fields the template lays out together.
    age_fields = [name for name, _label in AGES]
    statut_fields = [name for name, _label in STATUTS]
    redirection_fields = [f"redirection_{organisme.value}" for organisme in ORGANISMES_LISTES]

    @property
    def theme_groups(self):
        """Each theme's checkbox with the checkboxes of its sub-themes, for the page to lay them together."""
        sous_themes = {sub.data["value"]: sub for sub in self["sous_themes"]}
        return [
            (
                theme,
                [
                    sous_themes[key]
                    for key, parent in THEME_OF_SOUS_THEME.items()
                    if parent == theme.data["value"]
                ],
            )
            for theme in self["themes"]
        ]

    @property
    def autres_organismes(self):
        """The name and the count fields of each "autre" organisme, for the page to lay them side by side."""
        return [(self[f"autre_nom_{i}"], self[f"autre_nombre_{i}"]) for i in range(1, AUTRES_ORGANISMES + 1)]

    def rule_data(self) -> dict:
        """The typed values in the shape the rules take (SPEC form names, redirections as a list)."""
        data = dict(self.cleaned_data)
        redirections = [
            {"organisme": organisme.value, "nombre": data.pop(f"redirection_{organisme.value}")}
            for organisme in ORGANISMES_LISTES
        ]
        for index in range(1, AUTRES_ORGANISMES + 1):
            nom, nombre = data.pop(f"autre_nom_{index}").strip(), data.pop(f"autre_nombre_{index}")
            if nom or nombre:
                redirections.append({"organisme": Organisme.AUTRE.value, "nom_autre": nom, "nombre": nombre})
        data["redirections"] = [r for r in redirections if r["organisme"] == Organisme.AUTRE or r["nombre"]]
        return data

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        self.check = check_cra(self.rule_data(), self.context)
        for name, messages in self.check.errors.items():
            for message in messages:
                if name in GROUPS:
                    self.group_errors[name].append(message)
                    # The code names the fieldset the error summary links to.
                    self.add_error(None, forms.ValidationError(message, code=f"groupe-{name}"))
                else:
                    self.add_error(name, message)
        return self.cleaned_data

    @staticmethod
    def initial_for(cra) -> dict:
        """The form's values for an existing CRA (edit)."""
        initial = {name: getattr(cra, name) for name in CraForm.base_fields if hasattr(cra, name)}
        initial.update(
            permanence=cra.permanence_id,
            themes=cra.theme_keys,
            sous_themes=cra.sous_theme_keys,
            **{name: getattr(cra, name) for name, _label in AGES + STATUTS},
        )
        autres = 0
        for redirection in cra.redirections.all():
            if redirection.organisme == Organisme.AUTRE:
                autres += 1
                initial[f"autre_nom_{autres}"] = redirection.nom_autre
                initial[f"autre_nombre_{autres}"] = redirection.nombre
            else:
                initial[f"redirection_{redirection.organisme}"] = redirection.nombre
        return initial

    @staticmethod
    def initial_new(*, principal_permanence_id=None, day=None) -> dict:
        return {
            "idempotency_key": uuid.uuid4(),
            "date_accompagnement": day or timezone.localdate(),
            "canal": Canal.RATTACHEMENT if principal_permanence_id else "",
            "permanence": principal_permanence_id,
            "activite": Activite.INDIVIDUEL,
            "nb_participants": 1,
        }
