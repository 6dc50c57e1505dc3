"""Reading a `mongoexport`: one JSON document per line, relaxed or canonical Extended JSON, gzip or not.

Documents are streamed (one line in memory at a time) and decoded into plain Python values: `$oid` -> its
hex string, `$date` -> an aware UTC datetime, `$numberLong` / `$numberInt` -> int, `$numberDouble` ->
float, a DBRef (`$ref` / `$id`) -> the id it points to (the collection is implied by the field).
"""

import datetime
import gzip
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

EXTENSIONS = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class Unreadable(ValueError):
    """A value that cannot be decoded: the document is rejected with this reason (in French)."""


@dataclass(frozen=True)
class Line:
    """One line of an export: its decoded document, or why it could not be read."""

    number: int
    document: dict | None
    error: str = ""
    source_id: str | None = None  # of a document that could be parsed but not decoded


def collection_path(directory: Path, name: str) -> Path | None:
    """The export file of a collection (`structures.json`, `cras.jsonl.gz`…), None when it is absent."""
    for extension in EXTENSIONS:
        path = directory / f"{name}{extension}"
        if path.is_file():
            return path
    return None


def _open(path: Path):
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else path.open("rb")


def read_collection(path: Path) -> Iterator[Line]:
    """The documents of an export file, in order, decoded; a line that cannot be read says why."""
    with _open(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError:
                yield Line(number, None, f"ligne {number} illisible (JSON invalide)")
                continue
            try:
                document = decode(parsed)
            except Unreadable as error:
                yield Line(number, None, str(error), _raw_id(parsed))
                continue
            if not isinstance(document, dict):
                yield Line(number, None, f"ligne {number} : ce n'est pas un document")
                continue
            yield Line(number, document)


def _raw_id(parsed) -> str | None:
    """The ObjectId of a parsed document whose other values could not be decoded (for the rejects)."""
    identifier = parsed.get("_id") if isinstance(parsed, dict) else None
    identifier = identifier.get("$oid") if isinstance(identifier, dict) else identifier
    return identifier if isinstance(identifier, str) else None


def _date(value) -> datetime.datetime:
    """`$date`: an ISO 8601 string (relaxed), or milliseconds since 1970 (canonical `$numberLong`, or a
    bare number in older exports)."""
    if isinstance(value, dict) and "$numberLong" in value:
        value = value["$numberLong"]
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise Unreadable(f"date illisible : {value[:40]}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
    try:
        return EPOCH + datetime.timedelta(milliseconds=int(value))
    except (TypeError, ValueError, OverflowError):
        raise Unreadable(f"date illisible : {str(value)[:40]}") from None


def _double(value) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise Unreadable(f"nombre illisible : {value}")
    return number


def _wrapper(value: dict):
    """The value an Extended JSON wrapper stands for, or the dict itself when it is a plain document."""
    if len(value) == 1:
        ((key, inner),) = value.items()
        try:
            match key:
                case "$oid":
                    return str(inner)
                case "$date":
                    return _date(inner)
                case "$numberLong" | "$numberInt":
                    return int(inner)
                case "$numberDouble":
                    return _double(inner)
                case "$numberDecimal":
                    return _double(inner)
        except Unreadable:
            raise
        except (TypeError, ValueError) as error:
            raise Unreadable(f"valeur illisible : {key} {str(inner)[:40]}") from error
    if "$ref" in value and "$id" in value:
        return decode(value["$id"])
    # Scalars are kept without a call: this runs on every value of millions of documents.
    return {key: decode(inner) if type(inner) in _CONTAINERS else inner for key, inner in value.items()}


_CONTAINERS = (dict, list)


def decode(value):
    """A parsed JSON value with its Extended JSON wrappers replaced by Python values."""
    if type(value) is dict:
        return _wrapper(value)
    if type(value) is list:
        return [decode(item) if type(item) in _CONTAINERS else item for item in value]
    return value
