import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnfs.settings.dev")

app = Celery("cnfs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker writes its heartbeat for /healthz, which never waits on a worker (a name: health imports app).
app.steps["consumer"].add("cnfs.health:WorkerHeartbeat")
