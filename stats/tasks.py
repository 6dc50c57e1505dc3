"""Thin Celery wrappers around stats.services, and the enqueueing of a recompute when a CRA changes.

With a Redis broker, the keys to recompute wait in a Redis set and one task recomputes all those written
within COALESCE_SECONDS: at 200 CRAs per second (SPEC §10) a task per CRA would outrun the workers, while a
batch costs about what one key does. Without a broker (eager mode) each change is recomputed at once.
"""

import functools
import json
import logging
import time
from collections.abc import Iterable

import redis
from celery import current_app, shared_task
from django.db import transaction

from stats import services
from stats.services import AggregateKey

logger = logging.getLogger(__name__)

# Sorted set: JSON key -> time of its last change. A key changed again while its recompute runs gets a new
# score, so the recompute leaves it pending (a plain set would forget the second change).
PENDING_KEYS = "stats:agregats:cles-en-attente"
SCHEDULED = "stats:agregats:recalcul-programme"  # while an aggregates_recompute_pending task is on its way
COALESCE_SECONDS = 1  # the changes of this delay are recomputed together (visible in < 10 s)
SCHEDULED_SECONDS = 60  # a task lost with a broker restart delays the next ones this long at most
BATCH = 500  # keys per recompute: one SQL statement per table, a bounded OR of conditions


@shared_task(acks_late=True)
def aggregates_recompute(keys: list) -> int:
    """Recomputes the aggregate rows of `keys` ([["YYYY-MM-DD", structure_id, conseiller_id], …])."""
    return services.aggregates_recompute(keys=[AggregateKey.from_json(key) for key in keys])


@shared_task(acks_late=True)
def aggregates_rebuild() -> dict:
    result = services.aggregates_rebuild()
    return {"seconds": result.seconds, "rows": result.rows}


# Removes the keys whose score is still the one read before the recompute (ARGV: key, score, key, score…).
FORGET_UNCHANGED = """
local removed = 0
for i = 1, #ARGV, 2 do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) == ARGV[i + 1] then
        removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
    end
end
return removed
"""


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _pending_store() -> redis.Redis | None:
    """The broker's Redis, where keys wait for their recompute; None with another broker or none."""
    url = current_app.conf.broker_url or ""
    return _redis(url) if url.startswith(("redis://", "rediss://")) else None


@shared_task(acks_late=True)
def aggregates_recompute_pending() -> int:
    """Recomputes a batch of the pending keys, then forgets them (a worker killed before that leaves them
    for the next run); runs again at once while some remain. Also run every minute by beat."""
    store = _pending_store()
    if store is None:
        return 0
    # Cleared first: a key added from now on schedules a run of its own, none is left waiting.
    store.delete(SCHEDULED)
    # The scores as Redis writes them, compared as such by FORGET_UNCHANGED.
    pending = store.zrange(PENDING_KEYS, 0, BATCH - 1, withscores=True, score_cast_func=bytes)
    if not pending:
        return 0
    written = services.aggregates_recompute(
        keys=[AggregateKey.from_json(json.loads(member)) for member, _score in pending]
    )
    store.eval(FORGET_UNCHANGED, 1, PENDING_KEYS, *(value for pair in pending for value in pair))
    if store.zcard(PENDING_KEYS) and store.set(SCHEDULED, 1, nx=True, ex=SCHEDULED_SECONDS):
        aggregates_recompute_pending.delay()
    return written


def _send(keys: list) -> None:
    try:
        store = None if current_app.conf.task_always_eager else _pending_store()
        if store is None:
            aggregates_recompute.delay(keys)
            return
        # One round trip on the path of every CRA saved: the key, then the task if none is on its way.
        pipeline = store.pipeline(transaction=False)
        pipeline.zadd(PENDING_KEYS, dict.fromkeys((json.dumps(key) for key in keys), time.time()))
        pipeline.set(SCHEDULED, 1, nx=True, ex=SCHEDULED_SECONDS)
        _added, scheduled = pipeline.execute()
        if scheduled:
            aggregates_recompute_pending.apply_async(countdown=COALESCE_SECONDS)
    except Exception:
        # The CRA is saved whatever happens here: the broker may be down (or, in eager mode, the recompute
        # may fail); the nightly rebuild catches up and check_stats would show the gap.
        logger.exception("Recalcul des agrégats non lancé pour %s", keys)


def aggregates_recompute_on_commit(keys: Iterable[AggregateKey]) -> None:
    """Enqueues the recompute of `keys` once the current transaction commits (at once without one)."""
    payload = [key.as_json() for key in sorted(set(keys))]
    if payload:
        transaction.on_commit(lambda: _send(payload))


def aggregates_recompute_on_cras_changed(sender, cles, **kwargs) -> None:
    """Receiver of cra.signals.cras_changed: the aggregates of those keys are recomputed after the commit."""
    aggregates_recompute_on_commit(AggregateKey(*cle) for cle in cles)
