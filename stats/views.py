"""The statistics pages (SPEC §6, §7): one template, `stats/statistiques.html`, whatever the scope.

Every filter read from the query string is checked here against the logged-in account's own data; what is
wrong or not his is dropped with a French message, never an error page nor someone else's figures.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone

from conseillers.models import Contrat
from cra.enums import DATE_LANCEMENT
from cra.views import conseiller_required
from stats.charts import page_charts
from stats.periode import PRESETS, Periode, default_periode, parse_periode, preset_periode
from stats.request import CODE_COMMUNE, CODE_POSTAL, StatsRequest, StatsScope
from stats.selectors import statistiques
from structures.models import Structure


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


def _lieu_filter(params) -> tuple[str, str, list[str]]:
    """The code postal (and optional code commune INSEE) asked, or "" with the reason it was dropped."""
    code_postal = params.get("code_postal", "").strip()
    code_commune = params.get("code_commune", "").strip().upper()
    if code_postal and not CODE_POSTAL.fullmatch(code_postal):
        return "", "", [f"Le code postal « {code_postal} » n'est pas valide : il compte 5 chiffres."]
    if code_commune and not (code_postal and CODE_COMMUNE.fullmatch(code_commune)):
        message = f"Le code commune « {code_commune} » n'est pas valide : il compte 5 caractères"
        return code_postal, "", [f"{message} et s'accompagne d'un code postal."]
    return code_postal, code_commune, []


def _employer_filter(params, employers) -> tuple[Structure | None, list[str]]:
    """One of the conseiller's own employers, or None (all of them)."""
    asked = params.get("structure", "").strip()
    if not asked:
        return None, []
    employer = next((s for s in employers if str(s.pk) == asked), None)
    if employer is None:
        return None, [
            "Cette structure ne fait pas partie de vos employeurs : toutes vos structures sont comptées."
        ]
    return employer, []


def _period_picker(periode: Periode, *, today: datetime.date, kept: dict[str, str]) -> PeriodPicker:
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


@conseiller_required
def coop(request, conseiller):
    """A conseiller's own statistics: this month by default, one employer or all, one place or all."""
    today = timezone.localdate()
    periode, messages = parse_periode(
        request.GET, today=today, default=default_periode(today=today, conseiller=True)
    )
    code_postal, code_commune, lieu_messages = _lieu_filter(request.GET)
    # His employers: every structure of his contracts, and the current one (a contract may be missing).
    employers = list(
        Structure.objects.filter(
            Q(pk__in=Contrat.objects.filter(conseiller=conseiller).values("structure"))
            | Q(pk=conseiller.structure_id)
        ).order_by("nom", "pk")
    )
    employer, employer_messages = _employer_filter(request.GET, employers)
    stats = statistiques(
        StatsRequest(
            StatsScope.conseiller(conseiller.pk, structure_id=employer.pk if employer else None),
            periode.du,
            periode.au,
            code_postal=code_postal,
            code_commune=code_commune,
        )
    )
    kept = {"code_postal": code_postal, "code_commune": code_commune}
    kept["structure"] = str(employer.pk) if employer else ""
    kept = {name: value for name, value in kept.items() if value}
    return render(
        request,
        "stats/coop.html",
        {
            "titre": "Mes statistiques",
            "scope_name": f"{conseiller.prenom} {conseiller.nom}",
            "stats": stats,
            "charts": page_charts(stats),
            "picker": _period_picker(periode, today=today, kept=kept),
            "messages_filtres": [*messages, *lieu_messages, *employer_messages],
            "code_postal": code_postal,
            "code_commune": code_commune,
            "employers": employers if len(employers) > 1 else [],
            "employer": employer,
        },
    )
