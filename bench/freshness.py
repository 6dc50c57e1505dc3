"""How long a CRA written through the services takes to show in the national and territorial statistics,
with a real Celery worker (SPEC §10: < 10 s).

Runs in its own process (`python -m bench fraicheur`, started by the bench with REDIS_URL set), because the
settings read the broker when they load: here the recompute tasks go through Redis instead of running
eagerly. Starts a worker on the bench database, then, for the demo conseiller, creates a CRA, turns it into
a workshop and deletes it through cra.services, each time polling the statistics until they show the
change. Stops the worker and removes the CRAs it wrote whatever happens; prints its measures as JSON.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from bench.dataset import BASE_DIR
from bench.measures import Measure
from cnfs.celery import app
from conseillers.models import Conseiller
from cra.enums import AGES, STATUTS
from cra.models import Cra
from cra.services import cra_context_for, cra_create, cra_delete, cra_update
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.services import AggregateKey, aggregates_recompute
from stats.territoires import tableau_territoires
from structures.enums import Maille
from structures.models import Structure

RUNS = 5  # after one warm-up run
TARGET_SECONDS = 10
TIMEOUT_SECONDS = 60
POLL_SECONDS = 0.02
CONSEILLER = "conseiller@demo.test"
ANNOTATION = "mesure make bench"  # marks the CRAs written here, removed at the end


class Visible(NamedTuple):
    """What the statistics of the current month show, nationally and in the conseiller's département."""

    national_cra: int
    national_accompagnements: int
    departement_cra: int
    departement_accompagnements: int

    def plus(self, cra: int, accompagnements: int) -> "Visible":
        return Visible(
            self.national_cra + cra,
            self.national_accompagnements + accompagnements,
            self.departement_cra + cra,
            self.departement_accompagnements + accompagnements,
        )


def visible(departement: str, today: datetime.date) -> Visible:
    du = today.replace(day=1)
    national = statistiques(StatsRequest(StatsScope.national(), du, today))
    ligne = next(
        ligne
        for ligne in tableau_territoires(Maille.DEPARTEMENT, du, today).lignes
        if ligne.code == departement
    )
    return Visible(national["cra"], national["accompagnements"], ligne.cra, ligne.accompagnements)


def _seconds_until(expected: Visible, started: float, departement: str, today: datetime.date) -> float:
    """Seconds from `started` until the statistics show `expected`."""
    while visible(departement, today) != expected:
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            raise TimeoutError(
                f"Changement toujours invisible dans les statistiques après {TIMEOUT_SECONDS} s."
            )
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def cra_data(day: datetime.date, permanence_id: int, participants: int = 1) -> dict:
    """A valid CRA at the conseiller's lieu d'activité: an individual one, or a workshop of retired people
    aged 60 and over."""
    collectif = participants > 1
    data = {
        "date_accompagnement": day,
        "canal": "rattachement",
        "permanence": permanence_id,
        "code_postal": "",
        "code_commune": "",
        "nom_commune": "",
        "activite": "collectif" if collectif else "individuel",
        "nb_participants": participants,
        "nb_participants_recurrents": 0,
        "themes": ["courriel"],
        "sous_themes": [],
        "annotation": ANNOTATION,
        "duree": "30-60",
        "duree_minutes": None,
        "suivi_individuel": 0,
        "suivi_atelier": 0,
        "redirections": [],
    }
    data.update({name: 0 for name, _label in (*AGES, *STATUTS)})
    data["age_plus_60" if collectif else "age_35_60"] = participants
    data["statut_retraite" if collectif else "statut_en_emploi"] = participants
    return data


def one_run(conseiller: Conseiller, today: datetime.date) -> tuple[float, float, float]:
    """Seconds until a creation, an edit (individual → workshop of 5) and a deletion show."""
    context = cra_context_for(conseiller)
    departement = Structure.objects.get(pk=context.structure_on(today)).departement_id
    permanence_id = min(context.lieux)
    before = visible(departement, today)

    started = time.perf_counter()
    with transaction.atomic():
        cra = cra_create(
            conseiller=conseiller, user=None, data=cra_data(today, permanence_id), context=context
        )
    creation = _seconds_until(before.plus(1, 1), started, departement, today)

    started = time.perf_counter()
    cra_update(cra=cra, user=None, data=cra_data(today, permanence_id, participants=5), context=context)
    edit = _seconds_until(before.plus(1, 5), started, departement, today)

    started = time.perf_counter()
    cra_delete(cra=cra, user=None)
    deletion = _seconds_until(before, started, departement, today)
    return creation, edit, deletion


def start_worker() -> subprocess.Popen:
    """A Celery worker on the bench database and broker (this process's environment), ready to work."""
    app.control.purge()  # tasks left by an interrupted run
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cnfs",
            "--quiet",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
        ]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "warning"],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        stdout=sys.stderr,  # stdout carries the measures
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Le worker Celery n'a pas démarré.")
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def remove_bench_cras() -> None:
    """Removes the CRAs written here (deleted or not) and recomputes their aggregates at once, so that the
    bench database holds its dataset again."""
    cras = Cra.objects.filter(annotation=ANNOTATION)
    keys = [AggregateKey.of(cra) for cra in cras]
    cras.delete()
    aggregates_recompute(keys=keys)


def freshness_measures() -> list[Measure]:
    """Median (and worst) seconds until a created, edited and deleted CRA shows in the statistics."""
    measures = [
        Measure(
            f"fraicheur_{change}",
            f"CRA {label} visible dans les statistiques nationales et départementales",
            "s",
            TARGET_SECONDS,
        )
        for change, label in (("creation", "créé"), ("modification", "modifié"), ("suppression", "supprimé"))
    ]
    conseiller = Conseiller.objects.get(user__email=CONSEILLER)
    today = timezone.localdate()
    remove_bench_cras()
    worker = None
    try:
        worker = start_worker()
        runs = [one_run(conseiller, today) for _ in range(RUNS + 1)][1:]
    except Exception as error:
        reason = measures[0].fail(error).note  # one traceback
        return [measures[0], *(measure.fail(reason) for measure in measures[1:])]
    finally:
        if worker is not None:
            stop_worker(worker)
        remove_bench_cras()
    for measure, seconds in zip(measures, zip(*runs, strict=True), strict=True):
        measure.value, measure.p95, measure.runs = statistics.median(seconds), max(seconds), len(seconds)
        measure.note = "p95 : la plus lente des 5 mesures, après une mesure d'échauffement"
    return measures


def main() -> int:
    print(json.dumps([measure.as_json() for measure in freshness_measures()]))
    return 0
