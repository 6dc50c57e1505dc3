"""Background exports are expensive (SPEC §18): limited per account, made on their own Celery queue so that
the statistics' recomputes never wait behind them."""

import datetime
import re

import pytest
from django.conf import settings

from cnfs.celery import app
from cnfs.exports.models import Export
from cnfs.pages import exports as export_views
from tests.exports.test_exports import list_csv

DU, AU = datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)
PAGE = f"/pilotage/territoires/departement/69/?du={DU}&au={AU}"
LIMITE = "Vous avez demandé beaucoup d&#x27;exports"


def _pdf(client, **kwargs):
    return client.post(PAGE, {"export": "pdf"}, **kwargs)


def _use_the_limit(client):
    for _ in range(10):
        assert _pdf(client).status_code == 302
    assert Export.objects.count() == 10


def test_an_account_asks_ten_background_exports_in_ten_minutes(world, login_as):
    client = login_as(world.prefet_rhone)
    _use_the_limit(client)

    response = _pdf(client, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]  # back on the page, the filters kept
    assert LIMITE in response.content.decode()
    assert Export.objects.count() == 10
    # Another account is not slowed down by this one.
    assert _pdf(login_as(world.prefet_ain)).url == "/exports/"
    assert Export.objects.count() == 11


def test_relaunching_counts_and_is_refused_past_the_limit(world, login_as):
    client = login_as(world.prefet_rhone)
    _use_the_limit(client)
    export = Export.objects.first()
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.ECHEC, erreur="Disque plein")

    response = client.post(f"/exports/{export.pk}/relancer/", follow=True)

    assert response.redirect_chain == [("/exports/", 302)] and LIMITE in response.content.decode()
    export.refresh_from_db()
    assert export.etat == Export.Etat.ECHEC


def test_a_long_list_past_the_limit_goes_back_to_the_list(world, login_as, monkeypatch):
    monkeypatch.setattr(export_views, "CSV_DIRECT_MAX", 0)
    client = login_as(world.prefet_rhone)
    _use_the_limit(client)

    response = list_csv(client, {"q": "a"}, follow=True)

    assert response.redirect_chain == [("/pilotage/?q=a", 302)] and LIMITE in response.content.decode()
    assert Export.objects.count() == 10


def test_files_streamed_at_once_are_not_limited(world, login_as):
    client = login_as(world.prefet_rhone)
    _use_the_limit(client)

    for _ in range(3):
        assert client.post(PAGE, {"export": "cra"}).streaming  # few CRAs: streamed in the request
        assert list_csv(client, {}).streaming


@pytest.mark.parametrize("task", ["export_make", "exports_expire", "exports_fail_interrupted"])
def test_exports_have_their_own_queue(task):
    assert app.amqp.router.route({}, f"cnfs.exports.tasks.{task}")["queue"].name == "exports"


def test_statistics_recomputes_stay_on_the_default_queue():
    for task in ("aggregates_recompute", "aggregates_recompute_pending", "aggregates_rebuild"):
        assert app.amqp.router.route({}, f"stats.tasks.{task}")["queue"].name == "celery"


@pytest.mark.parametrize("path", ["Makefile", "docker-compose.yml", "bench/charge.py"])
def test_every_worker_started_consumes_every_queue(path):
    """The queues of the workers a file starts (`-Q a,b`) cover the default queue and the exports one."""
    text = (settings.BASE_DIR / path).read_text()
    consumed = {queue for names in re.findall(r"-Q[\s\"',]+([a-z,]+)", text) for queue in names.split(",")}
    assert consumed >= {"celery", "exports"}, consumed
