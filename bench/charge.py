"""The load of SPEC §10: conseillers create CRAs through HTTP while structure users browse their
statistics, against the service under gunicorn (production settings) on PostgreSQL, with a Celery worker on
Redis. Loopback only; bounded in time and in number of CRAs.

The load's conseillers and structure users are accounts of their own (e-mails @LOAD_DOMAIN), created before
the run, logged in through the real login form, and removed afterwards with their CRAs (the aggregates of
the days they touched are recomputed): the database ends as it began. Between the end of the load and that
clean-up, the aggregates of every scope the load wrote to must equal the raw computation (no drift).
"""

import asyncio
import datetime
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import redis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import conseiller_account_link, conseiller_activate, role_grant, user_get_or_create
from bench.dataset import BASE_DIR
from bench.measures import Measure, percentile
from conseillers.enums import TypeContrat
from conseillers.models import Conseiller, Contrat, Permanence
from conseillers.services import contrat_start, permanence_create
from cra.models import Cra
from stats.aggregates import aggregates_sums
from stats.reference import reference_sums
from stats.request import StatsRequest, StatsScope
from stats.services import AggregateKey, aggregates_recompute
from structures.models import Structure

LOOPBACK = "127.0.0.1"
LOAD_DOMAIN = "charge.bench.test"
DAYS = 28  # the CRAs are spread over the last four weeks
LOAD_STRUCTURES = 4  # the employers of the load's conseillers
CATCH_UP_SECONDS = 120
CREATION_TARGET_PER_SECOND = 200
CREATION_TARGET_P95_MS = 100
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Plan:
    """How much load: `seconds` and `max_cras` bound the run, whichever comes first. `name` prefixes the
    ids of its measures."""

    name: str
    seconds: float
    max_cras: int
    conseillers: int = 20  # concurrent clients creating CRAs (SPEC §10)
    structures: int = 4  # concurrent structure users browsing their statistics
    gunicorn_workers: int = 2 * (os.cpu_count() or 1) + 1


# make bench: creation alone (the line of SPEC §10), then with structure users browsing at the same time.
FULL = (
    Plan("creation", seconds=30, max_cras=30_000, structures=0),
    Plan("mixte", seconds=30, max_cras=30_000),
)
SHORT = Plan("courte", seconds=8, max_cras=5_000)


# --- The load's world ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    paths: tuple[str, ...]  # what this person asks for, in turn
    lieu: int | None = None  # a conseiller's lieu d'activité, where his CRAs take place
    conseiller: int | None = None  # a conseiller's fiche


def world_remove() -> int:
    """Removes the load's accounts, conseillers and CRAs (from this run or an interrupted one), and
    recomputes the aggregates of the days their CRAs touched; returns the number of CRAs removed."""
    conseillers = Conseiller.objects.filter(email_pro__endswith=f"@{LOAD_DOMAIN}")
    cras = Cra.objects.filter(conseiller__in=conseillers)
    keys = [
        AggregateKey(day, structure, conseiller)
        for day, structure, conseiller in cras.values_list(
            "date_accompagnement", "structure_id", "conseiller_id"
        )
        .distinct()
        .iterator()
    ]
    with transaction.atomic():
        removed = cras.delete()[1].get(Cra._meta.label, 0)  # without their history rows
        Permanence.objects.filter(conseillers__in=conseillers).delete()
        Contrat.objects.filter(conseiller__in=conseillers).delete()
        conseillers.delete()
        get_user_model().objects.filter(email__endswith=f"@{LOAD_DOMAIN}").delete()
    if keys:
        aggregates_recompute(keys=keys)
    return removed


def _password(user) -> str:
    password = secrets.token_urlsafe(16)
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


def world_create(plan: Plan) -> tuple[list[Account], list[Account], list[int]]:
    """The load's conseillers (each with a contract and a lieu in one of LOAD_STRUCTURES structures, his
    Espace Coop activated) and `plan.structures` structure users, one per structure; returns them and the
    structures' ids."""
    structures = list(
        Structure.objects.filter(conseillers__isnull=False)
        .exclude(code_commune="")
        .distinct()
        .order_by("pk")[:LOAD_STRUCTURES]
    )
    if not structures:
        raise RuntimeError("Aucune structure avec des conseillers : chargez les données de démonstration.")
    today = timezone.localdate()
    conseillers = []
    for number in range(plan.conseillers):
        structure = structures[number % len(structures)]
        conseiller = Conseiller.objects.create(
            prenom="Charge",
            nom=f"Conseiller {number:02d}",
            email_pro=f"conseiller-{number:02d}@{LOAD_DOMAIN}",
        )
        contrat_start(
            conseiller=conseiller,
            structure=structure,
            type_contrat=TypeContrat.CDD,
            date_debut=today - datetime.timedelta(days=365),
        )
        lieu = permanence_create(
            conseiller=conseiller,
            fields={
                "nom": f"Lieu de charge {number:02d}",
                "adresse": f"{number} rue de la Mesure",
                "code_postal": structure.code_postal,
                "code_commune": structure.code_commune,
                "nom_commune": structure.nom_commune or structure.code_commune,
            },
            principale=True,
        )
        user = conseiller_account_link(conseiller=conseiller)
        conseiller_activate(user=user)
        account = Account(user.email, _password(user), ("/coop/cra/nouveau/",), lieu.pk, conseiller.pk)
        conseillers.append(account)
    structure_users = []
    for structure in structures[: plan.structures]:
        user = user_get_or_create(email=f"structure-{structure.pk}@{LOAD_DOMAIN}")
        role_grant(user=user, kind=RoleKind.STRUCTURE, structure=structure)
        paths = ("/pilotage/", f"/pilotage/structures/{structure.pk}/statistiques/", "/pilotage/national/")
        structure_users.append(Account(user.email, _password(user), paths))
    return conseillers, structure_users, [structure.pk for structure in structures]


def drift(structure_ids: list[int], conseiller_ids: list[int]) -> list[str]:
    """The scopes the load wrote to whose aggregates differ from the raw CRAs over the load's days."""
    today = timezone.localdate()
    since = today - datetime.timedelta(days=DAYS)
    scopes = [StatsScope.structure(pk) for pk in structure_ids]
    scopes += [StatsScope.conseiller(pk) for pk in conseiller_ids]
    scopes += [
        StatsScope.departement(code)
        for code in Structure.objects.filter(pk__in=structure_ids)
        .values_list("departement__code", flat=True)
        .distinct()
    ]
    differing = []
    for scope in scopes:
        request = StatsRequest(scope, since, today)
        agregats, _computed_at = aggregates_sums(request)
        reference = reference_sums(request)
        if any(agregats.get(key, 0) != reference.get(key, 0) for key in set(agregats) | set(reference)):
            differing.append(f"{scope.kind} {scope.code or scope.id}")
    return differing


# --- The processes ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def service_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    """The production settings on loopback: the service sits behind a TLS proxy (X-Forwarded-Proto)."""
    env = {
        name: value for name, value in os.environ.items() if name not in ("CELERY_BROKER_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cnfs.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=LOOPBACK,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Service:
    """gunicorn on a free loopback port and, with a broker, one Celery worker; both stopped on exit."""

    def __init__(self, plan: Plan, env: dict[str, str]):
        self.plan, self.env, self.port = plan, env, _free_port()
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> "Service":
        # As a deployment does (docker-compose.yml): the production storage serves a manifest of the files.
        collectstatic = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(collectstatic, cwd=BASE_DIR, env=self.env, check=True)
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "cnfs.wsgi:application",
            "--bind",
            f"{LOOPBACK}:{self.port}",
        ]
        gunicorn += [
            "--workers",
            str(self.plan.gunicorn_workers),
            "--backlog",
            "512",
            "--log-level",
            "warning",
        ]
        self.processes.append(subprocess.Popen(gunicorn, cwd=BASE_DIR, env=self.env))
        if "REDIS_URL" in self.env:
            worker = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cnfs",
                "worker",
                "-Q",
                "celery,exports",  # as `make worker`: the default queue and the exports' one
                "--pool",
                "solo",
                "-l",
                "warning",
            ]
            worker += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
            self.processes.append(subprocess.Popen(worker, cwd=BASE_DIR, env=self.env))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise RuntimeError("gunicorn s'est arrêté au démarrage.")
            try:
                socket.create_connection((LOOPBACK, self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn ne répond pas après 30 s.")

    def stop_web(self) -> None:
        _stop(self.processes[0])

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class CpuMeter:
    """CPU seconds spent by each part of the run on this machine (Linux /proc): gunicorn and its workers,
    the Celery worker, the PostgreSQL server processes and the load's own client."""

    def __init__(self, service: Service):
        self.service = service
        self.before: dict[str, float] = {}

    def _parts(self) -> dict[str, list[int]]:
        parents = {pid: _stat(pid)[1] for pid in _pids()}
        web = self.service.processes[0].pid
        parts = {
            "web": [pid for pid, parent in parents.items() if web in (pid, parent)],
            "postgresql": [pid for pid in parents if _comm(pid) == "postgres"],
        }
        if len(self.service.processes) > 1:
            parts["worker"] = [self.service.processes[1].pid]
        return parts

    def _now(self) -> dict[str, float]:
        seconds = {name: sum(_stat(pid)[0] for pid in pids) for name, pids in self._parts().items()}
        return {**seconds, "client": time.process_time()}

    def start(self) -> None:
        self.before = self._now()

    def stop(self) -> dict[str, float]:
        """CPU seconds per part since start (processes that ended meanwhile are not counted)."""
        after = self._now()
        return {name: round(after[name] - self.before.get(name, 0.0), 2) for name in after}


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _stat(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and parent pid of a process; (0, 0) once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0
    # After the command name: state, ppid… utime and stime are the 12th and 13th (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[1])


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


# --- The clients ---------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name), "")


class Browser:
    """One person's browser: its cookies, one connection per request (as gunicorn's sync workers close
    them), over HTTP on loopback behind what a TLS proxy would add."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    async def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Response:
        origin = f"https://{LOOPBACK}:{self.port}"
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {LOOPBACK}:{self.port}",
            "X-Forwarded-Proto: https",
            "Connection: close",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            lines += [
                f"Origin: {origin}",
                f"Referer: {origin}{path}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        reader, writer = await asyncio.open_connection(LOOPBACK, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = [
            (key.lower(), value.strip()) for key, _, value in (line.partition(":") for line in header_lines)
        ]
        for key, value in headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return Response(int(status_line.split()[1]), headers, content)

    async def login(self, account: Account) -> None:
        page = await self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"Page de connexion inattendue ({page.status}).")
        form = [("csrfmiddlewaretoken", token.group(1).decode()), ("login", account.email)]
        response = await self.request("POST", "/accounts/login/", [*form, ("password", account.password)])
        if response.status != 302 or "/accounts/login/" in response.header("location"):
            raise RuntimeError(f"Connexion refusée pour {account.email} ({response.status}).")

    def csrf_field(self) -> tuple[str, str]:
        # The form accepts the cookie's secret itself (what the masked token of the page unmasks to).
        return ("csrfmiddlewaretoken", self.cookies["csrftoken"])


def cra_form(lieu: int, rng: random.Random) -> list[tuple[str, str]]:
    """A valid CRA as the browser sends it, individual or collective, on one of the last four weeks."""
    day = timezone.localdate() - datetime.timedelta(days=rng.randrange(DAYS))
    fields = [
        ("idempotency_key", str(uuid.uuid4())),
        ("date_accompagnement", day.isoformat()),
        ("canal", "rattachement"),
        ("permanence", str(lieu)),
        ("themes", rng.choice(["courriel", "internet", "demarche_en_ligne"])),
    ]
    if rng.random() < 0.2:
        participants = rng.randint(2, 12)
        return fields + [
            ("activite", "collectif"),
            ("nb_participants", str(participants)),
            ("age_plus_60", str(participants)),
            ("statut_retraite", str(participants)),
            ("duree", "60+"),
            ("duree_minutes", rng.choice(["90", "120"])),
        ]
    return fields + [
        ("activite", "individuel"),
        ("nb_participants", "1"),
        ("age_35_60", "1"),
        ("statut_en_emploi", "1"),
        ("duree", "30-60"),
    ]


@dataclass
class Tally:
    """What the clients did: latencies in ms, and errors by kind (a few examples kept)."""

    plan: Plan
    started: float = 0.0
    stopped: float = 0.0
    issued: int = 0  # CRA submissions started (bounded by plan.max_cras)
    creations: list[float] = field(default_factory=list)
    pages: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def may_create(self) -> bool:
        if self.issued >= self.plan.max_cras or time.perf_counter() - self.started >= self.plan.seconds:
            return False
        self.issued += 1
        return True

    def running(self) -> bool:
        return time.perf_counter() - self.started < self.plan.seconds and self.issued < self.plan.max_cras


async def _timed(browser: Browser, method: str, path: str, form=None) -> tuple[Response | None, float, str]:
    started = time.perf_counter()
    try:
        response = await browser.request(method, path, form)
    except (OSError, ValueError, IndexError) as error:  # refused, reset, or not HTTP
        return None, (time.perf_counter() - started) * 1000, type(error).__name__
    return response, (time.perf_counter() - started) * 1000, ""


async def conseiller_client(browser: Browser, account: Account, tally: Tally, rng: random.Random) -> None:
    while tally.may_create():
        form = [browser.csrf_field(), *cra_form(account.lieu, rng)]
        response, elapsed, failure = await _timed(browser, "POST", account.paths[0], form)
        saved = (
            response is not None and response.status == 302 and "/enregistre/" in response.header("location")
        )
        if saved:
            tally.creations.append(elapsed)
        else:
            tally.errors[f"création : {failure or response.status}"] += 1


async def structure_client(browser: Browser, account: Account, tally: Tally) -> None:
    turn = 0
    while tally.running():
        path = account.paths[turn % len(account.paths)]
        turn += 1
        response, elapsed, failure = await _timed(browser, "GET", path)
        if response is not None and response.status == 200:
            tally.pages.append(elapsed)
        else:
            tally.errors[f"{path} : {failure or response.status}"] += 1


async def load(
    port: int, plan: Plan, conseillers: list[Account], structure_users: list[Account], cpu: CpuMeter
) -> Tally:
    browsers = {account: Browser(port) for account in [*conseillers, *structure_users]}
    # Logging in hashes passwords (slow on purpose): a few at a time, before the measure starts.
    logins = asyncio.Semaphore(plan.gunicorn_workers)

    async def login(account):
        async with logins:
            await browsers[account].login(account)

    await asyncio.gather(*(login(account) for account in browsers))
    cpu.start()
    tally = Tally(plan, started=time.perf_counter())
    rng = random.Random(2026)
    await asyncio.gather(
        *(conseiller_client(browsers[account], account, tally, rng) for account in conseillers),
        *(structure_client(browsers[account], account, tally) for account in structure_users),
    )
    tally.stopped = time.perf_counter()
    tally.cpu_seconds = cpu.stop()
    return tally


# --- The run -------------------------------------------------------------------------------------------


def _latency(id: str, label: str, values: list[float], target: float | None) -> Measure:
    """p95 against the target; the median and p99 go with it."""
    measure = Measure(id, label, "ms", target)
    if values:
        measure.value, measure.runs = percentile(values, 95), len(values)
        measure.note = f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms"
    else:
        measure.fail("aucune réponse réussie")
    return measure


def _cpu_note(tally: Tally) -> str:
    """CPU per CRA created, by part, and the machine's cores: what bounds the throughput here."""
    if not tally.creations:
        return ""
    ms = {part: seconds * 1000 / len(tally.creations) for part, seconds in tally.cpu_seconds.items()}
    per_cra = ", ".join(f"{part} {value:.1f} ms" for part, value in ms.items())
    busy = sum(tally.cpu_seconds.values()) / (tally.stopped - tally.started)
    return f"CPU par CRA : {per_cra} ; {busy:.1f} cœurs occupés sur {os.cpu_count()}"


def measures(tally: Tally, catch_up: float | None, differing: list[str]) -> list[Measure]:
    plan, seconds = tally.plan, tally.stopped - tally.started
    browsing = f", {plan.structures} structures consultant leurs statistiques" if plan.structures else ""
    throughput = Measure(
        f"{plan.name}_debit",
        f"Création de CRA en HTTP, {plan.conseillers} clients simultanés{browsing}",
        "CRA/s",
        CREATION_TARGET_PER_SECOND,
        at_least=True,
        value=len(tally.creations) / seconds if seconds else 0,
        runs=len(tally.creations),
        note=f"{len(tally.creations)} CRA en {seconds:.1f} s ; {_cpu_note(tally)}",
    )
    results = [
        throughput,
        _latency(f"{plan.name}_p95", "— création, p95", tally.creations, CREATION_TARGET_P95_MS),
    ]
    if plan.structures:
        results.append(_latency(f"{plan.name}_pages_p95", "— pages de statistiques, p95", tally.pages, None))
    errors = Measure(
        f"{plan.name}_erreurs",
        "— réponses en erreur",
        "erreurs",
        1,
        value=sum(tally.errors.values()),
        note="; ".join(f"{kind} × {count}" for kind, count in tally.errors.most_common(5)),
    )
    freshness = Measure(f"{plan.name}_rattrapage", "— agrégats exacts après la charge (worker)", "s", None)
    if catch_up is None:
        freshness.fail("écarts persistants : " + ", ".join(differing[:5]))
    else:
        freshness.value, freshness.runs = catch_up, 1
    return [*results, errors, freshness]


def _purge(redis_url: str) -> None:
    """The load's Redis database starts empty: no task left from an interrupted run."""
    redis.Redis.from_url(redis_url).flushdb()


def _caught_up(structure_ids: list[int], conseiller_ids: list[int]) -> tuple[float | None, list[str]]:
    started = time.perf_counter()
    while True:
        differing = drift(structure_ids, conseiller_ids)
        if not differing:
            return time.perf_counter() - started, []
        if time.perf_counter() - started > CATCH_UP_SECONDS:
            return None, differing
        time.sleep(0.5)


def run(plan: Plan, database_url: str, redis_url: str | None) -> tuple[list[Measure], dict]:
    """Runs the load; returns its measures and how it was run."""
    print("Charge : préparation des comptes…", flush=True)
    world_remove()
    conseillers, structure_users, structure_ids = world_create(plan)
    conseiller_ids = [account.conseiller for account in conseillers]
    if redis_url:
        _purge(redis_url)
    try:
        with Service(plan, service_env(database_url, redis_url)) as service:
            print(
                f"Charge : gunicorn ({plan.gunicorn_workers} workers) sur {LOOPBACK}:{service.port}, "
                f"{plan.conseillers} conseillers et {plan.structures} structures pendant {plan.seconds:g} s "
                f"(au plus {plan.max_cras} CRA)…",
                flush=True,
            )
            tally = asyncio.run(load(service.port, plan, conseillers, structure_users, CpuMeter(service)))
            service.stop_web()
            catch_up, differing = _caught_up(structure_ids, conseiller_ids)
        stored = Cra.objects.filter(conseiller_id__in=conseiller_ids).count()
    finally:
        removed = world_remove()
    results = measures(tally, catch_up, differing)
    if stored != len(tally.creations):
        results.append(
            Measure(f"{plan.name}_enregistres", "— CRA enregistrés = créations réussies", "CRA").fail(
                f"{stored} CRA en base pour {len(tally.creations)} créations réussies"
            )
        )
    setup = {
        "gunicorn_workers": plan.gunicorn_workers,
        "clients_conseillers": plan.conseillers,
        "clients_structures": plan.structures,
        "seconds": plan.seconds,
        "max_cras": plan.max_cras,
        "worker_celery": bool(redis_url),
        "cras_created": len(tally.creations),
        "cras_removed_after": removed,
        "pages_read": len(tally.pages),
        "cpu_seconds": tally.cpu_seconds,
        "latencies_ms": {
            name: {rank: round(percentile(values, rank), 1) for rank in (50, 95, 99)}
            for name, values in (("creation", tally.creations), ("consultation", tally.pages))
            if values
        },
    }
    return results, setup
