from django.conf import settings

from cnfs.celery import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_without_broker_tasks_run_eagerly(db):
    from accounts.tasks import invitations_purge_expired

    assert app.conf.task_always_eager
    assert invitations_purge_expired.delay().get() == 0
