"""A run of `manage.py import_v1` killed in the middle of the CRAs, then started again, ends with the same
rows as an uninterrupted run. Real processes on file-based SQLite databases (one migrated, copied twice)."""

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.import_v1 import export as e

pytestmark = pytest.mark.slow
BATCH = 1_000
CRAS = 3 * BATCH + 123


def _cras() -> list[dict]:
    """CRAs of the three shapes, varied by their number (dates, counts, durations, organismes)."""
    shapes = (e.cra_v1, e.cra_v2, e.cra_v3)
    cras = []
    for n in range(1, CRAS + 1):
        day = f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00Z"
        extra = {"dateAccompagnement": e.date(day), "duree": [20, 45, "60", 90, 95][n % 5]}
        if shapes[n % 3] is not e.cra_v1:
            extra["nbParticipants"] = 1 + n % 7
        if shapes[n % 3] is e.cra_v3:
            extra["organismes"] = [{"CAF": 1 + n % 2}, {f"Maison {n % 4}": 1}]
        cras.append(shapes[n % 3](n, **extra))
    return cras


def _environment(database: Path) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cnfs.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }


def _manage(database: Path, *arguments):
    command = [sys.executable, "manage.py", *arguments]
    return subprocess.Popen(
        command, env=_environment(database), cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL
    )


def _import(database: Path, export: Path):
    return _manage(database, "import_v1", str(export), "--lot", str(BATCH))


def _count(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute("SELECT count(*) FROM cra_cra").fetchone()[0]


def _state(database: Path) -> dict:
    """What the import wrote, by source id (database ids may differ between the two runs)."""
    queries = {
        "cras": """SELECT c.source_id, k.source_id, s.source_id, p.source_id, c.date_accompagnement, c.canal,
                   c.activite, c.nb_participants, c.age_18_35, c.statut_retraite, c.themes, c.sous_themes,
                   c.duree, c.duree_minutes, c.suivi_individuel, c.nb_redirections, c.anomalies, c.created_at,
                   c.updated_at, c.deleted_at, c.source
                   FROM cra_cra c JOIN conseillers_conseiller k ON k.id = c.conseiller_id
                   JOIN structures_structure s ON s.id = c.structure_id
                   LEFT JOIN conseillers_permanence p ON p.id = c.permanence_id ORDER BY c.source_id""",
        "redirections": """SELECT c.source_id, r.organisme, r.nom_autre, r.nombre FROM cra_craredirection r
                   JOIN cra_cra c ON c.id = r.cra_id ORDER BY 1, 2, 3""",
        "agregats": """SELECT a.jour, s.source_id, a.cra, a.participants_ateliers FROM stats_agregatjour a
                   JOIN structures_structure s ON s.id = a.structure_id ORDER BY 1, 2""",
    }
    with sqlite3.connect(database, timeout=30) as connection:
        return {name: connection.execute(query).fetchall() for name, query in queries.items()}


def test_a_run_killed_mid_cras_then_restarted_ends_like_an_uninterrupted_one(tmp_path):
    collections = e.world_documents()
    collections["cras"] = _cras()
    export = e.export_write(tmp_path / "export", collections, compressed=True)
    modele, uninterrupted, killed = (tmp_path / f"{name}.sqlite3" for name in ("modele", "a", "b"))
    assert _manage(modele, "migrate", "-v", "0").wait(timeout=600) == 0
    shutil.copy(modele, uninterrupted)
    shutil.copy(modele, killed)

    assert _import(uninterrupted, export).wait(timeout=600) == 0

    process = _import(killed, export)
    deadline = time.monotonic() + 300
    while _count(killed) < BATCH and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    written = _count(killed)
    assert BATCH <= written < CRAS  # killed between two batches of CRAs, or in one

    assert _import(killed, export).wait(timeout=600) == 0

    expected = _state(uninterrupted)
    assert len(expected["cras"]) == CRAS
    assert _state(killed) == expected
