"""`make bench` (SPEC §10): the dataset, then its parts. Statistics: the full rebuild of the aggregates, the
statistics measures, the freshness of the statistics with a worker. Exports: the CSV of a million CRAs and
the statistics PDF. Load: CRAs created through HTTP under gunicorn while statistics are browsed. Import:
import_v1 of a generated first-system export, in a database of its own (bench.import_v1). Each part has its
entry in bench/results.json and its table; BENCH_PARTS ("statistiques,exports,charge,import_v1" by default)
chooses them. `python -m bench charge --court` is the short load of .ci/run, on a small database."""

import datetime
import json
import os
import subprocess
import sys
import time

import redis
from django.db import connection
from django.utils import timezone

from bench import charge
from bench.dataset import (
    BASE_DIR,
    DATASET_PARTS,
    PARTS,
    Dataset,
    DatasetError,
    database_url,
    dataset_ready,
    django_env,
    import_url,
    requested_parts,
)
from bench.exports import export_measures
from bench.import_v1 import import_cras, import_measures
from bench.measures import RUNS, Measure
from bench.results import RESULTS, dataset_description, french, machine, table, write_results
from bench.statistiques import statistics_measures
from stats.services import aggregates_rebuild

DEFAULT_CRAS = 5_000_000
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"  # a Redis database of its own: its queue is purged
LOAD_REDIS_URL = "redis://127.0.0.1:6379/12"  # the load's own, purged too
SHORT_LOAD_CRAS = 20_000


def generation_measure(dataset: Dataset) -> Measure:
    """generate_cras, as timed when the dataset was built (now, or when it was reused)."""
    measure = Measure(
        "generation",
        f"generate_cras --count {dataset.generated} (commande entière)",
        "s",
        300,
        value=dataset.generation_seconds,
        runs=1,
    )
    if dataset.reused:
        measure.note = f"jeu de données réutilisé : mesure faite à sa création ({dataset.built_at})"
    return measure


def rebuild_measure() -> tuple[Measure, dict[str, int]]:
    """The full rebuild of the aggregates (one run, its closing VACUUM ANALYZE included), and the rows it
    wrote per table."""
    measure = Measure(
        "reconstruction", "Reconstruction complète des agrégats (rebuild_stats)", "s", 120, runs=1
    )
    started = time.perf_counter()
    try:
        rows = aggregates_rebuild().rows
    except Exception as error:
        return measure.fail(error), {}
    measure.value = time.perf_counter() - started
    return measure, rows


def freshness_measures(url: str) -> list[Measure]:
    """The freshness measures, from their own process (bench.freshness) talking to Redis."""
    env = django_env(url, REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    process = subprocess.run(
        [sys.executable, "-m", "bench", "fraicheur"], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    lines = process.stdout.strip().splitlines()
    if process.returncode or not lines:
        failed = Measure("fraicheur", "Fraîcheur des statistiques avec un worker", "s", 10)
        return [failed.fail(f"erreur : le processus de mesure a rendu le code {process.returncode}")]
    return [Measure.from_json(data) for data in json.loads(lines[-1])]


def report(key: str, title: str, section: dict, measures: list[Measure]) -> list[str]:
    """Writes the `key` entry of bench/results.json and prints its table; returns the failed measures."""
    write_results(
        key,
        {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
            **section,
            "measures": [measure.as_json() for measure in measures],
        },
    )
    print(f"\n{title} (résultats dans {RESULTS.relative_to(BASE_DIR)}) :\n")
    print(table(measures))
    return [measure.id for measure in measures if measure.failed]


def statistics_part(url: str, dataset: Dataset) -> list[str]:
    print("Reconstruction des agrégats…")
    rebuild, aggregate_rows = rebuild_measure()
    print(f"Mesures des statistiques : médiane et p95 de {RUNS} exécutions après échauffement…")
    measures = [generation_measure(dataset), rebuild, *statistics_measures(timezone.localdate())]
    print("Mesure de la fraîcheur des statistiques avec un worker Celery…")
    measures += freshness_measures(url)
    section = {"dataset": dataset_description(dataset, aggregate_rows), "runs": RUNS}
    return report("statistiques", f"Statistiques sur {french(dataset.total)} CRA", section, measures)


def exports_part(url: str, dataset: Dataset) -> list[str]:
    print("Mesures des exports : CSV d'un million de CRA dans un processus à part, PDF des statistiques…")
    measures, csv_request = export_measures(url, timezone.localdate())
    section = {
        "dataset": {
            "database": connection.settings_dict["NAME"],
            "cras": dataset.total,
            "built_at": dataset.built_at,
            "export_cra_csv": csv_request,
        }
    }
    return report("exports", f"Exports sur {french(dataset.total)} CRA", section, measures)


def _load_redis_url() -> str | None:
    """The load's Redis when one answers (a worker then recomputes the aggregates), else None (eager)."""
    url = os.environ.get("BENCH_CHARGE_REDIS_URL", LOAD_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def _load(plan: charge.Plan, url: str) -> tuple[list[Measure], dict, list[str]]:
    """Runs the load; returns its measures, how it ran, and what went wrong: a measure that could not be
    made, or an error answer. A throughput or latency target missed is shown, not counted here."""
    try:
        measures, setup = charge.run(plan, url, _load_redis_url())
    except Exception as error:
        measures, setup = [Measure(f"{plan.name}_charge", "Charge HTTP", "CRA/s").fail(error)], {}
    wrong = [
        measure.id
        for measure in measures
        if measure.failed or (measure.id.endswith("_erreurs") and not measure.met)
    ]
    return measures, setup, wrong


def _notes(measures: list[Measure]) -> None:
    """The notes of the measures that have a value (the table shows only those of the others)."""
    for measure in measures:
        if measure.note and measure.value is not None:
            print(f"- {measure.label} : {measure.note}")


def load_part(url: str, dataset: Dataset) -> list[str]:
    measures, runs, wrong = [], {}, []
    for plan in charge.FULL:
        plan_measures, runs[plan.name], plan_wrong = _load(plan, url)
        measures += plan_measures
        wrong += plan_wrong
    section = {"dataset": {"database": connection.settings_dict["NAME"], "cras": dataset.total}, "runs": runs}
    report("charge", f"Charge sur {french(dataset.total)} CRA", section, measures)
    _notes(measures)
    return wrong


def import_part() -> list[str]:
    cras, url = import_cras(), import_url()
    print(f"Mesure de l'import de la première version : export de {french(cras)} CRA généré puis importé…")
    measures, setup = import_measures(cras, url)
    return report("import_v1", f"Import de la première version, {french(cras)} CRA", setup, measures)


def short_load() -> int:
    """`python -m bench charge --court` (.ci/run): the load for a few seconds on a small database of its
    own (BENCH_CHARGE_DATABASE_URL), built once; its results are printed, not kept."""
    url = os.environ["DATABASE_URL"]  # set by bench.__main__
    try:
        dataset = dataset_ready(url, SHORT_LOAD_CRAS)
    except (DatasetError, subprocess.CalledProcessError) as error:
        print(f"Base de la charge impossible à préparer : {error}", file=sys.stderr)
        return 1
    if not dataset.reused:
        aggregates_rebuild()
    measures, _setup, wrong = _load(charge.SHORT, url)
    print(f"\nCharge courte sur {french(dataset.total)} CRA :\n")
    print(table(measures))
    _notes(measures)
    if wrong:
        details = "; ".join(f"{measure.id} : {measure.note}" for measure in measures if measure.id in wrong)
        print(f"\nCharge : erreurs ou mesures impossibles — {details}.", file=sys.stderr)
    return 1 if wrong else 0


def main() -> int:
    cras = int(os.environ.get("BENCH_CRAS", DEFAULT_CRAS))
    parts = requested_parts()
    if parts is None:
        print(f"BENCH_PARTS : une ou plusieurs parties parmi {', '.join(PARTS)}.", file=sys.stderr)
        return 2
    failed = []
    if set(parts) & set(DATASET_PARTS):
        url = database_url()
        try:
            dataset = dataset_ready(url, cras)
        except (DatasetError, subprocess.CalledProcessError) as error:
            print(f"Jeu de données impossible à préparer : {error}", file=sys.stderr)
            return 1
        if "statistiques" in parts:
            failed += statistics_part(url, dataset)
        elif not dataset.reused:
            print("Construction des agrégats…")  # the statistics PDF reads them
            aggregates_rebuild()
        if "exports" in parts:
            failed += exports_part(url, dataset)
        if "charge" in parts:
            failed += load_part(url, dataset)
    if "import_v1" in parts:
        failed += import_part()
    if failed:
        print(f"\nMesures impossibles : {', '.join(failed)}.", file=sys.stderr)
    return 1 if failed else 0
