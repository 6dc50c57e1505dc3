"""Thin Celery wrappers around cnfs.exports.production, on the "exports" queue (CELERY_TASK_ROUTES)."""

from celery import shared_task

from cnfs.exports import production


@shared_task(acks_late=True, time_limit=3 * 3600)
def executer_export(pk: int) -> str | None:
    """Makes the file of an export (production.export_executer)."""
    export = production.export_executer(pk)
    return export.etat if export else None


@shared_task
def expirer_exports() -> int:
    return production.exports_expirer()


@shared_task
def exports_interrompus() -> int:
    return production.exports_interrompus()
