"""Writing a batch of imported CRAs by source id: staged in a temporary table (COPY on PostgreSQL, batched
INSERTs elsewhere), then one `INSERT … SELECT … ON CONFLICT (source_id) DO UPDATE … WHERE changed`, so
that a batch replayed after a crash, or a second run, writes nothing that is already there. The
redirections of the batch are compared as sets and rewritten only for the CRAs whose set differs.
"""

import json
from dataclasses import dataclass

from django.db import connection, transaction

from cnfs.import_v1.cras import COLUMNS
from cra.models import Cra, CraRedirection

STAGE, STAGE_REDIRECTIONS = "import_v1_cra", "import_v1_redirection"
REDIRECTION_COLUMNS = ("organisme", "nom_autre", "nombre")
DATE_COLUMNS = {"date_accompagnement"}
DATETIME_COLUMNS = {"created_at", "updated_at", "deleted_at"}


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model, name: str) -> str:
    return _qn(model._meta.get_field(name).column)


class CraWriter:
    """Upserts batches of (row, redirections) for one pass: `cras`, or `cras_deleted` (which alone sets
    `deleted_at`: a CRA of both collections is written once by each pass, then left alone)."""

    def __init__(self, *, deleted: bool):
        self.deleted = deleted
        self.table, self.redirections = _qn(Cra._meta.db_table), _qn(CraRedirection._meta.db_table)
        self.columns = [_column(Cra, name) for name in COLUMNS]
        self.postgresql = connection.vendor == "postgresql"
        compared = [c for c in COLUMNS if c not in ("source_id", "source") and (deleted or c != "deleted_at")]
        distinct = "IS DISTINCT FROM"  # PostgreSQL; SQLite ≥ 3.39 reads it too
        self.upsert = (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
            f"SELECT {', '.join(self.columns)} FROM {STAGE} WHERE true "
            f"ON CONFLICT ({_column(Cra, 'source_id')}) DO UPDATE SET "
            + ", ".join(f"{_column(Cra, c)} = excluded.{_column(Cra, c)}" for c in compared)
            + " WHERE "
            + " OR ".join(
                f"{self.table}.{_column(Cra, c)} {distinct} excluded.{_column(Cra, c)}" for c in compared
            )
            + f" RETURNING {_column(Cra, 'source_id')}"
        )
        self._stage_create()

    def _stage_create(self) -> None:
        redirection_columns = ", ".join(f"r.{_column(CraRedirection, c)}" for c in REDIRECTION_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} AS SELECT {', '.join(self.columns)} "
                f"FROM {self.table} LIMIT 0"
            )
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_REDIRECTIONS} AS "
                f"SELECT c.{_column(Cra, 'source_id')}, {redirection_columns} "
                f"FROM {self.redirections} r JOIN {self.table} c ON c.id = r.cra_id LIMIT 0"
            )

    def _stage(self, cursor, rows: list[tuple], redirections: list[tuple]) -> None:
        cursor.execute(f"DELETE FROM {STAGE}")
        cursor.execute(f"DELETE FROM {STAGE_REDIRECTIONS}")
        anomalies = COLUMNS.index("anomalies")
        if self.postgresql:
            with cursor.cursor.copy(f"COPY {STAGE} ({', '.join(self.columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:anomalies], json.dumps(row[anomalies]), *row[anomalies + 1 :]))
            with cursor.cursor.copy(f"COPY {STAGE_REDIRECTIONS} FROM STDIN") as copy:
                for redirection in redirections:
                    copy.write_row(redirection)
            return
        ops = connection.ops
        adapters = [
            ops.adapt_datefield_value
            if name in DATE_COLUMNS
            else ops.adapt_datetimefield_value
            if name in DATETIME_COLUMNS
            else json.dumps
            if name == "anomalies"
            else None
            for name in COLUMNS
        ]
        values = [
            tuple(adapt(value) if adapt else value for adapt, value in zip(adapters, row, strict=True))
            for row in rows
        ]
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT INTO {STAGE} VALUES ({marks})", values)
        cursor.executemany(f"INSERT INTO {STAGE_REDIRECTIONS} VALUES (%s, %s, %s, %s)", redirections)

    def _redirections_changed(self, cursor) -> set[str]:
        """The CRAs of the batch whose set of redirections differs from the stored one (both ways)."""
        source = _column(Cra, "source_id")
        mine = ", ".join(REDIRECTION_COLUMNS)
        stored = (
            f"SELECT c.{source}, "
            + ", ".join(f"r.{_column(CraRedirection, c)}" for c in REDIRECTION_COLUMNS)
            + f" FROM {self.redirections} r JOIN {self.table} c ON c.id = r.cra_id "
            f"JOIN {STAGE} t ON t.{source} = c.{source}"
        )
        staged = f"SELECT {source}, {mine} FROM {STAGE_REDIRECTIONS}"
        cursor.execute(
            f"SELECT d.{source} FROM ({staged} EXCEPT {stored}) d "
            f"UNION SELECT e.{source} FROM ({stored} EXCEPT {staged}) e"
        )
        return {row[0] for row in cursor.fetchall()}

    def _redirections_rewrite(self, cursor, source_ids: list[str]) -> None:
        source = _column(Cra, "source_id")
        marks = ", ".join(["%s"] * len(source_ids))
        cursor.execute(
            f"DELETE FROM {self.redirections} WHERE cra_id IN "
            f"(SELECT id FROM {self.table} WHERE {source} IN ({marks}))",
            source_ids,
        )
        targets = ", ".join(_column(CraRedirection, c) for c in ("cra", *REDIRECTION_COLUMNS))
        cursor.execute(
            f"INSERT INTO {self.redirections} ({targets}) SELECT c.id, "
            + ", ".join(f"t.{c}" for c in REDIRECTION_COLUMNS)
            + f" FROM {STAGE_REDIRECTIONS} t JOIN {self.table} c ON c.{source} = t.{source} "
            f"WHERE t.{source} IN ({marks})",
            source_ids,
        )

    def write(self, batch: dict[str, tuple[tuple, list]]) -> BatchResult:
        """One transaction: stage, upsert, fix the redirections. `batch`: source id -> (row, redirections)."""
        rows = [row for row, _redirections in batch.values()]
        redirections = [
            (source_id, *redirection) for source_id, (_row, items) in batch.items() for redirection in items
        ]
        source = _column(Cra, "source_id")
        with transaction.atomic(), connection.cursor() as cursor:
            self._stage(cursor, rows, redirections)
            cursor.execute(f"SELECT c.{source} FROM {self.table} c JOIN {STAGE} t ON t.{source} = c.{source}")
            existing = {row[0] for row in cursor.fetchall()}
            cursor.execute(self.upsert)
            written = {row[0] for row in cursor.fetchall()}
            changed = self._redirections_changed(cursor)
            if changed:
                self._redirections_rewrite(cursor, sorted(changed))
        created = written - existing
        updated = (written | changed) & existing
        return BatchResult(len(created), len(updated), len(batch) - len(created) - len(updated))
