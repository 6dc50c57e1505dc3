"""The bench's results: the machine and the dataset they were measured on, `bench/results.json`, and the
French table printed at the end."""

import json
import os
import platform
from pathlib import Path

import django
import psycopg
from django.db import connection

from bench.dataset import BASE_DIR, Dataset
from bench.measures import Measure
from conseillers.models import Conseiller
from cra.models import Cra
from structures.models import Departement, Structure

RESULTS = BASE_DIR / "bench" / "results.json"
NOTE_WIDTH = 60
POSTGRESQL_SETTINGS = ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit", "autovacuum")


def _proc_value(path: str, prefix: str) -> str:
    """The value of the first `prefix: value` line of a /proc file, "" when there is none."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), "")


def _show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def machine() -> dict:
    memory_kib = _proc_value("/proc/meminfo", "MemTotal").split()
    return {
        "cpu": _proc_value("/proc/cpuinfo", "model name") or platform.processor(),
        "nproc": os.cpu_count(),
        "ram_gib": round(int(memory_kib[0]) / 1024**2, 1) if memory_kib else None,
        "postgresql": _show("server_version"),
        "postgresql_settings": {setting: _show(setting) for setting in POSTGRESQL_SETTINGS},
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def dataset_description(dataset: Dataset, aggregate_rows: dict[str, int]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [Cra._meta.db_table])
        cra_size = cursor.fetchone()[0]
    return {
        "database": connection.settings_dict["NAME"],
        "cras": Cra.objects.count(),
        "cras_generated": dataset.generated,
        "cra_table_size": cra_size,
        "built_at": dataset.built_at,
        "reused": dataset.reused,
        "conseillers": Conseiller.objects.count(),
        "conseillers_actives": Conseiller.objects.filter(date_activation__isnull=False).count(),
        "structures": Structure.objects.count(),
        "departements": Departement.objects.count(),
        "aggregate_rows": aggregate_rows,
    }


def write_results(key: str, section: dict) -> None:
    """Replaces the `key` entry of bench/results.json (a part of the bench: "statistiques", "exports"),
    keeping the other entries."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[key] = section
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


def _with_unit(number: str, unit: str) -> str:
    return number + unit if unit == "×" else f"{number} {unit}"


def french(value: float, decimals: int = 0) -> str:
    """1234.56 -> "1 234,6" with decimals=1: digits grouped by a no-break space, decimal comma."""
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def _number(value: float, unit: str) -> str:
    """12.34, "ms" -> "12,3 ms"; seconds below 10 keep two decimals, lines per second none."""
    decimals = 0 if unit in ("lignes/s", "erreurs") else 2 if unit == "s" and value < 10 else 1
    return _with_unit(french(value, decimals), unit)


def _target(measure: Measure) -> str:
    if measure.target is None:
        return ""
    if measure.unit == "erreurs":
        return "aucune"
    target = french(measure.target, 0 if float(measure.target).is_integer() else 1)
    return ("≥ " if measure.at_least else "< ") + _with_unit(target, measure.unit)


def _row(measure: Measure) -> list[str]:
    if measure.value is None:
        note = measure.note or "—"  # in full in results.json
        return [measure.label, note if len(note) <= NOTE_WIDTH else note[: NOTE_WIDTH - 1] + "…", "", "", ""]
    met = {True: "oui", False: "**non**", None: ""}[measure.met]
    p95 = _number(measure.p95, measure.unit) if measure.p95 is not None and measure.runs > 1 else ""
    return [measure.label, _number(measure.value, measure.unit), p95, _target(measure), met]


def table(measures: list[Measure]) -> str:
    """The results as a Markdown table in French (médiane, p95, cible, atteinte)."""
    rows = [["mesure", "médiane", "p95", "cible", "atteinte"], *(_row(measure) for measure in measures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)
