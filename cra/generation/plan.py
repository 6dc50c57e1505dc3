"""Who works when: the calendar, each conseiller's employments and places, and the plan of the rows."""

import bisect
import datetime
import math
import random
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT
from conseillers.models import PermanenceConseiller
from cra.enums import Activite, Canal, Duree, Theme
from cra.generation.draw import day_weight, draw_cra
from cra.rules import CraContext, check_cra
from cra.services import HISTORY_FIELDS, cra_context_for, cra_stored_fields
from structures.communes import ReferentielCommunes
from structures.models import Structure

CHUNK_SIZE = 50_000
TEMPLATE_BUDGET = 100_000


class GenerationError(Exception):
    pass


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
        self.cumulative = list(accumulate(day_weight(day) for day in self.days))
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
