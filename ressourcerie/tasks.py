"""Thin Celery wrappers around ressourcerie.archive."""

from celery import shared_task

from ressourcerie.archive import archive_construire


@shared_task(acks_late=True, time_limit=30 * 60)
def construire_archive() -> str | None:
    """Builds the ZIP of every document unless the current one is up to date (replaying it is harmless)."""
    archive = archive_construire()
    return archive.empreinte if archive else None
