"""The period of a statistics request (SPEC §5): defaults, presets and the validation of `du` / `au`.

A wrong period never breaks a page: the form answers with French messages and the default period.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils import timezone

from cnfs.socle.dates import FORMAT_ATTENDU, DateFrField, DateFrWidget

# The programme started on this day: no CRA before it, no statistics period starts earlier.
DATE_LANCEMENT = datetime.date(2020, 11, 17)

PRESETS: tuple[tuple[str, str], ...] = (
    ("ce_mois", "Ce mois-ci"),
    ("mois_dernier", "Mois dernier"),
    ("12_mois", "12 derniers mois"),
    ("annee_en_cours", "Année en cours"),
    ("annee_precedente", "Année précédente"),
    ("depuis_le_debut", "Depuis le début"),
)


@dataclass(frozen=True)
class Periode:
    du: datetime.date
    au: datetime.date


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _first_of_month(day: datetime.date, months_back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def preset_periode(key: str, *, today: datetime.date) -> Periode:
    """The dates of a preset, never before the programme's launch nor after today.

    "12 derniers mois" = the current month and the 11 before it, whole months (12 columns of évolution).
    """
    match key:
        case "ce_mois":
            du, au = _first_of_month(today), today
        case "mois_dernier":
            du, au = _first_of_month(today, 1), _first_of_month(today) - datetime.timedelta(days=1)
        case "12_mois":
            du, au = _first_of_month(today, 11), today
        case "annee_en_cours":
            du, au = datetime.date(today.year, 1, 1), today
        case "annee_precedente":
            du, au = datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
        case "depuis_le_debut":
            du, au = DATE_LANCEMENT, today
        case _:
            raise ValueError(f"Période inconnue : {key!r}")
    return Periode(max(du, DATE_LANCEMENT), max(min(au, today), DATE_LANCEMENT))


def default_periode(*, today: datetime.date, conseiller: bool) -> Periode:
    """A conseiller's own statistics: this month; the pilotage pages: since the launch."""
    return preset_periode("ce_mois" if conseiller else "depuis_le_debut", today=today)


NOMS_DES_DATES = {"du": "La date de début", "au": "La date de fin"}
PERIODE_INVERSEE = "La date de début doit précéder la date de fin, ou lui être égale."


def date_field_options(name: str) -> dict:
    """The options of the `du` or `au` DateFrField of every period form (also given to the CRA history's
    django-filter DateFilter): same label, same French messages."""
    return {
        "label": name.capitalize(),
        "required": False,
        "error_messages": {
            "invalid": f"{NOMS_DES_DATES[name]} n'est pas une date valide (JJ/MM/AAAA).",
            "inexistante": f"{NOMS_DES_DATES[name]} n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA).",
        },
    }


class DatesForm(forms.Form):
    """`du` / `au`, each optional: the period of the CRA history (open-ended) and the base of PeriodeForm.
    An inverted period is refused with a message on `au`, and both dates are dropped: it filters nothing
    rather than half of it."""

    du = DateFrField(**date_field_options("du"))
    au = DateFrField(**date_field_options("au"))

    def clean(self):
        cleaned = super().clean()
        if (
            self.complete_dates(cleaned)
            and cleaned.get("du")
            and cleaned.get("au")
            and cleaned["du"] > cleaned["au"]
        ):
            self.add_error("au", PERIODE_INVERSEE)
            cleaned.pop("du", None)
        return cleaned

    def complete_dates(self, cleaned: dict) -> bool:
        """Completes the dates (a form with defaults or presets does); whether their order is then checked."""
        return True


class PeriodeForm(DatesForm):
    """`periode` (a preset) or `du` / `au`; a preset wins over typed dates, a missing date takes the
    default's, both stay between the launch and today. Invalid → `errors` in French and `.periode_retenue`
    is the default."""

    periode = forms.ChoiceField(
        label="Période",
        choices=[("", "Dates choisies"), *PRESETS],
        required=False,
        error_messages={"invalid_choice": "Cette période n'existe pas : choisissez-en une dans la liste."},
    )

    def __init__(self, data=None, *, today: datetime.date, default: Periode, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.default = default

    def complete_dates(self, cleaned: dict) -> bool:
        """The preset's dates (in order), or the typed ones completed by the default's and checked against
        the bounds; out-of-bounds dates are not compared."""
        if self.errors:
            return False
        if cleaned.get("periode"):
            periode = preset_periode(cleaned["periode"], today=self.today)
            cleaned["du"], cleaned["au"] = periode.du, periode.au
            return False
        cleaned["du"] = cleaned.get("du") or self.default.du
        cleaned["au"] = cleaned.get("au") or self.default.au
        bounds = (
            f"entre le {DATE_LANCEMENT:%d/%m/%Y} (lancement du dispositif) "
            f"et aujourd'hui ({self.today:%d/%m/%Y})"
        )
        in_range = True
        for name, what in NOMS_DES_DATES.items():
            if not DATE_LANCEMENT <= cleaned[name] <= self.today:
                self.add_error(name, f"{what} doit être comprise {bounds}.")
                in_range = False
        return in_range

    @property
    def periode_retenue(self) -> Periode:
        if self.is_bound and self.is_valid():
            return Periode(self.cleaned_data["du"], self.cleaned_data["au"])
        return self.default


def periode_demandee(
    params: Mapping[str, str], *, conseiller: bool
) -> tuple[Periode, list[str], datetime.date]:
    """The period a page is asked for, with the page's default (default_periode), the French messages when
    it was refused, and today (for the period picker)."""
    today = timezone.localdate()
    periode, messages = parse_periode(
        params, today=today, default=default_periode(today=today, conseiller=conseiller)
    )
    return periode, messages, today


def parse_periode(
    params: Mapping[str, str], *, today: datetime.date, default: Periode
) -> tuple[Periode, list[str]]:
    """The period asked in a query string (`periode`, `du`, `au`) and the French messages explaining why it
    was refused (then the period is the default)."""
    form = PeriodeForm(params, today=today, default=default)
    messages = [message for errors in form.errors.values() for message in errors]
    return form.periode_retenue, messages


@dataclass(frozen=True)
class Preset:
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class PeriodPicker:
    """What components/_period_picker.html shows: the period retained, its presets as links."""

    du: datetime.date
    au: datetime.date
    today: datetime.date
    presets: tuple[Preset, ...]
    debut: datetime.date = DATE_LANCEMENT

    @property
    def hint(self) -> str:
        return f"{FORMAT_ATTENDU}, du {self.debut:%d/%m/%Y} au {self.today:%d/%m/%Y}"

    @property
    def input_du(self) -> str:
        return _date_input("du", self.du)

    @property
    def input_au(self) -> str:
        return _date_input("au", self.au)


def _date_input(name: str, day: datetime.date) -> str:
    """The picker's `du` or `au` input: the widget of the period forms, with the picker's ids."""
    return DateFrWidget(attrs={"class": "fr-input", "id": f"periode-{name}"}).render(name, day)


def period_picker(periode: Periode, *, today: datetime.date, kept: Mapping[str, str]) -> PeriodPicker:
    """The picker of `periode`; each preset's link keeps the other parameters of the page (`kept`)."""
    presets = []
    current_found = False
    for key, label in PRESETS:
        dates = preset_periode(key, today=today)
        current = not current_found and (dates.du, dates.au) == (periode.du, periode.au)
        current_found = current_found or current
        query = QueryDict(mutable=True)
        query.update({"periode": key, **kept})
        presets.append(Preset(label, f"?{query.urlencode()}", current))
    return PeriodPicker(du=periode.du, au=periode.au, today=today, presets=tuple(presets))
