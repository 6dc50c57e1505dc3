"""/healthz is unauthenticated: it reads the heartbeats the workers write in the broker's Redis and never
waits on a worker (SPEC §18)."""

import json
import os
import threading
import time
import urllib.parse
from unittest import mock

import pytest
import redis
from django.db.utils import OperationalError

from cnfs.celery import app
from cnfs.health import HEARTBEAT_KEY, HEARTBEAT_TTL
from tests.workers import celery_worker, new_queue, tasks_through_redis

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Demande un Redis (REDIS_URL).")
# The heartbeats' key is the service's own: each xdist process takes a Redis database of its own (13, 12…),
# so that two processes never count or clear each other's heartbeats. (xdist_group would not do: pytest-xdist
# 3.8 cannot rename pytest 9's test ids, so `--dist loadgroup` spreads a group like any other tests.)
DATABASE = 13 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def test_healthz_reports_each_service(db, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["database"] == {"status": "ok"}
    # The test settings have no broker: tasks run eagerly.
    assert payload["broker"]["status"] == "eager"
    assert payload["workers"]["status"] == "eager"


def test_healthz_is_503_when_the_database_is_down(db, client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["database"]["status"] == "error"


def test_healthz_reports_an_unreachable_broker(db, client, monkeypatch):
    # Nothing listens on port 1: the connection is refused.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 200  # the database answers: the site can serve its pages
    payload = json.loads(response.content)
    assert payload["broker"] == {"status": "error", "error": "ConnectionError"}
    assert payload["workers"] == {"status": "error", "error": "ConnectionError", "count": 0}


@pytest.fixture
def broker(monkeypatch):
    """Celery through a Redis database of this process' own (DATABASE), with no heartbeat in it; yields a
    client."""
    url = urllib.parse.urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{DATABASE}").geturl()
    # tests.workers sends tasks to and starts workers on the Redis of REDIS_URL.
    monkeypatch.setenv("REDIS_URL", url)
    with tasks_through_redis(monkeypatch, routes={}), redis.Redis.from_url(url) as connection:
        connection.delete(HEARTBEAT_KEY)
        yield connection
        connection.delete(HEARTBEAT_KEY)


def _workers(client):
    return json.loads(client.get("/healthz").content)["workers"]


@needs_redis
def test_healthz_counts_the_workers_whose_heartbeat_is_recent(db, client, broker):
    broker.zadd(HEARTBEAT_KEY, {"stopped@machine": time.time() - HEARTBEAT_TTL - 5})
    assert _workers(client) == {"status": "none", "count": 0}

    broker.zadd(HEARTBEAT_KEY, {"running@machine": time.time()})
    assert _workers(client) == {"status": "ok", "count": 1}


@needs_redis
@pytest.mark.slow
def test_healthz_sees_a_real_worker_and_its_stop(db, client, broker):
    assert _workers(client) == {"status": "none", "count": 0}

    # The worker needs no database to write its heartbeat.
    with celery_worker(new_queue("healthz"), DATABASE_URL="sqlite://:memory:") as worker:
        deadline = time.monotonic() + 60
        while _workers(client)["status"] != "ok":
            assert worker.poll() is None, "Le worker s'est arrêté."
            assert time.monotonic() < deadline, "Aucun battement du worker en 60 s."
            time.sleep(0.2)
        assert _workers(client) == {"status": "ok", "count": 1}
        worker.terminate()
        worker.wait(timeout=20)

    # A worker that stops removes its heartbeat: /healthz does not wait for it to expire.
    assert _workers(client) == {"status": "none", "count": 0}


def _commands_during(url: str, action) -> list[str]:
    """The commands the Redis database of `url` receives while `action()` runs (MONITOR)."""
    database = int(urllib.parse.urlsplit(url).path.strip("/"))
    end = f"end-of-{new_queue('monitor')}"
    commands = []
    with redis.Redis.from_url(url) as connection, connection.monitor() as monitor:

        def listen():
            while (command := monitor.next_command())["command"] != f"ECHO {end}":
                if command["db"] == database:
                    commands.append(command["command"])

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        action()
        connection.echo(end)
        listener.join(timeout=10)
    return commands


@needs_redis
def test_healthz_sends_nothing_to_the_workers(db, client, broker):
    """Without any worker, /healthz answers from one read of the heartbeats: no broadcast to the workers (the
    old `inspect().ping()` published a message and waited one second for answers), nothing else."""
    payloads = []
    url = os.environ["REDIS_URL"]

    commands = _commands_during(url, lambda: payloads.append(json.loads(client.get("/healthz").content)))

    assert payloads == [
        {"database": {"status": "ok"}, "broker": {"status": "ok"}, "workers": {"status": "none", "count": 0}}
    ]
    # The connection's handshake aside (client name, database), one command: the count of recent heartbeats.
    reads = [command for command in commands if command.split()[0] not in {"CLIENT", "SELECT", "HELLO"}]
    assert len(reads) == 1 and reads[0].startswith(f"ZCOUNT {HEARTBEAT_KEY} "), commands
