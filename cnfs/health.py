"""Probes of the services the site depends on, for /healthz, and the heartbeat Celery workers write for it.

/healthz is unauthenticated: it never waits on a worker (SPEC §18). Each worker writes its heartbeat in the
broker's Redis (the broker is Redis: docs/exploitation.md), /healthz reads them with one command, whose answer
also tells that the broker answers.
"""

import logging
import time

import redis
from celery import bootsteps
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from cnfs.celery import app

logger = logging.getLogger(__name__)

# A sorted set: each worker's name, scored with the time of its last heartbeat. The web and the workers
# compare the clocks of their machines: a skew of seconds (NTP keeps it far lower) is nothing beside the TTL.
HEARTBEAT_KEY = "cnfs:workers"
HEARTBEAT_INTERVAL = 10.0  # seconds between two heartbeats of a worker
HEARTBEAT_TTL = 3 * HEARTBEAT_INTERVAL  # a worker silent that long is counted out
# Connecting to Redis and its answer, at most: a broker that stops answering fails the probe fast (no retry).
PROBE_TIMEOUT = 0.5


def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT, retry=Retry(NoBackoff(), 0)
    )


def celery_state() -> tuple[dict, dict]:
    """The state of the broker and of the workers, from one read of the workers' heartbeats."""
    if app.conf.task_always_eager:
        detail = "Aucun broker configuré : les tâches s'exécutent immédiatement."
        return {"status": "eager", "detail": detail}, {"status": "eager", "count": 0}
    try:
        with _redis(app.conf.broker_url) as connection:
            count = connection.zcount(HEARTBEAT_KEY, time.time() - HEARTBEAT_TTL, "+inf")
    except Exception as error:  # whatever the broker does, /healthz answers
        error_name = error.__class__.__name__
        return {"status": "error", "error": error_name}, {"status": "error", "error": error_name, "count": 0}
    return {"status": "ok"}, {"status": "ok" if count else "none", "count": count}


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat every HEARTBEAT_INTERVAL seconds while it consumes its queues.

    A timer of the worker's main process (cnfs/celery.py adds this step to the consumer): it beats while the
    worker takes tasks, even when every pool process is busy with a long export. Not Celery's `heartbeat_sent`
    signal: it fires only when the worker sends events (`-E`, off by default), never with
    `--without-heartbeat`. Not a beat task: it would need beat up and a free worker, so a worker busy with
    exports would look dead.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, consumer, **kwargs):
        super().__init__(consumer, **kwargs)
        self.timer_entry = None
        self.connection = None

    def start(self, consumer):
        self.hostname = consumer.hostname
        self.connection = _redis(consumer.app.conf.broker_url)
        self.beat()
        self.timer_entry = consumer.timer.call_repeatedly(HEARTBEAT_INTERVAL, self.beat)

    def beat(self):
        now = time.time()
        try:
            with self.connection.pipeline() as pipeline:
                pipeline.zadd(HEARTBEAT_KEY, {self.hostname: now})
                pipeline.zremrangebyscore(HEARTBEAT_KEY, "-inf", now - HEARTBEAT_TTL)  # workers gone for good
                pipeline.expire(HEARTBEAT_KEY, int(HEARTBEAT_TTL))
                pipeline.execute()
        except redis.RedisError as error:
            # The broker is down: the consumer reconnects and restarts this step; /healthz says so meanwhile.
            logger.warning("Battement du worker non écrit : %r", error)

    def stop(self, consumer):
        if self.timer_entry is not None:
            consumer.timer.cancel(self.timer_entry)
            self.timer_entry = None
        if self.connection is not None:
            # A worker stopped cleanly is counted out at once, not after HEARTBEAT_TTL.
            try:
                self.connection.zrem(HEARTBEAT_KEY, self.hostname)
            except redis.RedisError as error:
                logger.warning("Battement du worker non effacé : %r", error)
            self.connection.close()
            self.connection = None

    shutdown = stop


@never_cache
@login_not_required
def healthz(request):
    """The state of the database, the broker and the workers; 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = {"status": "ok"}
    except Exception as error:
        database = {"status": "error", "error": error.__class__.__name__}
    broker, workers = celery_state()
    payload = {"database": database, "broker": broker, "workers": workers}
    status = 200 if database["status"] == "ok" else 503
    return JsonResponse(payload, status=status)
