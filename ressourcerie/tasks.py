"""Thin Celery wrappers around ressourcerie.archive."""

from celery import shared_task

from ressourcerie import archive as archives


@shared_task(acks_late=True, time_limit=30 * 60)
def archive_build() -> str | None:
    """Builds the ZIP of every document unless the current one is up to date (replaying it is harmless)."""
    archive = archives.archive_build()
    return archive.empreinte if archive else None
