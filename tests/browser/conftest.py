"""Browser tests: Debian's chromium driven by Playwright, pages checked with axe-core.

Every test of this folder carries the `browser` marker: `make test` leaves them out, `make test-browser`
runs them. The live server needs `transactional_db`, whose teardown flushes every table: the demo data of
`seed_demo` is therefore loaded once per session, copied, and the copy put back before each test that asks
for `demo`: COPY on PostgreSQL, SQLite's backup API. With its 80,000 CRAs, `seed_demo` takes about 15 s on
PostgreSQL and 30 s on SQLite (2 cores); putting the copy back, about 2 s and 0.05 s.
"""

import io
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from playwright.sync_api import sync_playwright

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags, chromium keeps calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "demo-cnfs-2026"
# The axe impacts that fail a test; "minor" and "moderate" ones are left to the accessibility audit.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        # The live server needs committed data, and each test starts from the database as the migrations
        # left it (the référentiel), whatever the flushes of the tests before.
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


# --- Browser -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} est introuvable : installez le chromium de Debian (apt-get install -y chromium). "
            "Les tests navigateur ne téléchargent jamais de navigateur.",
            pytrace=False,
        )
    # Playwright's sync API runs an event loop in this thread: Django would then refuse the ORM calls of
    # the fixtures (seed, restore, flush); the requests themselves are served by the live server's thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While an event loop runs, Django hands out another set of database connections (thread-critical
    # asgiref Local). If the test database was set up before, carry over the copy Django took after the
    # migrations, which serialized_rollback reloads before each test.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# --- Accessibility -----------------------------------------------------------------------------------


def _violation_report(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(" > ".join(part) if isinstance(part, list) else part for part in node["target"])
            lines.append(f"    · {target}")
            lines.append(f"      {node['html'][:300]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    """Runs axe-core (bundled with axe_playwright_python) on the current page; fails on serious and
    critical violations, listing each one with the elements concerned."""
    runner = Axe()

    def check(page):
        results = runner.run(page)
        violations = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            pytest.fail(
                f"axe-core : {len(violations)} violation(s) grave(s) ou critique(s) sur {page.url}\n"
                + _violation_report(violations),
                pytrace=False,
            )
        return results

    return check


# --- Logging in --------------------------------------------------------------------------------------


# The labels may carry a hint after the name ("Format attendu : nom@domaine.fr").
EMAIL_LABEL = re.compile(r"^\s*(Adresse )?e-mail", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"^\s*Mot de passe", re.IGNORECASE)


def login(page, live_server, email, password=DEMO_PASSWORD):
    """Fills and submits the real login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form").filter(has=page.get_by_label(PASSWORD_LABEL))
    form.get_by_label(EMAIL_LABEL).fill(email)
    form.get_by_label(PASSWORD_LABEL).fill(password)
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()


# --- Demo data ---------------------------------------------------------------------------------------


def _tables():
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _empty_tables(tables):
    for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
        with connection.cursor() as cursor:
            cursor.execute(sql)


# Real ids run into the thousands: an id that a template localizes ("2 638") breaks a form or a link
# without a unit test noticing. The demo rows get ids from here on.
FIRST_DEMO_ID = 100_001


def _start_ids_at(first_id):
    """Moves every auto-increment sequence on to `first_id` (never backwards)."""
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if (
                not pk.get_internal_type().endswith("AutoField")
                or model._meta.proxy
                or not model._meta.managed
            ):
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), "
                    f"GREATEST(%s, (SELECT COALESCE(MAX({connection.ops.quote_name(pk.column)}), 0) + 1 "
                    f"FROM {connection.ops.quote_name(table)})), false)",
                    [table, pk.column, first_id],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
                current = cursor.fetchone()[0]
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, max(current, first_id - 1)],
                )


def _snapshot():
    """A copy of every table: COPY on PostgreSQL, SQLite's backup API otherwise."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        data = {}
        with connection.cursor() as cursor:
            for table in _tables():
                with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as copy:
                    data[table] = b"".join(bytes(block) for block in copy)
        return data
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return copy
    raise NotImplementedError(f"Base {connection.vendor} non prise en charge par les tests navigateur.")


def _restore(snapshot):
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        # Django declares its foreign keys DEFERRABLE INITIALLY DEFERRED: the tables load in any order
        # and the constraints are checked at commit. A superuser (the CI's postgres) skips that check,
        # over a second for the CRAs: the rows come from a consistent copy of this very schema.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            _empty_tables(list(snapshot))
            with connection.cursor() as cursor:
                for table, data in snapshot.items():
                    if data:
                        with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                            copy.write(data)
                # COPY leaves the sequences alone: put them after the restored ids.
                for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(sql)
    else:
        connection.ensure_connection()
        snapshot.backup(connection.connection)
    # The content types were reloaded behind the ORM's back: forget the cached ones.
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """Runs `seed_demo` once, on the database as the migrations left it, and keeps a copy of the result."""
    with django_db_blocker.unblock():
        # An earlier test may have flushed the référentiel loaded by the migrations: start again from the
        # copy Django took after migrating (the browser tests are marked serialized_rollback for that).
        baseline = getattr(connection, "_test_serialized_contents", None)
        if baseline is None:
            pytest.fail(
                "Pas de copie de la base après migrations : demo s'utilise avec serialized_rollback.",
                pytrace=False,
            )
        started = time.monotonic()
        with transaction.atomic():
            _empty_tables(_tables())
            connection.creation.deserialize_db_from_string(baseline)
            _start_ids_at(FIRST_DEMO_ID)
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        seeded = time.monotonic()
        snapshot = _snapshot()
        print(
            f"\nseed_demo : {seeded - started:.1f} s ; copie de la base : {time.monotonic() - seeded:.1f} s",
            end=" ",
        )
    yield snapshot
    if isinstance(snapshot, sqlite3.Connection):
        snapshot.close()


@pytest.fixture
def demo(transactional_db, demo_snapshot):
    """The database as `seed_demo` leaves it: the référentiel and the six demo accounts of SPEC §9."""
    _restore(demo_snapshot)
