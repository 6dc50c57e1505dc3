"""The benchmark's settings: the development ones, run as in production (no DEBUG: no query log, no
template debug information), with the test client's host allowed."""

from cnfs.settings.dev import *  # noqa: F403
from cnfs.settings.dev import ALLOWED_HOSTS

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
