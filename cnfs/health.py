"""Probes of the services the site depends on, for /healthz."""

from django.conf import settings

from cnfs.celery import app

PROBE_TIMEOUT = 1.0


def broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "eager", "detail": "Aucun broker configuré : les tâches s'exécutent immédiatement."}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=PROBE_TIMEOUT)
    except Exception as error:
        return {"status": "error", "error": error.__class__.__name__}
    return {"status": "ok"}


def workers_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "eager", "count": 0}
    try:
        replies = app.control.inspect(timeout=PROBE_TIMEOUT).ping() or {}
    except Exception as error:
        return {"status": "error", "error": error.__class__.__name__, "count": 0}
    return {"status": "ok" if replies else "none", "count": len(replies)}
