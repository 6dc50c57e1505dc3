"""The import of a whole export, collection by collection in dependency order, then the aggregates rebuilt."""

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from cnfs.import_v1.common import CollectionReport, Rejects, moment, source_id_of
from cnfs.import_v1.conseillers import Conseillers, conseillers_import, misesenrelation_read
from cnfs.import_v1.cras import COLUMNS, CraContexte, cra_row
from cnfs.import_v1.permanences import permanences_import
from cnfs.import_v1.reader import Line, Unreadable, collection_path, read_collection
from cnfs.import_v1.structures import structures_import
from cnfs.import_v1.users import users_import
from cnfs.import_v1.writer import CraWriter
from stats.services import aggregates_rebuild
from structures.communes import ReferentielCommunes

COLLECTIONS = ("structures", "misesEnRelation", "conseillers", "users", "permanences", "cras", "cras_deleted")
CRA_BATCH_SIZE = 5_000
ANOMALIES_INDEX = COLUMNS.index("anomalies")


@dataclass
class ImportReport:
    collections: dict[str, CollectionReport] = field(
        default_factory=lambda: {name: CollectionReport(name) for name in COLLECTIONS}
    )
    absent: list[str] = field(default_factory=list)
    dry_run: bool = False
    aggregates_seconds: float | None = None
    seconds: float = 0.0


class _Source:
    """The lines of each collection's file (nothing when the file is absent), with a progress bar on a
    terminal."""

    def __init__(self, directory: Path, report: ImportReport, progress: bool):
        self.directory, self.report, self.progress = directory, report, progress

    def lines(self, name: str) -> Iterator[Line]:
        path = collection_path(self.directory, name)
        if path is None:
            self.report.absent.append(name)
            return iter(())
        lines = read_collection(path)
        return tqdm(lines, desc=name, unit=" doc", leave=False) if self.progress else lines


def _cras_import(
    lines: Iterable[Line],
    report: CollectionReport,
    rejects: Rejects,
    contexte: CraContexte,
    *,
    deleted: bool,
    batch_size: int,
) -> None:
    writer = CraWriter(deleted=deleted)
    batch: dict[str, tuple] = {}

    def flush():
        result = writer.write(batch)
        report.created += result.created
        report.updated += result.updated
        report.unchanged += result.unchanged
        batch.clear()

    for line in lines:
        report.read += 1
        document = line.document
        deleted_at = None
        if deleted and document is not None:
            deleted_at = moment(document.get("deletedAt"))
            document = document.get("craObj") if isinstance(document.get("craObj"), dict) else None
        source_id = document and source_id_of(document)
        if document is None or source_id is None:
            rejects.add(report, source_id or line.source_id, line.error or "document sans _id")
            continue
        try:
            if deleted and deleted_at is None:
                raise Unreadable("date de suppression (deletedAt) absente")
            row, redirections = cra_row(document, contexte, deleted_at)
        except Unreadable as error:
            rejects.add(report, source_id, str(error))
            continue
        report.anomalies.update(row[ANOMALIES_INDEX])
        batch[source_id] = (row, redirections)  # the same CRA twice in a file: the last one
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()


def _run(source: _Source, report: ImportReport, rejects: Rejects, batch_size: int) -> None:
    reports = report.collections
    structures = structures_import(source.lines("structures"), reports["structures"], rejects)
    contrats = misesenrelation_read(
        source.lines("misesEnRelation"), reports["misesEnRelation"], rejects, structures
    )
    conseillers: Conseillers = conseillers_import(
        source.lines("conseillers"),
        (reports["conseillers"], reports["misesEnRelation"]),
        rejects,
        structures,
        contrats,
    )
    users_import(source.lines("users"), reports["users"], rejects, structures, conseillers)
    permanences = permanences_import(
        source.lines("permanences"), reports["permanences"], rejects, structures, conseillers.pks
    )
    contexte = CraContexte(
        conseillers=conseillers.pks,
        structures=structures,
        permanences=permanences,
        emplois=conseillers.emplois,
        current_structure=conseillers.current_structure,
        referentiel=ReferentielCommunes.if_loaded(),
    )
    for name in ("cras", "cras_deleted"):
        deleted = name == "cras_deleted"
        _cras_import(
            source.lines(name), reports[name], rejects, contexte, deleted=deleted, batch_size=batch_size
        )


def import_run(
    directory: Path,
    *,
    dry_run: bool = False,
    rejects_stream=None,
    progress: bool = False,
    batch_size: int = CRA_BATCH_SIZE,
) -> ImportReport:
    """Imports an export directory, the CRAs committed by batches of `batch_size`; with `dry_run`,
    everything is done then rolled back (the report says what a real run would write)."""
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    source, rejects = _Source(Path(directory), report, progress), Rejects(rejects_stream)
    if dry_run:
        with transaction.atomic():
            _run(source, report, rejects, batch_size)
            transaction.set_rollback(True)
    else:
        _run(source, report, rejects, batch_size)
        # The CRAs were written past the services that recompute the aggregates on commit.
        report.aggregates_seconds = aggregates_rebuild().seconds
    report.seconds = time.monotonic() - started
    return report
