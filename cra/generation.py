"""Realistic CRAs for the conseillers already in the database: the demo's (SPEC §9) and the benchmarks'
(`manage.py generate_cras`, SPEC §10).

Every row passes `cra.rules.check_cra`, the rules of the form, and stores the values it returns: the
generator cannot write what a conseiller could not. The rules cost about 50 µs a CRA, too much for millions
of rows, so they run on *templates*: a CRA drawn without its date and checked once, with its conseiller's
context built once (no query per row), then given dates. The date is then the only thing that differs, and
its rule (not before the launch, not after today, the template's structure employing the conseiller that
day) is applied to every day of the calendar a row can fall on. Up to TEMPLATE_BUDGET rows, every row has
its own template; beyond, each conseiller's templates are shared among his rows.

Generated CRAs are imports, not edits by a user: they get no history row (CraHistorique) and no idempotency
key. The demo tells its generated CRAs from the ones typed in the Espace Coop by that missing history.

Two ways to write: `bulk` (portable: batched INSERTs; SQLite) and `copy` (PostgreSQL: binary COPY through
psycopg 3, the CRA ids reserved from their sequence, optionally from two processes). Both write chunks of
CHUNK_SIZE rows, one transaction each, so that memory stays bounded whatever the count. The rows of a month
follow from the plan and the seed alone: the same seed gives the same CRAs, whatever the way of writing.
"""

import bisect
import datetime
import math
import multiprocessing
import random
import struct
import time
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import connection, connections, transaction
from django.utils import timezone

from conseillers.models import Conseiller, PermanenceConseiller
from cra.enums import DATE_LANCEMENT, Activite, Canal, Duree, Organisme, SousTheme, Theme
from cra.models import Cra, CraRedirection
from cra.rules import CraContext, check_cra
from cra.services import HISTORY_FIELDS, cra_context_for, cra_stored_fields
from structures.communes import ReferentielCommunes
from structures.models import Structure

CHUNK_SIZE = 50_000
TEMPLATE_BUDGET = 100_000


class GenerationError(Exception):
    pass


class Weights:
    """Keys drawn in proportion to their weights."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- What a CRA looks like: the weights of the real programme -------------------------------------------

ACTIVITES = Weights({Activite.INDIVIDUEL: 55, Activite.PONCTUEL: 25, Activite.COLLECTIF: 20})
WORKSHOP_SIZES = Weights({3: 7, 4: 11, 5: 14, 6: 14, 7: 11, 8: 10, 9: 8, 10: 9, 11: 5, 12: 11})
THEMES = Weights(
    {
        Theme.DEMARCHE_EN_LIGNE: 20,
        Theme.EQUIPEMENT_INFORMATIQUE: 17,
        Theme.COURRIEL: 13,
        Theme.INTERNET: 12,
        Theme.SANTE: 9,
        Theme.SECURITE: 5,
        Theme.VOCABULAIRE: 4,
        Theme.CONTENUS_NUMERIQUES: 4,
        Theme.ECHANGER: 4,
        Theme.TROUVER_EMPLOI: 4,
        Theme.TRAITEMENT_TEXTE: 4,
        Theme.FRAUDE_HARCELEMENT: 3,
        Theme.DIAGNOSTIC: 3,
        Theme.BUDGET: 2,
        Theme.ACCOMPAGNER_ENFANT: 2,
        Theme.SCOLAIRE: 1.5,
        Theme.TPE_PME: 1,
    }
)
THEMES_PER_CRA = Weights({1: 50, 2: 35, 3: 15})
# Parent theme -> probability of a sub-theme, and which.
SOUS_THEMES = {
    Theme.SANTE: (0.4, Weights({SousTheme.ESPACE_SANTE: 1})),
    Theme.EQUIPEMENT_INFORMATIQUE: (
        0.6,
        Weights({SousTheme.TELEPHONE: 45, SousTheme.ORDINATEUR: 35, SousTheme.TABLETTE: 20}),
    ),
    Theme.TRAITEMENT_TEXTE: (0.35, Weights({SousTheme.FOURNITURE: 1})),
    Theme.ACCOMPAGNER_ENFANT: (
        0.5,
        Weights({SousTheme.PARENT: 50, SousTheme.SOCIAL: 30, SousTheme.ENSEIGNANT: 20}),
    ),
}
AGE_FIELDS = ["age_moins_12", "age_12_18", "age_18_35", "age_35_60", "age_plus_60"]
STATUT_FIELDS = ["statut_etudiant", "statut_sans_emploi", "statut_en_emploi", "statut_retraite"]
STATUT_FIELDS += ["statut_heterogene"]


def _classes(weights: list) -> Weights:
    return Weights(dict(enumerate(weights)))


AGES_ONE_PERSON = _classes([1, 4, 16, 36, 43])
# A workshop has its public: seniors, young people (school workshops) or everybody.
WORKSHOP_PUBLICS = Weights({"seniors": 50, "jeunes": 15, "tous": 35})
AGES_WORKSHOP = {
    "seniors": _classes([0, 0, 3, 20, 77]),
    "jeunes": _classes([30, 60, 10, 0, 0]),
    "tous": AGES_ONE_PERSON,
}
# The statut by age class: étudiant, sans emploi, en emploi, retraité, non renseigné.
STATUTS_BY_AGE = [
    _classes([100, 0, 0, 0, 0]),
    _classes([95, 0, 0, 0, 5]),
    _classes([20, 35, 30, 0, 15]),
    _classes([0, 35, 45, 3, 17]),
    _classes([0, 2, 3, 85, 10]),
]
CANAUX = {
    Activite.INDIVIDUEL: Weights(
        {Canal.RATTACHEMENT: 78, Canal.AUTRE_LIEU: 8, Canal.DISTANCE: 9, Canal.DOMICILE: 5}
    ),
    Activite.PONCTUEL: Weights(
        {Canal.RATTACHEMENT: 70, Canal.AUTRE_LIEU: 8, Canal.DISTANCE: 20, Canal.DOMICILE: 2}
    ),
    Activite.COLLECTIF: Weights({Canal.RATTACHEMENT: 80, Canal.AUTRE_LIEU: 18, Canal.DISTANCE: 2}),
}
DUREES = {
    Activite.INDIVIDUEL: Weights({Duree.MOINS_30: 25, Duree.DE_30_A_60: 55, Duree.PLUS_60: 20}),
    Activite.PONCTUEL: Weights({Duree.MOINS_30: 75, Duree.DE_30_A_60: 22, Duree.PLUS_60: 3}),
    Activite.COLLECTIF: Weights({Duree.MOINS_30: 2, Duree.DE_30_A_60: 20, Duree.PLUS_60: 78}),
}
MINUTES_ONE_PERSON = Weights({60: 30, 75: 15, 90: 25, 105: 3, 120: 17, 150: 5, 180: 4, 240: 1})
MINUTES_WORKSHOP = Weights(
    {60: 8, 75: 4, 90: 20, 105: 3, 120: 28, 135: 2, 150: 9, 180: 14, 210: 3, 240: 5, 300: 2, 360: 1, 480: 1}
)
ORGANISMES = Weights(
    {
        Organisme.FRANCE_SERVICES: 15,
        Organisme.CAF: 12,
        Organisme.CPAM: 10,
        Organisme.FRANCE_TRAVAIL: 10,
        Organisme.MAIRIE: 8,
        Organisme.CCAS: 8,
        Organisme.ANTS: 6,
        Organisme.DGFIP: 6,
        Organisme.ASSISTANTE_SOCIALE: 6,
        Organisme.CARSAT: 4,
        Organisme.MISSION_LOCALE: 4,
        Organisme.MEDIATHEQUE: 3,
        Organisme.PREFECTURE: 2,
        Organisme.REVENDEUR: 2,
        Organisme.TIERS_LIEU: 2,
        Organisme.SOUS_PREFECTURE: 1,
        Organisme.CIP: 1,
        Organisme.CEFS: 1,
        Organisme.POLICE: 1,
        Organisme.GENDARMERIE: 1,
        Organisme.AUTRE: 5,
    }
)
AUTRES_ORGANISMES = ["MSA", "Bailleur social", "Point justice", "Banque", "Emmaüs Connect", "Notaire"]
ANNOTATIONS = [
    "Rendez-vous suivant pris",
    "Dossier retraite en cours",
    "Public allophone",
    "Prêt de tablette",
    "Atelier du mardi",
    "Venue avec sa fille",
    "Impression de justificatifs",
    "À rappeler la semaine prochaine",
    "Création d'adresse e-mail",
    "Partenariat CCAS",
]
# Monday .. Sunday: few Saturdays, no Sundays.
WEEKDAYS = [0.85, 1.0, 0.95, 1.0, 0.85, 0.1, 0.0]
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def _day_weight(day: datetime.date) -> float:
    """How busy a day is: weekdays, quieter in July, August and around Christmas, closed on holidays."""
    if (day.month, day.day) in HOLIDAYS:
        return 0.0
    weight = WEEKDAYS[day.weekday()]
    if day.month == 8:
        weight *= 0.45
    elif day.month == 7:
        weight *= 0.85
    elif (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3):
        weight *= 0.3
    return weight


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _spread(rng: random.Random, n: int, classes: Weights) -> list[int]:
    """n people spread over five classes."""
    counts = [0] * 5
    for _ in range(n):
        counts[classes.pick(rng)] += 1
    return counts


def _draw_people(rng: random.Random, activite: str) -> dict:
    """Participants, their ages and statuts (each summing to the participants), récurrents."""
    if activite == Activite.COLLECTIF:
        n = WORKSHOP_SIZES.pick(rng)
        ages = _spread(rng, n, AGES_WORKSHOP[WORKSHOP_PUBLICS.pick(rng)])
        recurrents = 0 if rng.random() < 0.35 else _binomial(rng, n, 0.5)
        statuts_unknown = rng.random() < 0.3  # often not asked in a workshop
    else:
        n = 1
        ages = _spread(rng, 1, AGES_ONE_PERSON)
        recurrents = int(rng.random() < (0.35 if activite == Activite.INDIVIDUEL else 0.15))
        statuts_unknown = False
    statuts = [0, 0, 0, 0, n if statuts_unknown else 0]
    if not statuts_unknown:
        for age_class, count in enumerate(ages):
            for index, number in enumerate(_spread(rng, count, STATUTS_BY_AGE[age_class])):
                statuts[index] += number
    return {
        "nb_participants": n,
        "nb_participants_recurrents": recurrents,
        **dict(zip(AGE_FIELDS, ages, strict=True)),
        **dict(zip(STATUT_FIELDS, statuts, strict=True)),
    }


def _draw_themes(rng: random.Random) -> tuple[list[str], list[str]]:
    """One to three themes, the frequent ones first; sometimes a sub-theme, always under its theme."""
    count, themes = THEMES_PER_CRA.pick(rng), []
    while len(themes) < count:
        theme = THEMES.pick(rng)
        if theme not in themes:
            themes.append(theme)
    sous_themes = []
    for theme in themes:
        probability, choices = SOUS_THEMES.get(theme, (0, None))
        if rng.random() < probability:
            sous_themes.append(choices.pick(rng).value)
    return [theme.value for theme in themes], sous_themes


def _draw_suivi(rng: random.Random, activite: str, n: int) -> dict:
    """Follow-ups and redirections: never more than the participants."""
    suivi_individuel = suivi_atelier = 0
    redirections = []
    if n == 1:
        r = rng.random()
        if r < (0.28 if activite == Activite.INDIVIDUEL else 0.08):
            suivi_individuel = 1
        elif r < 0.34:
            suivi_atelier = 1
        elif r < 0.44:
            redirections.append(_redirection(rng, 1))
    else:
        if rng.random() < 0.6:
            suivi_atelier = _binomial(rng, n, 0.35)
        suivi_individuel = _binomial(rng, n - suivi_atelier, 0.1)
        left = n - suivi_atelier - suivi_individuel
        if left and rng.random() < 0.12:
            for _ in range(rng.choice([1, 1, 2])):
                redirection = _redirection(rng, min(left, rng.randint(1, 3)))
                if redirection["nombre"] and redirection["organisme"] not in [
                    r["organisme"] for r in redirections
                ]:
                    redirections.append(redirection)
                    left -= redirection["nombre"]
    return {
        "suivi_individuel": suivi_individuel,
        "suivi_atelier": suivi_atelier,
        "redirections": redirections,
    }


def _redirection(rng: random.Random, nombre: int) -> dict:
    organisme = ORGANISMES.pick(rng)
    nom = rng.choice(AUTRES_ORGANISMES) if organisme == Organisme.AUTRE else ""
    return {"organisme": organisme.value, "nom_autre": nom, "nombre": nombre}


def draw_cra(rng: random.Random, places: dict[str, list[dict]]) -> dict:
    """A CRA without its date, as the rules take it; `places` gives the places checked, by canal."""
    activite = ACTIVITES.pick(rng)
    people = _draw_people(rng, activite)
    themes, sous_themes = _draw_themes(rng)
    duree = DUREES[activite].pick(rng)
    minutes = None
    if duree == Duree.PLUS_60:
        minutes = (MINUTES_WORKSHOP if activite == Activite.COLLECTIF else MINUTES_ONE_PERSON).pick(rng)
    canal = CANAUX[activite].pick(rng)
    options = places.get(canal) or places.get(Canal.AUTRE_LIEU) or next(iter(places.values()))
    place = rng.choices(options, weights=[option["_weight"] for option in options])[0]
    return {
        **{name: value for name, value in place.items() if name != "_weight"},
        "activite": activite.value,
        **people,
        "themes": themes,
        "sous_themes": sous_themes,
        "annotation": rng.choice(ANNOTATIONS) if rng.random() < 0.07 else "",
        "duree": duree.value,
        "duree_minutes": minutes,
        **_draw_suivi(rng, activite, people["nb_participants"]),
    }


# --- Who works when: the calendar, each conseiller's employments and places ------------------------------


@dataclass
class Calendar:
    """The days CRAs can fall on, with their weights accumulated for weighted draws."""

    start: datetime.date
    today: datetime.date
    days: list[datetime.date] = field(init=False)
    cumulative: list[float] = field(init=False)
    midnights: list[datetime.datetime] = field(init=False)

    def __post_init__(self):
        count = (self.today - self.start).days + 1
        self.days = [self.start + datetime.timedelta(days=offset) for offset in range(count)]
        self.cumulative = list(accumulate(_day_weight(day) for day in self.days))
        # In UTC, so that adding seconds counts the time elapsed across a change of summer time.
        self.midnights = [
            timezone.make_aware(datetime.datetime.combine(day, datetime.time())).astimezone(datetime.UTC)
            for day in self.days
        ]

    def index(self, day: datetime.date) -> int:
        return (day - self.start).days

    def weight(self, i0: int, i1: int) -> float:
        """The weight of the days [i0, i1)."""
        return self.cumulative[i1 - 1] - (self.cumulative[i0 - 1] if i0 else 0.0)

    def months(self, i0: int, i1: int):
        """[i0, i1) cut at the first day of each month."""
        while i0 < i1:
            day = self.days[i0]
            following = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            end = min(i1, self.index(following))
            yield i0, end
            i0 = end


@dataclass
class Segment:
    """The CRAs of one conseiller with one employer: his context, his places, the templates."""

    conseiller_id: int
    structure_id: int
    context: CraContext
    places: dict[str, list[dict]]
    first_day: datetime.date
    count: int = 0
    templates: list = field(default_factory=list)  # (stored values after the timestamps, redirections)


@dataclass
class Cell:
    """The rows of a segment in one month: the days [i0, i1) of the calendar."""

    segment: int
    i0: int
    i1: int
    weight: float
    count: int = 0
    offset: int = 0  # the segment's rows in its earlier cells: the templates are taken in turn


def _runs(context: CraContext, calendar: Calendar):
    """(structure, i0, i1): the stretches of the calendar on which the conseiller has an employer."""
    bounds = []
    for emploi in context.emplois:
        first, last = max(emploi.debut, calendar.start), min(emploi.fin or calendar.today, calendar.today)
        if first <= last:
            bounds.append((emploi.structure_id, calendar.index(first), calendar.index(last) + 1))
    if len(context.emplois) == 1 or not bounds:
        yield from bounds
        return
    # Several employments: each day goes to the employer the rules see on it, once.
    current = begin = None
    for i in range(min(b[1] for b in bounds), max(b[2] for b in bounds) + 1):
        structure = context.structure_on(calendar.days[i]) if i < len(calendar.days) else None
        if structure != current:
            if current is not None:
                yield current, begin, i
            current, begin = structure, i


def _places(structure: Structure, lieux, context: CraContext, day: datetime.date) -> dict[str, list[dict]]:
    """Where the CRAs of a segment happen, by canal, each place checked once by the rules: the employer's
    lieux d'activité (the principal one more often), else the structure's commune or a lieu's. A commune
    that the référentiel does not give for its postal code is left out."""
    communes = {(structure.code_postal, structure.code_commune, structure.nom_commune): 3}
    options = []
    for permanence, principale in lieux:
        communes.setdefault((permanence.code_postal, permanence.code_commune, permanence.nom_commune), 1)
        weight = 3 if principale else 1
        options.append({"canal": Canal.RATTACHEMENT, "permanence": permanence.pk, "_weight": weight})
        # At a distance, without the person's commune, the CRA takes the lieu's.
        options.append({"canal": Canal.DISTANCE, "permanence": permanence.pk, "_weight": weight})
    for (code_postal, code_commune, nom_commune), weight in communes.items():
        commune = {"code_postal": code_postal, "code_commune": code_commune, "nom_commune": nom_commune}
        for canal in (Canal.AUTRE_LIEU, Canal.DOMICILE, Canal.DISTANCE):
            options.append({"canal": canal, "permanence": None, **commune, "_weight": weight})
    probe = {"date_accompagnement": day, "activite": Activite.PONCTUEL, "themes": [Theme.COURRIEL]}
    probe |= {"duree": Duree.MOINS_30, "age_35_60": 1, "statut_en_emploi": 1}
    places = {}
    for option in options:
        if check_cra(probe | option, context).is_valid:
            places.setdefault(option["canal"], []).append(option)
    return places


def _segments(conseillers, calendar: Calendar, intensities: dict[int, float], seed) -> tuple[list, list]:
    """The segments and their cells, for every conseiller employed within the calendar (a few queries)."""
    conseillers = sorted(conseillers.prefetch_related("contrats", "permanences"), key=lambda c: c.pk)
    referentiel = ReferentielCommunes.if_loaded()  # one cache shared by every context
    lieux = {}
    links = PermanenceConseiller.objects.filter(conseiller__in=[c.pk for c in conseillers])
    for link in links.select_related("permanence").order_by("permanence_id"):
        lieux.setdefault(link.conseiller_id, []).append((link.permanence, link.principale))
    structures = Structure.objects.in_bulk({k.structure_id for c in conseillers for k in c.contrats.all()})
    segments, cells, keys = [], [], {}
    for conseiller in conseillers:
        context = cra_context_for(conseiller)
        context.communes_par_code_postal, context.today = referentiel, calendar.today
        if not context.emplois:
            continue
        rng = random.Random(f"{seed}:intensity:{conseiller.pk}")
        intensity = intensities.get(conseiller.pk) or min(3.0, max(0.25, rng.lognormvariate(0, 0.5)))
        # The first weeks of the first contract are spent in training: fewer CRAs.
        training_end = min(emploi.debut for emploi in context.emplois) + datetime.timedelta(days=30)
        for structure_id, i0, i1 in sorted(_runs(context, calendar), key=lambda run: run[1]):
            key = (conseiller.pk, structure_id)
            if key not in keys:
                mine = [
                    (p, main) for p, main in lieux.get(conseiller.pk, ()) if p.structure_id == structure_id
                ]
                places = _places(structures[structure_id], mine, context, calendar.days[i0])
                if not places:
                    continue
                keys[key] = len(segments)
                segments.append(Segment(conseiller.pk, structure_id, context, places, calendar.days[i0]))
            for m0, m1 in calendar.months(i0, i1):
                ramp = 0.4 if calendar.days[m0] < training_end else 1.0
                weight = intensity * ramp * calendar.weight(m0, m1)
                if weight > 0:
                    cells.append(Cell(keys[key], m0, m1, weight))
    return segments, cells


def _allocate(cells: list[Cell], count: int) -> None:
    """Shares `count` among the cells in proportion to their weights (largest remainders)."""
    total = sum(cell.weight for cell in cells)
    quotas = [count * cell.weight / total for cell in cells]
    for cell, quota in zip(cells, quotas, strict=True):
        cell.count = int(quota)
    left = count - sum(cell.count for cell in cells)
    for i in sorted(range(len(cells)), key=lambda i: (cells[i].count - quotas[i], i))[:left]:
        cells[i].count += 1


def _ensure_this_month(
    cells: list[Cell], segments: list[Segment], calendar: Calendar, conseiller_ids
) -> None:
    """A few CRAs this month for these conseillers (the demo accounts'), taken from their busiest month."""
    month = (calendar.today.year, calendar.today.month)
    for conseiller_id in conseiller_ids:
        mine = [cell for cell in cells if segments[cell.segment].conseiller_id == conseiller_id]
        recent = [c for c in mine if (calendar.days[c.i0].year, calendar.days[c.i0].month) == month]
        if not recent or sum(cell.count for cell in recent) >= 3:
            continue
        busiest = max(mine, key=lambda cell: cell.count)
        moved = min(3, busiest.count)
        busiest.count -= moved
        max(recent, key=lambda cell: cell.weight).count += moved


# The stored values of a template, after the date and the timestamps that each row gets.
TAIL_FIELDS = ["conseiller_id", *(name for name in HISTORY_FIELDS if name != "date_accompagnement")]
TAIL_FIELDS += ["themes", "sous_themes", "nb_redirections"]
ROW_FIELDS = ["date_accompagnement", "created_at", "updated_at", *TAIL_FIELDS]


def _draw_templates(segments: list[Segment], count: int, seed) -> None:
    """Each segment's templates, every one checked by the rules: one per row up to TEMPLATE_BUDGET."""
    for segment in segments:
        if not segment.count:
            continue
        size = segment.count
        if count > TEMPLATE_BUDGET:
            size = min(size, max(16, math.ceil(segment.count * TEMPLATE_BUDGET / count)))
        rng = random.Random(f"{seed}:templates:{segment.conseiller_id}:{segment.structure_id}")
        for _ in range(size):
            data = {"date_accompagnement": segment.first_day, **draw_cra(rng, segment.places)}
            check = check_cra(data, segment.context)
            if not check.is_valid or check.values["structure_id"] != segment.structure_id:
                raise GenerationError(f"CRA généré refusé par les règles : {check.errors} ({data})")
            stored = cra_stored_fields(check.values) | {"conseiller_id": segment.conseiller_id}
            redirections = [
                (r["organisme"], r["nom_autre"], r["nombre"]) for r in check.values["redirections"]
            ]
            segment.templates.append((tuple(stored[name] for name in TAIL_FIELDS), redirections))


def _timings(seed) -> list[tuple[int, int]]:
    """(seconds from the day's midnight to created_at, seconds from created_at to updated_at): mostly
    typed the same day after the session, sometimes a few days later; edited now and then."""
    rng = random.Random(f"{seed}:timings")
    timings = []
    for _ in range(4096):
        r = rng.random()
        days = 0 if r < 0.85 else rng.randint(1, 3) if r < 0.97 else rng.randint(4, 14)
        created = days * 86400 + rng.randint(*((9 * 3600, 19 * 3600) if days == 0 else (8 * 3600, 21 * 3600)))
        edited = rng.randint(300, 10 * 86400) if rng.random() < 0.08 else 0
        timings.append((created, edited))
    return timings


@dataclass
class Plan:
    """Everything drawn before writing: the rows of each month follow from it and the seed alone."""

    calendar: Calendar
    segments: list[Segment]
    months: list[list[Cell]]
    seed: object
    now: datetime.datetime
    timings: list = field(default_factory=list)

    def draws(self, months=None):
        """(day index, segment, template, timing) of each row, month after month, by date in a month."""
        cumulative = self.calendar.cumulative
        for number in range(len(self.months)) if months is None else months:
            rng = random.Random(f"{self.seed}:month:{number}")
            drawn = []
            for cell in self.months[number]:
                templates = len(self.segments[cell.segment].templates)
                base = cumulative[cell.i0 - 1] if cell.i0 else 0.0
                span = cumulative[cell.i1 - 1] - base
                last = cell.i1 - 1
                while last > cell.i0 and cumulative[last] == cumulative[last - 1]:
                    last -= 1  # a day without weight (a Sunday) is never drawn
                for j in range(cell.count):
                    i = bisect.bisect_right(cumulative, base + rng.random() * span, cell.i0, last)
                    drawn.append((i, cell.segment, (cell.offset + j) % templates, rng.getrandbits(12)))
            drawn.sort()
            yield from drawn

    def seconds(self, i: int, timing: int) -> tuple[int, int]:
        """created_at and updated_at of a row of the i-th day, in seconds after that day's midnight: never
        after now (for the last days)."""
        created, edited = self.timings[timing]
        updated = created + edited
        if i >= len(self.calendar.days) - 30:
            limit = max(0, int((self.now - self.calendar.midnights[i]).total_seconds()))
            created, updated = min(created, limit), min(updated, limit)
        return created, updated

    def rows(self, months=None):
        """(stored values in ROW_FIELDS order, redirections) of each row."""
        days, midnights = self.calendar.days, self.calendar.midnights
        for i, segment, template, timing in self.draws(months):
            tail, redirections = self.segments[segment].templates[template]
            created, updated = self.seconds(i, timing)
            created_at = midnights[i] + datetime.timedelta(seconds=created)
            updated_at = midnights[i] + datetime.timedelta(seconds=updated)
            yield (days[i], created_at, updated_at, *tail), redirections


def generation_plan(*, count, seed, conseillers, start, today, now=None, intensities=None, this_month=()):
    """Draws who gets how many CRAs on which days, and the checked templates."""
    calendar = Calendar(max(start, DATE_LANCEMENT), today)
    segments, cells = _segments(conseillers, calendar, intensities or {}, seed)
    if not cells:
        raise GenerationError("Aucun conseiller activé n'a de contrat sur la période : rien à générer.")
    _allocate(cells, count)
    _ensure_this_month(cells, segments, calendar, this_month)
    months = {}
    for cell in cells:
        segment = segments[cell.segment]
        cell.offset, segment.count = segment.count, segment.count + cell.count
        day = calendar.days[cell.i0]
        months.setdefault((day.year, day.month), []).append(cell)
    _draw_templates(segments, count, seed)
    plan = Plan(calendar, segments, [months[key] for key in sorted(months)], seed, now or timezone.now())
    plan.timings = _timings(seed)
    return plan


# --- Writing ------------------------------------------------------------------------------------------


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reserved_ids(cursor, count: int) -> list[int]:
    """Ids taken from the CRA sequence (PostgreSQL): safe beside concurrent inserts."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [Cra._meta.db_table, Cra._meta.pk.column])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
    return [row[0] for row in cursor.fetchall()]


def _columns(model, names) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in names)


def _insert_statement(model, names) -> str:
    table, placeholders = connection.ops.quote_name(model._meta.db_table), ", ".join(["%s"] * len(names))
    return f"INSERT INTO {table} ({_columns(model, names)}) VALUES ({placeholders})"


REDIRECTION_FIELDS = ["cra", "organisme", "nom_autre", "nombre"]


def _write_bulk(plan: Plan, months, chunk_size: int) -> int:
    """Portable (SQLite; PostgreSQL too): batched INSERTs with their ids, then the redirections. Plain SQL
    rather than bulk_create, which would stamp every row with "now" (auto_now) and spends most of its time
    preparing values."""
    if connection.vendor not in ("sqlite", "postgresql"):
        raise GenerationError(f"Base de données non prise en charge : {connection.vendor}.")
    ops = connection.ops
    written = 0
    for chunk in _chunks(plan.rows(months), chunk_size):
        values = [
            (ops.adapt_datefield_value(row[0]), *map(ops.adapt_datetimefield_value, row[1:3]), *row[3:])
            for row, _redirections in chunk
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                ids, first = _reserved_ids(cursor, len(chunk)), 0
            else:
                # SQLite: the first row takes the next id and the write lock, which no other connection
                # gets before the commit: the ids that follow it are free.
                cursor.execute(_insert_statement(Cra, ROW_FIELDS), values[0])
                ids, first = range(cursor.lastrowid, cursor.lastrowid + len(chunk)), 1
            cursor.executemany(
                _insert_statement(Cra, ["id", *ROW_FIELDS]),
                [(pk, *row) for pk, row in zip(ids[first:], values[first:], strict=True)],
            )
            cursor.executemany(
                _insert_statement(CraRedirection, REDIRECTION_FIELDS),
                [(pk, *r) for pk, (_row, redirections) in zip(ids, chunk, strict=True) for r in redirections],
            )
        written += len(chunk)
    return written


# PostgreSQL's binary COPY format: a signature, then each row as its number of fields and each field as
# its length and bytes (big-endian); dates count days and timestamps microseconds from 2000-01-01 UTC.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"
PG_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_NULL = struct.pack(">i", -1)
_BINARY = {
    "smallint": struct.Struct(">ih"),
    "integer": struct.Struct(">ii"),
    "bigint": struct.Struct(">iq"),
}
# Number of fields, then id, date, created_at and updated_at of a CRA: the part of a row not in its template.
_ROW_HEAD = struct.Struct(">hiqiiiqiq")


def _binary_tail(tail: tuple, kinds: list) -> bytes:
    """A template's stored values, encoded once for all its rows (`kinds`: each field's integer format,
    None for a text)."""
    encoded = []
    for value, kind in zip(tail, kinds, strict=True):
        if value is None:
            encoded.append(_NULL)
        elif kind is None:
            data = value.encode()
            encoded.append(struct.pack(">i", len(data)) + data)
        else:
            encoded.append(kind.pack(kind.size - 4, value))
    return b"".join(encoded)


def _write_copy(plan: Plan, months, chunk_size: int) -> int:
    """PostgreSQL: binary COPY of the CRAs, their ids taken from the sequence, then of the redirections."""
    types = [Cra._meta.get_field(name).db_type(connection).split("(")[0] for name in TAIL_FIELDS]
    kinds = [_BINARY.get(db_type) for db_type in types]
    tails = [[_binary_tail(tail, kinds) for tail, _r in segment.templates] for segment in plan.segments]
    table = connection.ops.quote_name(Cra._meta.db_table)
    cra_sql = f"COPY {table} ({_columns(Cra, ['id', *ROW_FIELDS])}) FROM STDIN (FORMAT BINARY)"
    table = connection.ops.quote_name(CraRedirection._meta.db_table)
    redirection_sql = f"COPY {table} ({_columns(CraRedirection, REDIRECTION_FIELDS)}) FROM STDIN"
    epoch_days = PG_EPOCH.date().toordinal()
    days = [day.toordinal() - epoch_days for day in plan.calendar.days]
    midnights = [
        int((midnight - PG_EPOCH).total_seconds()) * 1_000_000 for midnight in plan.calendar.midnights
    ]
    seconds, segments = plan.seconds, plan.segments
    head, columns = _ROW_HEAD.pack, len(ROW_FIELDS) + 1
    written = 0
    for chunk in _chunks(plan.draws(months), chunk_size):
        with transaction.atomic(), connection.cursor() as cursor:
            ids = _reserved_ids(cursor, len(chunk))
            data, redirections = bytearray(COPY_SIGNATURE), []
            for pk, (i, segment, template, timing) in zip(ids, chunk, strict=True):
                created, updated = seconds(i, timing)
                midnight = midnights[i]
                created, updated = midnight + created * 1_000_000, midnight + updated * 1_000_000
                data += head(columns, 8, pk, 4, days[i], 8, created, 8, updated)
                data += tails[segment][template]
                redirections += [(pk, *r) for r in segments[segment].templates[template][1]]
            data += COPY_TRAILER
            with cursor.copy(cra_sql) as copy:
                copy.write(data)
            with cursor.copy(redirection_sql) as copy:
                for row in redirections:
                    copy.write_row(row)
        written += len(chunk)
    return written


@dataclass
class GenerationResult:
    count: int
    seconds: float
    method: str
    workers: int = 1

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


_PLAN = None  # the plan the writing processes inherit when they are forked


def _write_share(months, chunk_size) -> int:
    try:
        return _write_copy(_PLAN, months, chunk_size)
    finally:
        connections.close_all()


def _write_in_processes(plan: Plan, workers: int, chunk_size: int) -> int:
    """COPY from `workers` forked processes, each with its own connection and its share of the months:
    PostgreSQL then checks and indexes the rows on several cores."""
    global _PLAN
    shares, loads = [[] for _ in range(workers)], [0] * workers
    by_size = sorted(range(len(plan.months)), key=lambda n: -sum(cell.count for cell in plan.months[n]))
    for number in by_size:
        lightest = loads.index(min(loads))
        shares[lightest].append(number)
        loads[lightest] += sum(cell.count for cell in plan.months[number])
    _PLAN = plan
    connections.close_all()  # a forked process must not share the parent's connection
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return sum(pool.starmap(_write_share, [(sorted(share), chunk_size) for share in shares]))
    finally:
        _PLAN = None


def generate_cras(
    *,
    count: int,
    seed=0,
    conseillers=None,
    start: datetime.date | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    method: str = "auto",
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    intensities: dict[int, float] | None = None,
    this_month=(),
) -> GenerationResult:
    """Adds `count` CRAs, valid for the rules, spread over the employments of the conseillers given (the
    activated ones by default)."""
    started = time.perf_counter()
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk"
    if method == "copy" and connection.vendor != "postgresql":
        raise GenerationError("L'écriture par COPY demande PostgreSQL.")
    if method != "copy" or connection.in_atomic_block:
        workers = 1  # other processes would not see this transaction's rows
    if count <= 0:
        return GenerationResult(0, 0.0, method)
    plan = generation_plan(
        count=count,
        seed=seed,
        conseillers=Conseiller.objects.actives() if conseillers is None else conseillers,
        start=start or DATE_LANCEMENT,
        today=today or timezone.localdate(),
        now=now,
        intensities=intensities,
        this_month=this_month,
    )
    if workers > 1:
        written = _write_in_processes(plan, workers, chunk_size)
    else:
        written = (_write_copy if method == "copy" else _write_bulk)(plan, None, chunk_size)
    return GenerationResult(written, time.perf_counter() - started, method, workers)
