import django_filters
from django import forms

from cra.enums import CURRENT_THEMES, Activite, Canal
from cra.models import THEME_BITS

DATE_ERRORS = {"invalid": "Saisissez une date valide, au format JJ/MM/AAAA."}


def _date_filter(lookup: str, label: str):
    return django_filters.DateFilter(
        field_name="date_accompagnement",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=DATE_ERRORS,
    )


class PeriodForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin doit suivre la date de début.")
            # An inverted period filters nothing rather than half of it.
            self.cleaned_data.pop("du", None)
        return data


class CraHistoryFilter(django_filters.FilterSet):
    """The filters of a conseiller's history; every value lives in the URL."""

    du = _date_filter("gte", "Du")
    au = _date_filter("lte", "Au")
    theme = django_filters.ChoiceFilter(
        label="Thème",
        choices=[(theme.value, theme.label) for theme in CURRENT_THEMES],
        method="filter_theme",
        empty_label="Tous les thèmes",
    )
    canal = django_filters.ChoiceFilter(label="Canal", choices=Canal.choices, empty_label="Tous les canaux")
    activite = django_filters.ChoiceFilter(
        label="Activité", choices=Activite.choices, empty_label="Toutes les activités"
    )
    code_postal = django_filters.CharFilter(label="Code postal", max_length=5)

    def filter_theme(self, queryset, name, value):
        return queryset.with_theme(value) if value in THEME_BITS else queryset

    class Meta:
        form = PeriodForm
