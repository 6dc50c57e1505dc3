"""Thin Celery wrappers around stats.services, and the enqueueing of a recompute when a CRA changes."""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

from stats import services
from stats.exports import services as export_services
from stats.services import AggregateKey

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def recompute_aggregates(keys: list) -> int:
    """Recomputes the aggregate rows of `keys` ([["YYYY-MM-DD", structure_id, conseiller_id], …])."""
    return services.aggregates_recompute(keys=[AggregateKey.from_json(key) for key in keys])


@shared_task(acks_late=True)
def rebuild_aggregates() -> dict:
    result = services.aggregates_rebuild()
    return {"seconds": result.seconds, "rows": result.rows}


def _send(keys: list) -> None:
    try:
        recompute_aggregates.delay(keys)
    except Exception:
        # The CRA is saved whatever happens here: the broker may be down (or, in eager mode, the recompute
        # may fail); the nightly rebuild catches up and check_stats would show the gap.
        logger.exception("Recalcul des agrégats non lancé pour %s", keys)


def aggregates_recompute_on_commit(keys: Iterable[AggregateKey]) -> None:
    """Enqueues the recompute of `keys` once the current transaction commits (at once without one)."""
    payload = [key.as_json() for key in sorted(set(keys))]
    if payload:
        transaction.on_commit(lambda: _send(payload))


@shared_task(acks_late=True, time_limit=3 * 3600)
def executer_export(pk: int) -> str | None:
    """Makes the file of an export (stats.exports.services.export_executer)."""
    export = export_services.export_executer(pk)
    return export.etat if export else None


@shared_task
def expirer_exports() -> int:
    return export_services.exports_expirer()


@shared_task
def exports_interrompus() -> int:
    return export_services.exports_interrompus()
