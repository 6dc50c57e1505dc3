"""Fault (docs/exploitation.md): PostgreSQL restarted, then stopped and started again, under a running
gunicorn.

The test runs a PostgreSQL cluster of its own (never the machine's: the test suite itself runs on it),
migrates a database there and serves it with gunicorn as in production: two sync workers that keep their
connection (DB_CONN_MAX_AGE) and check it before reusing it (conn_health_checks). That side does not use the
test database: it runs the same when the suite is on SQLite. The last tests check the 503 page in process."""

import concurrent.futures
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db.utils import OperationalError
from django.template.loader import get_template
from psycopg.errors import QueryCanceled

from accounts.enums import RoleKind
from accounts.services import role_grant
from tests.accounts.factories import UserFactory
from tests.utils import StrictClient


def _postgresql_bin() -> Path | None:
    """The newest PostgreSQL of the machine (Debian: /usr/lib/postgresql/<version>/bin), else the PATH's."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parts[-3])],
    )
    pg_ctl = versions[-1] if versions else shutil.which("pg_ctl")
    if pg_ctl is None or not (Path(pg_ctl).parent / "initdb").exists():
        return None
    return Path(pg_ctl).parent


PG_BIN = _postgresql_bin()
PAGE = "/pilotage/national/"  # needs the database: the session, the account, its roles, the statistics
EMAIL, PASSWORD = "equipe@anct.gouv.fr", "redemarrage-de-la-base"
QUICK = 5  # seconds: a request during the outage fails well before gunicorn's timeout (20 s here)
TECHNICAL = ("Traceback", "OperationalError", "psycopg", "Connection refused", "Server Error")

needs_postgresql = pytest.mark.skipif(
    PG_BIN is None, reason="Demande les programmes de PostgreSQL (initdb, pg_ctl) pour une base privée."
)
# The tests of the cluster and gunicorn share them (module fixtures, free ports): an xdist process running one
# of them starts its own.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list, **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def _as_postgres(command: list) -> list:
    """PostgreSQL refuses to run as root: as root, run its programs as the postgres system account."""
    return ["runuser", "-u", "postgres", "--", *map(str, command)] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    root: Path
    port: int

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str, check: bool = True) -> None:
        command = [PG_BIN / "pg_ctl", "-D", self.root / "data", "-l", self.root / "postgresql.log", *args]
        if check:
            _run(_as_postgres(command))
        else:
            subprocess.run(_as_postgres(command), capture_output=True, timeout=60)

    def service_connections(self) -> int:
        """The connections the gunicorn workers keep to the service's database."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as database:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'cnfs' AND backend_type = %s"
            return database.execute(query, ["client backend"]).fetchone()[0]


@pytest.fixture(scope="module")
def cluster():
    root = Path(tempfile.mkdtemp(prefix="cnfs-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    cluster = Cluster(root=root, port=_free_port())
    try:
        initdb = [PG_BIN / "initdb", "-D", root / "data", "-U", "postgres", "--auth=trust"]
        _run(_as_postgres([*initdb, "-E", "UTF8", "--no-locale", "--no-sync"]))
        with open(root / "data" / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {cluster.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        cluster.ctl("start", "-w")
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as database:
            database.execute("CREATE DATABASE cnfs")
        yield cluster
    finally:
        cluster.ctl("stop", "-m", "immediate", "-w", check=False)
        shutil.rmtree(root, ignore_errors=True)


ACCOUNT = f"""
from accounts.enums import RoleKind
from accounts.services import role_grant, user_get_or_create
user = user_get_or_create(email="{EMAIL}")
user.set_password("{PASSWORD}")
user.save()
role_grant(user=user, kind=RoleKind.ADMIN)
"""


@dataclass
class Service:
    url: str
    process: subprocess.Popen
    log: Path

    def workers(self) -> set[int]:
        """The pids of the gunicorn workers (the children of the master)."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that just ended
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children


@pytest.fixture(scope="module")
def service(cluster):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cnfs.settings.test",
        "DATABASE_URL": cluster.url("cnfs"),
        "DB_CONN_MAX_AGE": "60",  # as in production: each worker keeps its connection
    }

    def manage(*args):
        command = [sys.executable, "manage.py", *args]
        _run(command, env=environment, cwd=settings.BASE_DIR)

    manage("migrate", "--noinput")
    manage("shell", "-c", ACCOUNT)
    port = _free_port()
    log = cluster.root / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "cnfs.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--worker-class", "sync", "--timeout", "20", "--graceful-timeout", "2"]
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
    service = Service(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + 20
        while Browser(service).get("/healthz").status != 200:
            assert process.poll() is None, f"gunicorn s'est arrêté :\n{log.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn ne répond pas :\n{log.read_text()}"
            time.sleep(0.1)
        yield service
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    duration: float

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is a response of its own here (to the login page: the session is lost)


class Browser:
    """A person's browser: its cookies (the session), no redirect followed."""

    def __init__(self, service: Service):
        self.url = service.url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def get(self, path: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        start = time.monotonic()
        try:
            with self.opener.open(self.url + path, data=body, timeout=30) as answer:
                status, headers, content = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, content = error.code, error.headers, error.read()
        except (ConnectionError, urllib.error.URLError) as error:
            return Response(0, {}, str(error), time.monotonic() - start)
        return Response(status, dict(headers), content.decode(), time.monotonic() - start)

    def get_many(self, path: str, count: int = 8) -> list[Response]:
        """Requests at the same time, so that both workers answer some."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(lambda _: self.get(path), range(count)))

    def log_in(self) -> None:
        form = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)
        answer = self.get(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "login": EMAIL, "password": PASSWORD}
        )
        assert answer.status == 302, answer.body
        assert any(cookie.name == "sessionid" for cookie in self.cookies)


@pytest.fixture(scope="module")
def browser(service):
    browser = Browser(service)
    browser.log_in()
    return browser


def _assert_page(response: Response) -> None:
    assert (response.status, "Se déconnecter" in response.body) == (200, True), response.body[:2000]


def _until_both_workers_are_connected(browser: Browser, cluster: Cluster) -> None:
    """Concurrent requests, all answered, until each worker holds its connection (at most a few rounds)."""
    for _ in range(10):
        for response in browser.get_many(PAGE):
            _assert_page(response)
        if cluster.service_connections() == 2:
            return
    pytest.fail("Les deux workers n'ont pas chacun leur connexion à la base.")


@needs_postgresql
@pytest.mark.slow
def test_a_restart_of_postgresql_fails_no_request(cluster, service, browser):
    _until_both_workers_are_connected(browser, cluster)

    cluster.ctl("restart", "-m", "fast", "-w")  # cuts the connections both workers keep

    # Each worker checks its connection before reusing it (conn_health_checks) and opens a new one.
    _assert_page(browser.get(PAGE))
    _until_both_workers_are_connected(browser, cluster)
    assert Browser(service).get("/healthz").json()["database"] == {"status": "ok"}


@needs_postgresql
@pytest.mark.slow
def test_requests_fail_cleanly_while_postgresql_is_down_and_recover_on_the_same_workers(
    cluster, service, browser
):
    _until_both_workers_are_connected(browser, cluster)
    workers = service.workers()
    assert len(workers) == 2

    cluster.ctl("stop", "-m", "fast", "-w")
    try:
        # The probe of the load balancer (no session): 503 and its JSON.
        probe = Browser(service).get("/healthz")
        assert probe.status == 503, probe.body
        assert probe.json()["database"] == {"status": "error", "error": "OperationalError"}
        assert probe.duration < QUICK

        # A person's page: the French "service unavailable" page, quickly, on both workers.
        for response in browser.get_many(PAGE):
            assert response.status == 503, response.body[:2000]
            assert response.duration < QUICK
            assert response.headers["Retry-After"] == "60"
            assert response.headers["Content-Type"].startswith("text/html")
            assert '<html lang="fr"' in response.body
            assert "Service momentanément indisponible" in response.body
            assert not [word for word in TECHNICAL if word in response.body]
    finally:
        cluster.ctl("start", "-w")

    # The same workers answer again at once, with the same session.
    _assert_page(browser.get(PAGE))
    _until_both_workers_are_connected(browser, cluster)
    assert Browser(service).get("/healthz").status == 200
    assert service.process.poll() is None
    assert service.workers() == workers
    assert service.log.read_text().count("Booting worker") == 2  # no worker restarted


# The same in the test process, on the test database (PostgreSQL or SQLite).


def test_the_503_page_renders_without_any_context():
    html = get_template("503.html").render({})

    assert '<html lang="fr"' in html
    assert "<title>Service momentanément indisponible — Conseiller numérique</title>" in html
    assert "Erreur 503" in html
    assert "<script" not in html


def _client_of_an_admin() -> StrictClient:
    user = UserFactory()
    role_grant(user=user, kind=RoleKind.ADMIN)
    client = StrictClient(raise_request_exception=False)  # as in production: the error page, not the error
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_request_that_cannot_reach_the_database_gets_the_503_page():
    client = _client_of_an_admin()
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get(PAGE)

    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert "Service momentanément indisponible" in response.content.decode()


@pytest.mark.django_db
def test_a_statement_past_its_timeout_stays_a_500():
    client = _client_of_an_admin()
    timeout = OperationalError("canceling statement due to statement timeout")
    timeout.__cause__ = QueryCanceled("canceling statement due to statement timeout")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=timeout):
        response = client.get(PAGE)

    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()
