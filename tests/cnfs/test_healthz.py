import json
from unittest import mock

from django.db.utils import OperationalError


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


def test_healthz_reports_an_unreachable_broker(db, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        mock.patch("cnfs.health.app.connection_for_write", side_effect=OSError("refused")),
        mock.patch("cnfs.health.app.control.inspect", side_effect=OSError("refused")),
    ):
        payload = json.loads(client.get("/healthz").content)

    assert payload["broker"]["status"] == "error"
    assert payload["workers"] == {"status": "error", "error": "OSError", "count": 0}
