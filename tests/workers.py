"""A real `celery worker` process on the test database, through the Redis of REDIS_URL (PostgreSQL only:
the worker must see what the test commits, so the tests using it are transactional)."""

import contextlib
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection


def needs_broker(test):
    """A test with a real broker and worker: Redis (REDIS_URL, as in CI) and PostgreSQL, transactional."""
    marks = (
        pytest.mark.slow,
        pytest.mark.skipif(
            not os.environ.get("REDIS_URL"), reason="Demande un Redis (REDIS_URL), comme en CI."
        ),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="Le worker doit voir la base de test."),
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    )
    for mark in marks:
        test = mark(test)
    return test


def database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


@contextlib.contextmanager
def celery_worker(queue: str, **env):
    """Runs a worker consuming `queue` only (other workers of the machine never take the test's tasks);
    `env`: more environment variables. Yields the process; kills it at the end if still running."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
        "DATABASE_URL": database_url(),
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "cnfs", "-b", os.environ["REDIS_URL"], "worker"]
    command += ["--pool", "solo", "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen([*command, "-l", "warning"], env=environment, cwd=settings.BASE_DIR)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


@contextlib.contextmanager
def tasks_through_redis(monkeypatch, routes: dict[str, str]):
    """Sends the tasks of `routes` (task name -> queue) to Redis instead of running them eagerly. These
    routes replace CELERY_TASK_ROUTES (the exports' own queue): the test's worker consumes its own queue
    only, never "celery" nor "exports", which other workers of the machine may consume."""
    from cnfs.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", os.environ["REDIS_URL"])
    monkeypatch.setitem(app.conf, "task_routes", {name: {"queue": queue} for name, queue in routes.items()})
    # Earlier tests may have cached connection pools for the default (absent) broker, and the routes.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(app.amqp, "_rtable", None)
    monkeypatch.delitem(app.amqp.__dict__, "router", raising=False)
    try:
        yield
    finally:
        # The router built from these routes must not outlive them (later tests read the real ones).
        app.amqp.__dict__.pop("router", None)


def new_queue(name: str) -> str:
    return f"test-{name}-{uuid.uuid4().hex}"
