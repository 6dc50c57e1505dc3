"""Writing the aggregates (stats.models): recompute the rows of some keys, rebuild everything, check them.

Rows are always RECOMPUTED from the raw CRAs of their key (delete, then INSERT … SELECT … GROUP BY), never
incremented: replaying a recompute, or running two at once, gives the same rows (see docs/architecture.md,
« Agrégats »). The same set-based statements serve the recompute of a few keys and the full rebuild.
"""

import datetime
import logging
import random
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT, month_start, next_month
from cnfs.socle.sql import compiled_select
from cra.models import Cra, CraRedirection
from stats.aggregates import aggregates_sums
from stats.models import COLUMNS, AgregatDepartementJour, AgregatDepartementMois, AgregatJour, EtatAgregats
from stats.reference import reference_sums
from stats.request import StatsRequest, StatsScope
from stats.sums import sum_aggregates
from structures.models import Departement, Hub, Region, Structure

logger = logging.getLogger(__name__)

ORGANISME_COLUMNS = {key: column for key, column in COLUMNS.items() if key.startswith("organisme:")}
CRA_COLUMNS = {key: column for key, column in COLUMNS.items() if key not in ORGANISME_COLUMNS}


class AggregateKey(NamedTuple):
    """What a CRA is counted under: its day, its structure (employer of the day), its conseiller."""

    jour: datetime.date
    structure_id: int
    conseiller_id: int

    @classmethod
    def of(cls, cra) -> "AggregateKey":
        return cls(cra.date_accompagnement, cra.structure_id, cra.conseiller_id)

    def as_json(self) -> list:
        return [self.jour.isoformat(), self.structure_id, self.conseiller_id]

    @classmethod
    def from_json(cls, value) -> "AggregateKey":
        jour, structure_id, conseiller_id = value
        return cls(datetime.date.fromisoformat(jour), int(structure_id), int(conseiller_id))


# --- Set-based statements, shared by the recompute and the rebuild -------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_select(model, queryset: QuerySet, groups: list[str], columns: Iterable[str], now) -> int:
    """INSERT INTO model (groups…, columns…, computed_at) SELECT … FROM (queryset): the queryset selects
    `c_<name>` for every group and column. Selecting from it by alias keeps the column order explicit;
    COALESCE turns the SUM of no matching row into 0."""
    columns = list(columns)
    sql, params = compiled_select(queryset)
    targets = ", ".join(
        _qn(model._meta.get_field(name).column) for name in [*groups, *columns, "computed_at"]
    )
    values = ", ".join(
        [*(f"sub.c_{name}" for name in groups), *(f"COALESCE(sub.c_{name}, 0)" for name in columns), "%s"]
    )
    statement = f"INSERT INTO {_qn(model._meta.db_table)} ({targets}) SELECT {values} FROM ({sql}) sub"
    with connection.cursor() as cursor:
        cursor.execute(statement, [connection.ops.adapt_datetimefield_value(now), *params])
        return cursor.rowcount


def _write_day_rows(cra_condition: Q, now) -> int:
    """Inserts the AgregatJour rows of the non-deleted CRAs matching `cra_condition` (rows of those keys
    must not exist), then sets their organisme columns from the redirections (UPDATE … FROM: PostgreSQL,
    SQLite ≥ 3.33)."""
    counters = sum_aggregates()
    cras = (
        cras_for_condition(cra_condition)
        .values(
            c_jour=F("date_accompagnement"),
            c_structure=F("structure_id"),
            c_conseiller=F("conseiller_id"),
            c_departement=F("structure__departement_id"),
            c_region=F("structure__departement__region_id"),
        )
        .annotate(**{f"c_{column}": counters[key] for key, column in CRA_COLUMNS.items()})
        .order_by()
    )
    groups = ["jour", "structure", "conseiller", "departement", "region"]
    written = _insert_select(AgregatJour, cras, groups, CRA_COLUMNS.values(), now)

    redirections = (
        CraRedirection.objects.filter(cra__deleted_at__isnull=True)
        .filter(_prefixed(cra_condition))
        .values(
            c_jour=F("cra__date_accompagnement"),
            c_structure=F("cra__structure_id"),
            c_conseiller=F("cra__conseiller_id"),
        )
        .annotate(
            **{
                f"c_{column}": Sum("nombre", filter=Q(organisme=key.removeprefix("organisme:")))
                for key, column in ORGANISME_COLUMNS.items()
            }
        )
        .order_by()
    )
    sql, params = compiled_select(redirections)
    sets = ", ".join(f"{_qn(column)} = COALESCE(r.c_{column}, 0)" for column in ORGANISME_COLUMNS.values())
    meta = AgregatJour._meta
    statement = (
        f"UPDATE {_qn(meta.db_table)} AS a SET {sets} FROM ({sql}) r "
        f"WHERE a.{_qn(meta.get_field('jour').column)} = r.c_jour "
        f"AND a.{_qn(meta.get_field('structure').column)} = r.c_structure "
        f"AND a.{_qn(meta.get_field('conseiller').column)} = r.c_conseiller"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    return written


def cras_for_condition(condition: Q) -> QuerySet[Cra]:
    return Cra.objects.filter(condition, deleted_at__isnull=True)


def _prefixed(condition: Q, prefix: str = "cra__") -> Q:
    """The same condition on a model pointing to Cra."""
    prefixed = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            prefixed.children.append(_prefixed(child, prefix))
        else:
            prefixed.children.append((prefix + child[0], child[1]))
    return prefixed


def _sum_columns() -> dict:
    return {f"c_{column}": Sum(column) for column in COLUMNS.values()}


def _write_departement_days(condition: Q, now) -> int:
    """Inserts the AgregatDepartementJour rows Σ of the AgregatJour rows matching `condition`."""
    days = (
        AgregatJour.objects.filter(condition)
        .values(c_jour=F("jour"), c_departement=F("departement"), c_region=F("region"))
        .annotate(**_sum_columns())
        .order_by()
    )
    return _insert_select(
        AgregatDepartementJour, days, ["jour", "departement", "region"], COLUMNS.values(), now
    )


def _write_departement_months(condition: Q, now) -> int:
    """Inserts the AgregatDepartementMois rows Σ of the AgregatDepartementJour rows matching `condition`."""
    months = (
        AgregatDepartementJour.objects.filter(condition)
        .values(c_mois=TruncMonth("jour"), c_departement=F("departement"), c_region=F("region"))
        .annotate(**_sum_columns())
        .order_by()
    )
    return _insert_select(
        AgregatDepartementMois, months, ["mois", "departement", "region"], COLUMNS.values(), now
    )


# --- Recompute by key ------------------------------------------------------------------------------------


def _lock(departement_months: Iterable[tuple[datetime.date, str]]) -> None:
    """Serialises the recomputes touching the same (month, département) on PostgreSQL, in a fixed order so
    that two of them never wait for each other (SQLite serialises every writer anyway)."""
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {zlib.crc32(f"stats.agregats:{mois:%Y-%m}:{dep}".encode()) for mois, dep in departement_months}
    )
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(or_, conditions)


def aggregates_recompute(*, keys: Iterable[AggregateKey]) -> int:
    """Recomputes from the raw CRAs the aggregate rows of `keys` and the rollups above them; idempotent."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    now = timezone.now()
    with transaction.atomic():
        territories = {
            pk: (departement, region)
            for pk, departement, region in Structure.objects.filter(
                pk__in={key.structure_id for key in keys}
            ).values_list("pk", "departement_id", "departement__region_id")
        }
        key_condition = _any(
            Q(jour=k.jour, structure_id=k.structure_id, conseiller_id=k.conseiller_id) for k in keys
        )
        # Départements of the rows as they are now and as they will be (the same, unless a structure moved).
        departement_days = {
            (k.jour, territories[k.structure_id][0]) for k in keys if k.structure_id in territories
        }
        departement_days |= set(AgregatJour.objects.filter(key_condition).values_list("jour", "departement"))
        if not departement_days:
            return 0
        _lock((month_start(jour), dep) for jour, dep in departement_days)

        AgregatJour.objects.filter(key_condition).delete()
        written = _write_day_rows(
            _any(
                Q(date_accompagnement=k.jour, structure_id=k.structure_id, conseiller_id=k.conseiller_id)
                for k in keys
            ),
            now,
        )

        day_condition = _any(Q(jour=jour, departement=dep) for jour, dep in departement_days)
        AgregatDepartementJour.objects.filter(day_condition).delete()
        _write_departement_days(day_condition, now)

        months = {(month_start(jour), dep) for jour, dep in departement_days}
        AgregatDepartementMois.objects.filter(
            _any(Q(mois=mois, departement=dep) for mois, dep in months)
        ).delete()
        _write_departement_months(
            _any(Q(jour__gte=mois, jour__lt=next_month(mois), departement=dep) for mois, dep in months), now
        )
    return written


# --- Full rebuild ----------------------------------------------------------------------------------------

TABLES = (AgregatJour, AgregatDepartementJour, AgregatDepartementMois)


@dataclass(frozen=True)
class RebuildResult:
    seconds: float
    rows: dict[str, int]


def aggregates_rebuild() -> RebuildResult:
    """Rebuilds every aggregate from the raw CRAs, in one transaction (pages keep reading the old rows)."""
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Recomputes wait until the new rows are committed, then redo their keys on top of them;
            # readers are not blocked (no TRUNCATE, whose lock would stop the statistics pages).
            tables = ", ".join(_qn(model._meta.db_table) for model in TABLES)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        for model in reversed(TABLES):
            # One DELETE per table: nothing points to the aggregates and no signal listens to them, so that
            # Django deletes them without loading a row (tests/stats/test_aggregates.py keeps it so).
            model.objects.all().delete()
        rows = {
            AgregatJour._meta.db_table: _write_day_rows(Q(), now),
            AgregatDepartementJour._meta.db_table: _write_departement_days(Q(), now),
            AgregatDepartementMois._meta.db_table: _write_departement_months(Q(), now),
        }
        seconds = round(time.perf_counter() - started, 3)
        EtatAgregats.objects.update_or_create(
            pk=1, defaults={"rebuilt_at": now, "duree_secondes": seconds, "lignes": rows}
        )
    if connection.vendor == "postgresql":
        # The rebuild deleted and rewrote every row: without VACUUM (autovacuum may be off or late) the
        # reads wade through the dead rows and the tables grow at every rebuild. VACUUM cannot run in a
        # transaction (the tests' one): ANALYZE alone then.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"{command} {_qn(model._meta.db_table)}")
    return RebuildResult(round(time.perf_counter() - started, 3), rows)


# --- Check -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    request: StatsRequest
    key: str
    agregats: int
    reference: int

    def __str__(self):
        scope = self.request.scope
        portee = scope.kind.value + (f" {scope.code or scope.id}" if scope.code or scope.id else "")
        if scope.structure_id is not None:
            portee += f" (structure {scope.structure_id})"
        return (
            f"{portee}, du {self.request.du:%d/%m/%Y} au {self.request.au:%d/%m/%Y} : « {self.key} » vaut "
            f"{self.agregats} dans les agrégats et {self.reference} dans les CRA."
        )


@dataclass(frozen=True)
class CheckReport:
    requests: int
    differences: list[Difference]


def _periods(rng: random.Random, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The whole programme, the current month, and random periods (partial months at both ends)."""
    span = (today - DATE_LANCEMENT).days
    periods = [(DATE_LANCEMENT, today), (month_start(today), today)]
    for _ in range(3):
        du = DATE_LANCEMENT + datetime.timedelta(days=rng.randint(0, span))
        periods.append((du, du + datetime.timedelta(days=rng.randint(0, (today - du).days))))
    return periods


def _check_requests(sample: int, rng: random.Random) -> list[StatsRequest]:
    today = max(
        timezone.localdate(), Cra.objects.aggregate(last=Max("date_accompagnement"))["last"] or DATE_LANCEMENT
    )
    periods = _periods(rng, today)
    whole = [periods[0]]
    structures = list(AgregatJour.objects.values_list("structure_id", flat=True).distinct().order_by())
    rows = list(AgregatJour.objects.values_list("conseiller_id", "structure_id").distinct().order_by())
    scopes = [
        *((StatsScope.departement(code), whole) for code in Departement.objects.values_list("pk", flat=True)),
        (StatsScope.national(), periods),
        *((StatsScope.region(code), periods[:2]) for code in Region.objects.values_list("pk", flat=True)),
        *((StatsScope.hub(pk), periods[:2]) for pk in Hub.objects.values_list("pk", flat=True)),
        *((StatsScope.structure(pk), periods) for pk in rng.sample(structures, min(sample, len(structures)))),
        *((StatsScope.conseiller(pk), periods) for pk, _ in rng.sample(rows, min(sample, len(rows)))),
        *(
            (StatsScope.conseiller(pk, structure_id=structure_id), whole)
            for pk, structure_id in rng.sample(rows, min(sample, len(rows)))
        ),
        (StatsScope.equipe({pk for pk, _ in rng.sample(rows, min(5, len(rows)))}), periods),
    ]
    return [StatsRequest(scope=scope, du=du, au=au) for scope, spans in scopes for du, au in spans]


def aggregates_check(*, sample: int = 20, seed: int | None = None) -> CheckReport:
    """Compares the aggregates to the reference computation over every département and samples of
    structures, conseillers and periods; returns every difference."""
    rng = random.Random(seed)
    requests = _check_requests(sample, rng)
    differences = []
    for request in requests:
        agregats, _computed_at = aggregates_sums(request)
        reference = reference_sums(request)
        differences.extend(
            Difference(request, key, agregats.get(key, 0), reference.get(key, 0))
            for key in sorted(set(agregats) | set(reference))
            if agregats.get(key, 0) != reference.get(key, 0)
        )
    return CheckReport(len(requests), differences)
