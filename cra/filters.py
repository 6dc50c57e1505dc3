import django_filters

from cnfs.socle.dates import DateFrField
from cnfs.socle.periode import DatesForm, date_field_options
from cra.enums import CURRENT_THEMES, Activite, Canal
from cra.models import THEME_BITS


class DateFrFilter(django_filters.DateFilter):
    field_class = DateFrField


def _date_filter(name: str, lookup: str):
    return DateFrFilter(field_name="date_accompagnement", lookup_expr=lookup, **date_field_options(name))


class CraHistoryFilter(django_filters.FilterSet):
    """The filters of a conseiller's history; every value lives in the URL."""

    du = _date_filter("du", "gte")
    au = _date_filter("au", "lte")
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
        form = DatesForm
