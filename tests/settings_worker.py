"""Settings of the Celery workers the tests start (tests/workers.py): the test settings, and a worker that
looks for the tasks of a killed worker every second (kombu: every 10 × 10 s by default), so that the tests
giving them a short visibility timeout (CELERY_VISIBILITY_TIMEOUT) do not wait for that sweep."""

from cnfs.settings.test import *  # noqa: F403
from cnfs.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
