"""The import of the first system's history measured at national scale (SPEC §10, §15): an export of
BENCH_IMPORT_CRAS CRAs written by generate_v1_export, then `import_v1` of it into a PostgreSQL database of
its own, recreated for each run (BENCH_IMPORT_DATABASE_URL). CRAs read per second over the whole command
(its report and the rebuild of the aggregates included), and the peak memory of that process, taken from
its own resource usage when it ends (os.wait4)."""

import os
import subprocess
import sys
import tempfile
import time

import psycopg

from bench.dataset import BASE_DIR, DatasetError, django_env, fresh_database, manage
from bench.measures import Measure
from bench.results import french

DEFAULT_CRAS = 5_000_000
SEED = 17
RATE_TARGET = 20_000
MEMORY_TARGET_MB = 500


def import_cras() -> int:
    return int(os.environ.get("BENCH_IMPORT_CRAS", DEFAULT_CRAS))


def _run_import(url: str, directory: str) -> tuple[float, int]:
    """Runs `manage.py import_v1 directory`; returns its seconds and its peak memory in KiB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_v1", directory], cwd=BASE_DIR, env=django_env(url)
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return seconds, usage.ru_maxrss


def import_measures(cras: int, url: str) -> tuple[list[Measure], dict]:
    """generate_v1_export of `cras` CRAs (timed, for information), then import_v1 of it: rate and memory."""
    generation = Measure("import_v1_generation", f"generate_v1_export --count {cras} (commande entière)", "s")
    rate = Measure(
        "import_v1_debit",
        f"import_v1 de {french(cras)} CRA générés (commande entière)",
        "CRA/s",
        RATE_TARGET,
        at_least=True,
    )
    memory = Measure("import_v1_memoire", "Mémoire maximale du processus import_v1", "Mo", MEMORY_TARGET_MB)
    setup = {"database": url.rsplit("/", 1)[-1], "cras": cras, "seed": SEED}
    with tempfile.TemporaryDirectory(prefix="bench-v1-") as directory:
        try:
            generation.value = manage(
                url, "generate_v1_export", "--count", str(cras), "--seed", str(SEED), directory
            )
            generation.runs = 1
            fresh_database(url)
            manage(url, "migrate", "--noinput", "--verbosity", "0")
            seconds, peak_kib = _run_import(url, directory)
            with psycopg.connect(url) as connection:
                imported = connection.execute("SELECT count(*) FROM cra_cra").fetchone()[0]
        except (DatasetError, subprocess.CalledProcessError, psycopg.Error) as error:
            reason = rate.fail(error).note
            return [generation, rate, memory.fail(reason)], setup
    rate.value, rate.runs = cras / seconds, 1
    rate.note = (
        f"{cras} lignes de cras.json lues en {seconds:.1f} s ; "
        f"{imported} CRA dans la base ensuite (supprimés compris)"
    )
    memory.value, memory.runs = peak_kib / 1024, 1
    memory.note = "ru_maxrss du processus import_v1 (os.wait4), Django et ses modules compris"
    setup["imported"] = imported
    return [generation, rate, memory], setup
