"""What every collection's mapping shares: the report, the rejects, value readers, the write by source id."""

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson
from django.db import models, transaction

from cnfs.import_v1.reader import Unreadable

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
BATCH_SIZE = 2_000


@dataclass
class CollectionReport:
    """What happened to one collection: documents read, rows created, updated, unchanged, rejected, and
    the documents deliberately left aside (duplicates, candidates), with the anomalies by kind."""

    name: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ignored: Counter = field(default_factory=Counter)
    anomalies: Counter = field(default_factory=Counter)


class Rejects:
    """The rejects file: one JSON line per unreadable document (source id, collection, reason)."""

    def __init__(self, stream=None):
        self.stream = stream

    def add(self, report: CollectionReport, source_id, reason: str) -> None:
        report.rejected += 1
        if self.stream is not None:
            line = {"source_id": source_id, "collection": report.name, "reason": reason}
            self.stream.write(orjson.dumps(line) + b"\n")


def source_id_of(document: dict) -> str | None:
    value = document.get("_id")
    return value if isinstance(value, str) and value else None


def readable_documents(lines, report: CollectionReport, rejects: Rejects) -> Iterator[dict]:
    """The documents of the lines, each counted as read; the unreadable ones, or those without `_id`, go to
    the rejects."""
    for line in lines:
        report.read += 1
        if line.document is None or source_id_of(line.document) is None:
            rejects.add(report, line.source_id, line.error or "document sans _id")
        else:
            yield line.document


def text(value, max_length: int | None = None) -> str:
    """A text value, stripped and cut to the column (NUL removed: PostgreSQL cannot store it)."""
    if value is None or isinstance(value, dict | list):
        return ""
    value = str(value).replace("\x00", "").strip()
    return value[:max_length] if max_length else value


def flag(value) -> bool:
    """true, "oui", "OUI", "Oui", 1 -> True (the first system spelled its booleans several ways)."""
    if isinstance(value, str):
        return value.strip().casefold() in ("oui", "true", "1", "vrai")
    return bool(value)


def moment(value) -> datetime.datetime | None:
    """A timestamp: a decoded `$date`, or an ISO 8601 string some documents hold instead (UTC if naive)."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    return value if isinstance(value, datetime.datetime) else None


def paris_date(value) -> datetime.date | None:
    """The calendar date in Europe/Paris of a UTC timestamp (SPEC §11: never the UTC date)."""
    value = moment(value)
    return value.astimezone(PARIS).date() if value is not None else None


def count(value, name: str) -> int:
    """A stored count: null -> 0; an integer, an integral float or a digit string; otherwise unreadable."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise Unreadable(f"{name} illisible : {value}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise Unreadable(f"{name} illisible : {str(value)[:40]}")
    if not 0 <= value <= 32_767:
        raise Unreadable(f"{name} hors limites : {value}")
    return value


def batches(items: Iterable, size: int = BATCH_SIZE):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_upsert(
    model: type[models.Model], rows: dict[str, dict], report: CollectionReport, create_only: tuple = ()
) -> dict[str, int]:
    """Writes rows keyed by source id (fields by name): creates the new ones, updates only the fields that
    changed (but the `create_only` ones, which belong to this service once written), leaves the others
    alone; rows created in this service (no source id) are never read. Returns source id -> pk. One
    transaction per call: a killed run keeps the batches already written."""
    with transaction.atomic():
        existing = {obj.source_id: obj for obj in model.objects.filter(source_id__in=list(rows))}
        new, changed, names = [], [], set()
        for source_id, fields in rows.items():
            obj = existing.get(source_id)
            if obj is None:
                new.append(model(source_id=source_id, **fields))
                continue
            different = [
                name
                for name, value in fields.items()
                if name not in create_only and getattr(obj, name) != value
            ]
            if different:
                for name in different:
                    setattr(obj, name, fields[name])
                changed.append(obj)
                names.update(different)
            else:
                report.unchanged += 1
        model.objects.bulk_create(new)
        if changed:
            if any(f.name == "updated_at" for f in model._meta.fields):
                names.add("updated_at")
                now = datetime.datetime.now(datetime.UTC)
                for obj in changed:
                    obj.updated_at = now
            model.objects.bulk_update(changed, sorted(names))
        report.created += len(new)
        report.updated += len(changed)
    return {obj.source_id: obj.pk for obj in [*existing.values(), *new]}
