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

import datetime
import time

from django.db import connection
from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT
from conseillers.models import Conseiller
from cra.generation.plan import CHUNK_SIZE, GenerationError, generation_plan
from cra.generation.write import GenerationResult, write_bulk, write_copy, write_in_processes

__all__ = ["GenerationError", "GenerationResult", "generate_cras"]


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
        written = write_in_processes(plan, workers, chunk_size)
    else:
        written = (write_copy if method == "copy" else write_bulk)(plan, None, chunk_size)
    return GenerationResult(written, time.perf_counter() - started, method, workers)
