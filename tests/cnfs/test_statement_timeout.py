"""Web processes (cnfs/wsgi.py) run their statements under a timeout on PostgreSQL; other processes don't."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="statement_timeout est un réglage de PostgreSQL."
    ),
    pytest.mark.slow,  # each test starts Python processes
]

PROBE = """
import cnfs.wsgi  # noqa: F401  (what gunicorn imports)
from django.db import connection, OperationalError
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    try:
        cursor.execute("SELECT pg_sleep(2)")
        print("fini")
    except OperationalError as error:
        print(type(error.__cause__).__name__)
"""


def _run(code: str, **env) -> list[str]:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "cnfs.settings.dev",
        "CNFS_WEB": "",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.django_db
def test_a_web_process_cancels_a_statement_past_its_timeout():
    assert _run(PROBE, WEB_STATEMENT_TIMEOUT_MS="300") == ["300ms", "QueryCanceled"]


@pytest.mark.django_db
def test_other_processes_have_no_timeout():
    code = PROBE.replace(
        "import cnfs.wsgi  # noqa: F401  (what gunicorn imports)", "import django; django.setup()"
    )
    assert _run(code, WEB_STATEMENT_TIMEOUT_MS="300") == ["0", "fini"]


PREPARED = """
{setup}
from django.db import connection
from accounts.models import User
for _ in range(3):  # prepared from the second run
    list(User.objects.filter(email="personne@example.org"))
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements")
    print(cursor.fetchone()[0])
"""


@pytest.mark.django_db
def test_web_processes_prepare_their_statements_unless_told_not_to():
    web = PREPARED.format(setup="import cnfs.wsgi  # noqa: F401")
    other = PREPARED.format(setup="import django; django.setup()")
    assert int(_run(web)[0]) >= 1
    assert _run(web, DB_PREPARED_STATEMENTS="0") == ["0"]
    # Workers and commands: the raw-CRA aggregations must not switch to a generic plan (docs/performance.md).
    assert _run(other) == ["0"]
