"""The benchmark's dataset: the demo and BENCH_CRAS generated CRAs, in a PostgreSQL database of its own.

Built once (migrate, seed_demo --cras 0, generate_cras --count N, VACUUM ANALYZE), then reused as long as
its marker table says it holds exactly that: the marker is created with the database, so that the bench
never drops a database it did not create. Management commands run as subprocesses on this database only.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from django.apps import apps
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cnfs_bench"
SHORT_LOAD_URL = "postgres://postgres@127.0.0.1:5432/cnfs_charge"  # the short load of .ci/run
IMPORT_URL = "postgres://postgres@127.0.0.1:5432/cnfs_bench_import"  # import_v1's, recreated at each run
PARTS = ("statistiques", "exports", "charge", "import_v1")
DATASET_PARTS = ("statistiques", "exports", "charge")  # the parts measured on the dataset of generated CRAs
SETTINGS = "bench.settings"
BROKER_VARIABLES = ("REDIS_URL", "CELERY_BROKER_URL")
MARKER = "bench_jeu_de_donnees"


class DatasetError(Exception):
    """The bench database cannot be used (French message)."""


@dataclass(frozen=True)
class Dataset:
    generated: int  # CRAs added by generate_cras
    total: int  # rows of cra_cra once built, the demo's included
    generation_seconds: float  # generate_cras, the whole command
    built_at: str
    reused: bool


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def import_url() -> str:
    return os.environ.get("BENCH_IMPORT_DATABASE_URL", IMPORT_URL)


def requested_parts() -> list[str] | None:
    """The parts of BENCH_PARTS (all by default), None when it names an unknown one or none."""
    parts = [
        part.strip() for part in os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",") if part.strip()
    ]
    return parts if parts and not set(parts) - set(PARTS) else None


def django_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a Django process on the bench database: no broker (tasks run eagerly) unless
    `extra` gives one."""
    env = {name: value for name, value in os.environ.items() if name not in BROKER_VARIABLES}
    return {**env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS, **extra}


def manage(url: str, *args: str) -> float:
    """Runs `manage.py args` on the bench database; returns how long it took, in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=django_env(url), check=True)
    return time.perf_counter() - started


def _cra_count(connection: psycopg.Connection) -> int:
    # The app registry is ready once the bench runs; this module is imported before, to set it up.
    table = apps.get_model("cra", "Cra")._meta.db_table
    return connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _existing(url: str, cras: int) -> Dataset | None:
    """The dataset of the database when it is complete and holds `cras` generated CRAs; None when the
    database is missing, was left incomplete or holds another dataset. Raises on a database that the
    bench did not create."""
    try:
        connection = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError:
        return None  # no such database
    with connection:
        if connection.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0] is None:
            tables = connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
            if tables[0]:
                raise DatasetError(
                    f"La base « {_name(url)} » existe et n'a pas été créée par le banc de mesure : "
                    "elle n'est pas effacée. Choisissez-en une autre avec BENCH_DATABASE_URL."
                )
            return None
        row = connection.execute(
            sql.SQL("SELECT generes, total, secondes, cree_le::text FROM {}").format(sql.Identifier(MARKER))
        ).fetchone()
        if row is None or row[0] != cras or row[1] is None:
            return None
        if _cra_count(connection) != row[1]:
            return None
    return Dataset(generated=row[0], total=row[1], generation_seconds=row[2], built_at=row[3], reused=True)


def _recreate(url: str, cras: int) -> None:
    """Drops and creates the bench database, with its marker saying "incomplete"."""
    name = _name(url)
    if not name or name in ("postgres", "template0", "template1"):
        raise DatasetError(f"La base « {name} » ne peut pas servir au banc de mesure.")
    with psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL(
                "CREATE TABLE {} (generes integer NOT NULL, total bigint, secondes double precision, "
                "cree_le timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(MARKER))
        )
        connection.execute(
            sql.SQL("INSERT INTO {} (generes) VALUES (%s)").format(sql.Identifier(MARKER)), [cras]
        )


def fresh_database(url: str) -> None:
    """Drops and creates a database of the bench (one it created, or none), empty but for its marker."""
    _existing(url, 0)  # raises on a database that the bench did not create
    _recreate(url, 0)


def dataset_ready(url: str, cras: int) -> Dataset:
    """The bench database holding the demo and `cras` generated CRAs, reused or built, migrations applied."""
    dataset = _existing(url, cras)
    if dataset is not None:
        print(f"Jeu de données réutilisé : base « {_name(url)} », {dataset.total} CRA ({dataset.built_at}).")
        manage(url, "migrate", "--noinput", "--verbosity", "0")
        return dataset
    print(f"Création du jeu de données : base « {_name(url)} », démonstration et {cras} CRA générés.")
    _recreate(url, cras)
    manage(url, "migrate", "--noinput", "--verbosity", "0")
    manage(url, "seed_demo", "--cras", "0")
    # The rebuild is measured on its own, next.
    seconds = manage(url, "generate_cras", "--count", str(cras), "--sans-agregats")
    with psycopg.connect(url, autocommit=True) as connection:
        # As autovacuum would soon after a bulk load: hint bits and visibility map set, statistics fresh,
        # so that the rebuild measured next does not pay for them.
        print("VACUUM ANALYZE de la base…")
        connection.execute("VACUUM ANALYZE")
        total = _cra_count(connection)
        built_at = connection.execute(
            sql.SQL("UPDATE {} SET total = %s, secondes = %s RETURNING cree_le::text").format(
                sql.Identifier(MARKER)
            ),
            [total, seconds],
        ).fetchone()[0]
    return Dataset(generated=cras, total=total, generation_seconds=seconds, built_at=built_at, reused=False)
