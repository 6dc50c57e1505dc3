"""Writing the plan: batched INSERTs (portable) or binary COPY on PostgreSQL, in bounded chunks."""

import datetime
import multiprocessing
import struct
from dataclasses import dataclass

from django.db import connection, connections, transaction

from cra.generation.plan import ROW_FIELDS, TAIL_FIELDS, GenerationError, Plan
from cra.models import Cra, CraRedirection

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


def write_bulk(plan: Plan, months, chunk_size: int) -> int:
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


def write_copy(plan: Plan, months, chunk_size: int) -> int:
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
        return write_copy(_PLAN, months, chunk_size)
    finally:
        connections.close_all()


def write_in_processes(plan: Plan, workers: int, chunk_size: int) -> int:
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
