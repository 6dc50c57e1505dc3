"""The recompute of the aggregates grouped through Redis (stats.tasks): the keys changed within a second wait
in a sorted set and one task recomputes them together; a key changed again during its recompute stays
pending. The task runs here in the test process, against the Redis of REDIS_URL (as in CI)."""

import datetime
import os
import uuid

import pytest
import redis

from cra import services as cra_services
from cra.models import Cra
from stats import services, tasks
from stats.models import AgregatJour
from stats.request import StatsScope
from stats.services import AggregateKey
from tests.cra.factories import cra_data
from tests.stats.test_aggregates import cra_count

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Demande un Redis (REDIS_URL).")

MARCH = datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)


@pytest.fixture
def store(monkeypatch):
    """Celery sending to the Redis of the tests, the task scheduling recorded instead of sent; the test's own
    Redis keys, which no other test (another xdist worker, a real worker) reads or deletes meanwhile."""
    from cnfs.celery import app

    suffix = uuid.uuid4().hex
    monkeypatch.setattr(tasks, "PENDING_KEYS", f"{tasks.PENDING_KEYS}:{suffix}")
    monkeypatch.setattr(tasks, "SCHEDULED", f"{tasks.SCHEDULED}:{suffix}")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", os.environ["REDIS_URL"])
    connection = redis.Redis.from_url(os.environ["REDIS_URL"])
    connection.delete(tasks.PENDING_KEYS, tasks.SCHEDULED)
    scheduled = []
    monkeypatch.setattr(
        tasks.aggregates_recompute_pending, "apply_async", lambda **options: scheduled.append(options)
    )
    monkeypatch.setattr(tasks.aggregates_recompute_pending, "delay", lambda: scheduled.append({}))
    connection.scheduled = scheduled
    yield connection
    connection.delete(tasks.PENDING_KEYS, tasks.SCHEDULED)


def _create(world, day: int) -> Cra:
    data = cra_data(
        date_accompagnement=datetime.date(2025, 3, day),
        canal="autre_lieu",
        permanence=None,
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
    )
    return cra_services.cra_create(conseiller=world.denis, user=None, data=data)


def test_the_changes_of_a_second_are_recomputed_by_one_task(world, store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in (3, 3, 4):
            _create(world, day)

    # Two keys (two days), one task programmed a second later for all of them; nothing recomputed yet.
    assert store.zcard(tasks.PENDING_KEYS) == 2
    assert store.scheduled == [{"countdown": tasks.COALESCE_SECONDS}]
    assert not AgregatJour.objects.exists()

    assert tasks.aggregates_recompute_pending() == 2  # rows written
    assert cra_count(StatsScope.national(), *MARCH) == 3
    assert store.zcard(tasks.PENDING_KEYS) == 0
    assert not store.exists(tasks.SCHEDULED)  # the next change programmes a task again

    with django_capture_on_commit_callbacks(execute=True):
        _create(world, 5)
    assert len(store.scheduled) == 2


def test_a_key_changed_during_its_recompute_stays_pending(world, store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _create(world, 3)
    recompute = services.aggregates_recompute

    def changed_meanwhile(*, keys):
        written = recompute(keys=keys)
        # Another CRA of the same key is committed after the recompute read the CRAs: its key comes back.
        with django_capture_on_commit_callbacks(execute=True):
            _create(world, 3)
        return written

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "aggregates_recompute", changed_meanwhile)
        tasks.aggregates_recompute_pending()

    assert store.zrange(tasks.PENDING_KEYS, 0, -1) == [
        tasks.json.dumps(AggregateKey.of(first).as_json()).encode()
    ]
    assert cra_count(StatsScope.national(), *MARCH) == 1  # not yet the second CRA
    # The change came after the task started: it programmed a task of its own, the task did not add one.
    assert store.scheduled == [{"countdown": tasks.COALESCE_SECONDS}] * 2

    tasks.aggregates_recompute_pending()
    assert cra_count(StatsScope.national(), *MARCH) == 2
    assert store.zcard(tasks.PENDING_KEYS) == 0


def test_a_batch_leaves_the_rest_for_the_next_run(
    world, store, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks, "BATCH", 2)
    with django_capture_on_commit_callbacks(execute=True):
        for day in (3, 4, 5):
            _create(world, day)
    store.delete(tasks.SCHEDULED)  # as when the programmed task starts

    tasks.aggregates_recompute_pending()
    assert store.zcard(tasks.PENDING_KEYS) == 1
    assert store.scheduled[-1] == {}
    tasks.aggregates_recompute_pending()
    assert cra_count(StatsScope.national(), *MARCH) == 3
    assert tasks.aggregates_recompute_pending() == 0  # nothing left: beat's runs every minute cost one read


def test_without_redis_the_keys_are_not_lost_silently(
    world, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from cnfs.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        cra = _create(world, 3)
    assert Cra.objects.filter(pk=cra.pk).exists()
    assert "Recalcul des agrégats non lancé" in caplog.text
