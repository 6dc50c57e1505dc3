"""Thin Celery wrappers around cnfs.exports.production, on the "exports" queue (CELERY_TASK_ROUTES)."""

from celery import shared_task

from cnfs.exports import production


@shared_task(acks_late=True, time_limit=3 * 3600)
def export_make(pk: int) -> str | None:
    """Makes the file of an export (production.export_make)."""
    export = production.export_make(pk)
    return export.etat if export else None


@shared_task
def exports_expire() -> int:
    return production.exports_expire()


@shared_task
def exports_fail_interrupted() -> int:
    return production.exports_fail_interrupted()
