"""The statistics engine measured in the bench process (SPEC §10): national statistics over several periods
against the best computation from the raw CRAs, the territory table, the busiest structure and conseiller,
and the statistics pages through Django's test client (middleware, view, template: the server's time)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import Client

from accounts.enums import RoleKind
from bench.measures import Measure, timed
from cnfs.pages.middleware import SESSION_ROLE_KEY
from cnfs.socle.periode import DATE_LANCEMENT, preset_periode
from stats.models import AgregatJour
from stats.reference import cras_for, reference_sums
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.sums import sum_aggregates
from stats.territoires import tableau_territoires
from structures.enums import MAILLES_DU_TABLEAU

TARGET_MS = 50
RATIO_TARGET = 25
# A raw pass takes seconds: the 15 runs of every measure, one warm-up (which brings the table in memory).
RAW_RUNS = 15
ADMIN = "admin@demo.test"
CONSEILLER = "conseiller@demo.test"


@dataclass(frozen=True)
class Period:
    id: str
    label: str
    du: datetime.date
    au: datetime.date


def periods(today: datetime.date) -> list[Period]:
    """The whole programme, the last 12 months, this month, and a period starting and ending mid-month."""
    preset = {key: preset_periode(key, today=today) for key in ("12_mois", "ce_mois")}
    return [
        Period("debut", "depuis le lancement", DATE_LANCEMENT, today),
        Period("12_mois", "12 derniers mois", preset["12_mois"].du, preset["12_mois"].au),
        Period("ce_mois", "mois en cours", preset["ce_mois"].du, preset["ce_mois"].au),
        Period(
            "mois_entames",
            "du 15/03/2022 au 10/10/2024",
            datetime.date(2022, 3, 15),
            datetime.date(2024, 10, 10),
        ),
    ]


def _statistiques_measure(measure_id: str, label: str, scope: StatsScope, period: Period) -> Measure:
    request = StatsRequest(scope, period.du, period.au)
    return timed(
        Measure(measure_id, f"{label}, {period.label}", "ms", TARGET_MS), lambda: statistiques(request)
    )


def national_measures(periods: list[Period]) -> list[Measure]:
    """stats.selectors.statistiques on the aggregates, national scope, for each period."""
    return [
        _statistiques_measure(
            f"national_{period.id}", "Statistiques nationales", StatsScope.national(), period
        )
        for period in periods
    ]


def _single_pass(request: StatsRequest) -> dict:
    """Every additive sum of `request` in one statement over the raw CRAs: one scan, COUNT / SUM … FILTER
    with the project's own counter definitions. Without the months and the organismes that the
    statistics also need: a yardstick in the raw computation's favour."""
    counters = sum_aggregates()
    return cras_for(request).aggregate(**{f"s{i}": counter for i, counter in enumerate(counters.values())})


def raw_measures(period: Period, national: Measure) -> list[Measure]:
    """The raw computations of the national statistics of `period`, and how many times slower than the
    aggregates (`national`) the fastest of them is."""
    request = StatsRequest(StatsScope.national(), period.du, period.au)
    variants = [
        timed(
            Measure("brut_un_passage", "CRA bruts : une requête, un passage (sans mois ni organismes)", "ms"),
            lambda: _single_pass(request),
            runs=RAW_RUNS,
            warmup=1,
        ),
        timed(
            Measure("brut_reference", "CRA bruts : calcul de référence complet (stats.reference)", "ms"),
            lambda: reference_sums(request),
            runs=RAW_RUNS,
            warmup=1,
        ),
    ]
    ratio = Measure(
        "rapport_brut_agregats",
        f"Calcul brut le plus rapide / agrégats (national, {period.label})",
        "×",
        RATIO_TARGET,
        at_least=True,
    )
    timed_variants = [variant for variant in variants if variant.value is not None]
    if national.value is None or not timed_variants:
        ratio.fail("non calculé : une des mesures a échoué")
    elif statistiques(request) != statistiques(request, source="reference"):
        ratio.fail("les agrégats ne donnent pas les mêmes chiffres que les CRA bruts")
    else:
        best = min(timed_variants, key=lambda variant: variant.value)
        ratio.value = best.value / national.value
        ratio.note = f"médianes : {best.id} / {national.id}"
    return [*variants, ratio]


def territory_measures(today: datetime.date) -> list[Measure]:
    """The territory table of every département, of every région, over the whole programme."""
    return [
        timed(
            Measure(
                f"territoires_{maille}",
                f"Tableau par territoire ({maille.label.lower()}s), depuis le lancement",
                "ms",
                TARGET_MS,
            ),
            lambda maille=maille: tableau_territoires(maille, DATE_LANCEMENT, today),
        )
        for maille in MAILLES_DU_TABLEAU
    ]


def busiest(field: str) -> int:
    """The structure or conseiller (`field`) with the most CRAs."""
    return (
        AgregatJour.objects.values(field)
        .annotate(cras=Sum("cra"))
        .order_by("-cras")
        .values_list(field, flat=True)
        .first()
    )


def scope_measures(structure_id: int, conseiller_id: int, periods: list[Period]) -> list[Measure]:
    """The statistics of the busiest structure and conseiller, for each of `periods`."""
    scopes = [
        (
            "structure",
            f"Statistiques de la structure la plus active (n° {structure_id})",
            StatsScope.structure(structure_id),
        ),
        (
            "conseiller",
            f"Statistiques du conseiller le plus actif (n° {conseiller_id})",
            StatsScope.conseiller(conseiller_id),
        ),
    ]
    return [
        _statistiques_measure(f"{kind}_{period.id}", label, scope, period)
        for kind, label, scope in scopes
        for period in periods
    ]


@dataclass(frozen=True)
class Page:
    id: str
    label: str
    email: str  # the demo account that opens it
    role: RoleKind
    path: str


def pages(structure_id: int, conseiller_id: int) -> list[Page]:
    """The statistics pages of SPEC §6: the conseiller's own, then the pilotage ones opened by the admin."""
    admin = (ADMIN, RoleKind.ADMIN)
    return [
        Page(
            "page_coop_ce_mois",
            "Page /coop/statistiques/, mois en cours",
            CONSEILLER,
            RoleKind.CONSEILLER,
            "/coop/statistiques/",
        ),
        Page(
            "page_coop_debut",
            "Page /coop/statistiques/, depuis le lancement",
            CONSEILLER,
            RoleKind.CONSEILLER,
            "/coop/statistiques/?periode=depuis_le_debut",
        ),
        Page("page_national", "Page /pilotage/national/", *admin, "/pilotage/national/"),
        Page(
            "page_territoires_departement",
            "Page /pilotage/territoires/ (départements)",
            *admin,
            "/pilotage/territoires/",
        ),
        Page(
            "page_territoires_region",
            "Page /pilotage/territoires/ (régions)",
            *admin,
            "/pilotage/territoires/?maille=region",
        ),
        # The national lists of the pilotage, which count each row's CRAs over the default period.
        Page("liste_conseillers", "Liste /pilotage/ (tous les conseillers)", *admin, "/pilotage/"),
        Page("liste_structures", "Liste /pilotage/structures/", *admin, "/pilotage/structures/"),
        Page(
            "page_structure",
            "Page des statistiques de la structure la plus active",
            *admin,
            f"/pilotage/structures/{structure_id}/statistiques/",
        ),
        Page(
            "page_conseiller",
            "Page des statistiques du conseiller le plus actif",
            *admin,
            f"/pilotage/conseillers/{conseiller_id}/statistiques/",
        ),
    ]


def _client(email: str, role: RoleKind) -> Client:
    """A test client logged in as `email`, with `role` as its active role."""
    user = get_user_model().objects.get(email=email)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_ROLE_KEY] = user.roles.get(kind=role).pk
    session.save()
    return client


def page_measure(page: Page) -> Measure:
    """The server time of a page through the test client; not measured while the page does not exist."""
    measure = Measure(page.id, page.label, "ms", TARGET_MS)
    try:
        client = _client(page.email, page.role)
        status = client.get(page.path).status_code
    except Exception as error:
        return measure.fail(error)
    if status == 404:
        measure.note = "non mesurée (page absente)"
        return measure
    if status != 200:
        return measure.fail(f"réponse HTTP {status}")
    return timed(measure, lambda: client.get(page.path))


def statistics_measures(today: datetime.date) -> list[Measure]:
    """Every in-process measure of the statistics, in the order of the results table."""
    spans = periods(today)
    national = national_measures(spans)
    structure_id, conseiller_id = busiest("structure"), busiest("conseiller")
    return [
        *national,
        *raw_measures(spans[0], national[0]),
        *territory_measures(today),
        *scope_measures(structure_id, conseiller_id, spans[:2]),
        *(page_measure(page) for page in pages(structure_id, conseiller_id)),
    ]
