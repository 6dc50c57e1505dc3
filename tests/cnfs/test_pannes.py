"""Faults (docs/exploitation.md): the broker down while CRAs are written, a worker killed during an export
and during a rebuild of the aggregates, the database connections cut under the running service."""

import functools
import signal
import time

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import User
from cnfs.exports.models import Export
from cnfs.exports.tasks import export_make
from cnfs.socle.periode import DATE_LANCEMENT
from cra import services as cra_services
from cra.generation import generate_cras
from cra.models import Cra
from stats import tasks as stats_tasks
from stats.models import AgregatJour, EtatAgregats
from stats.request import StatsRequest, StatsScope
from stats.services import aggregates_check, aggregates_rebuild
from tests.cra.factories import cra_data
from tests.workers import celery_worker, database_url, needs_broker, new_queue, tasks_through_redis

# A worker restarted after a crash gets the unacknowledged task back after this many seconds.
VISIBILITY = {"CELERY_VISIBILITY_TIMEOUT": "2"}


def wait_for(condition, *, seconds: float, worker=None, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"Délai dépassé : {what}"
        assert worker is None or worker.poll() is None, "Le worker s'est arrêté."
        time.sleep(0.05)


def _lieu_data():
    return cra_data(
        canal="autre_lieu",
        permanence=None,
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
    )


def test_cras_written_while_the_broker_is_down_are_caught_up_by_the_rebuild(
    world, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from cnfs.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setitem(app.conf, "broker_connection_max_retries", 1)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)

    with django_capture_on_commit_callbacks(execute=True):
        cra = cra_services.cra_create(conseiller=world.denis, user=None, data=_lieu_data())

    assert Cra.objects.filter(pk=cra.pk).exists()  # the CRA is saved
    assert not AgregatJour.objects.exists()  # its statistics wait for the rebuild
    assert "Recalcul des agrégats non lancé" in caplog.text
    aggregates_rebuild()
    assert AgregatJour.objects.get().cra == 1
    assert aggregates_check(sample=5, seed=1).differences == []


def _national_cra_export(count: int) -> Export:
    request = StatsRequest(StatsScope.national(), DATE_LANCEMENT, timezone.localdate())
    admin = User.objects.get(email="equipe@anct.gouv.fr")
    return Export.objects.create(
        demandeur=admin,
        role=admin.roles.get(),
        nature=Export.Nature.CRA_CSV,
        libelle="Tous les CRA",
        nom_fichier="cra.csv",
        parametres={"requete": request.as_json(), "titre": "t", "scope_name": "France", "total": count},
    )


@needs_broker
def test_an_export_whose_worker_is_killed_is_made_again_without_a_partial_file(world, monkeypatch):
    count = generate_cras(count=60_000, seed=2).count
    export = _national_cra_export(count)
    queue = new_queue("exports")
    with tasks_through_redis(monkeypatch, {"cnfs.exports.tasks.export_make": queue}):
        with celery_worker(queue, **VISIBILITY) as worker:
            export_make.delay(export.pk)
            wait_for(
                lambda: Export.objects.filter(pk=export.pk, lignes__gt=0).exists(),
                seconds=180,
                worker=worker,
                what="l'export commence",
            )
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        export.refresh_from_db()
        assert (export.etat, export.tentatives, bool(export.fichier)) == (Export.Etat.EN_COURS, 1, False)

        with celery_worker(queue, **VISIBILITY) as worker:
            wait_for(
                lambda: Export.objects.filter(pk=export.pk, etat=Export.Etat.TERMINE).exists(),
                seconds=120,
                worker=worker,
                what="l'export repris par un autre worker",
            )
    export.refresh_from_db()
    assert (export.tentatives, export.lignes, export.progression) == (2, count, 100)
    assert export.fichier and export.taille > 0


def _rebuild_running(database) -> bool:
    """The worker's rebuild is inserting the day rows (its longest statement)."""
    row = database.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s",
        ['INSERT INTO "stats_agregatjour"%'],
    ).fetchone()
    return row[0] > 0


@needs_broker
def test_a_rebuild_whose_worker_is_killed_leaves_no_drift(world, monkeypatch):
    generate_cras(count=300_000, seed=3)  # written in bulk: no aggregates yet
    queue = new_queue("agregats")
    with (
        tasks_through_redis(monkeypatch, {"stats.tasks.aggregates_rebuild": queue}),
        psycopg.connect(database_url(), autocommit=True) as database,
    ):
        with celery_worker(queue, **VISIBILITY) as worker:
            stats_tasks.aggregates_rebuild.delay()
            running = functools.partial(_rebuild_running, database)
            wait_for(running, seconds=180, worker=worker, what="la reconstruction commence")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        # Killed inside its transaction: nothing of it is visible.
        assert not EtatAgregats.objects.filter(rebuilt_at__isnull=False).exists()

        with celery_worker(queue, **VISIBILITY) as worker:
            wait_for(
                lambda: EtatAgregats.objects.filter(rebuilt_at__isnull=False).exists(),
                seconds=120,
                worker=worker,
                what="la reconstruction reprise",
            )
    assert aggregates_check(sample=10, seed=3).differences == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Coupe les connexions de PostgreSQL.")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_recover_when_the_database_connections_are_cut(world, login_as):
    client = login_as(world.admin)
    assert client.get("/pilotage/national/").status_code == 200
    backend = connection.connection.info.backend_pid

    # What a restart of PostgreSQL does to the connections the service keeps (CONN_MAX_AGE).
    with psycopg.connect(database_url(), autocommit=True) as database:
        database.execute("SELECT pg_terminate_backend(%s)", [backend])

    # Each request starts by checking the connection it keeps (conn_health_checks): Django's handler calls
    # close_old_connections() on request_started — a signal the test client disconnects, so call it here.
    close_old_connections()
    assert client.get("/pilotage/national/").status_code == 200
    assert connection.connection.info.backend_pid != backend
    assert client.get("/healthz").json()["database"] == {"status": "ok"}
