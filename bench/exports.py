"""The exports measured at national scale (SPEC §10): the CSV of about a million CRAs made as in production,
and the statistics PDF.

The CSV is an Export of nature cra_csv (the national request over the last days holding about CRA_LINES
CRAs) executed by `export_make` in a process of its own (`python -m bench export <pk>`), as a worker
would: lines per second, peak memory of that process; then the file is checked (its lines, the export's
count). For information, the lines alone (`cra_lignes`, no file) are read in the bench process. The PDF is
timed by itself (`pdf_bytes`, national and busiest structure, since the launch) and as a background export
(`export_make`). Files go to a temporary MEDIA_ROOT; the exports and their files are removed at the end.
"""

import datetime
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from bench.dataset import BASE_DIR, django_env
from bench.measures import Measure, timed
from bench.results import french
from bench.statistiques import ADMIN, busiest
from cnfs.exports.cras import cra_lignes
from cnfs.exports.models import Export
from cnfs.exports.production import export_make
from cnfs.exports.statistiques import Entete, pdf_bytes
from cnfs.socle.periode import DATE_LANCEMENT
from cra.models import Cra
from stats.reference import cras_for
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from structures.models import Structure

CRA_LINES = 1_000_000
LINES_PER_SECOND_TARGET = 100_000
MEMORY_TARGET_MB = 300
PDF_TARGET_SECONDS = 3
PDF_RUNS = 5  # after one warm-up run
LIBELLE = "Mesure make bench"  # marks the exports made here, removed at the end
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the "export ready" e-mails stay in memory


def national_request(lines: int, au: datetime.date) -> StatsRequest:
    """The national request ending on `au` whose CRAs are the closest in number to `lines`."""
    per_day = (
        Cra.objects.filter(deleted_at__isnull=True, date_accompagnement__lte=au)
        .values_list("date_accompagnement")
        .annotate(cras=Count("pk"))
        .order_by("-date_accompagnement")
    )
    du, total = au, 0
    for day, cras in per_day:
        if total and abs(total + cras - lines) >= abs(total - lines):
            break
        du, total = day, total + cras
    return StatsRequest(StatsScope.national(), du, au)


def new_export(nature: str, request: StatsRequest, scope_name: str, **parametres) -> Export:
    """An export as a statistics page asks for it (cnfs.pages.exports.demander), not sent to a worker."""
    admin = get_user_model().objects.get(email=ADMIN)
    return Export.objects.create(
        demandeur=admin,
        role=admin.roles.get(kind="admin"),
        nature=nature,
        libelle=f"{LIBELLE} – {Export.Nature(nature).label} – {scope_name}",
        nom_fichier=f"mesure.{'pdf' if nature == Export.Nature.STATISTIQUES_PDF else 'csv'}",
        parametres={
            "requete": request.as_json(),
            "titre": "Statistiques",
            "scope_name": scope_name,
            **parametres,
        },
    )


def remove_bench_exports() -> None:
    """Removes the exports made here and their files (those of an interrupted run are already gone with
    their temporary MEDIA_ROOT)."""
    for export in Export.objects.filter(libelle__startswith=LIBELLE):
        if export.fichier:
            export.fichier.delete(save=False)
        export.delete()


def finished(export: Export) -> Path:
    """The file of a finished export; raises when the export failed."""
    export.refresh_from_db()
    if export.etat != Export.Etat.TERMINE:
        raise RuntimeError(f"export {export.pk} : état {export.etat}, {export.erreur or 'sans message'}")
    return Path(export.fichier.path)


def csv_lines(path: Path) -> int:
    """The lines of a CSV file (the header included); checks its BOM."""
    lines = 0
    with path.open("rb") as stream:
        if stream.read(3) != "\ufeff".encode():
            raise ValueError(f"{path.name} : pas de BOM UTF-8 en tête de fichier")
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
    return lines


def export_process(pk: int) -> int:
    """`python -m bench export <pk>`: runs the export as a worker does; prints the seconds of
    export_make and the peak memory of this process (KiB) as JSON."""
    started = time.perf_counter()
    export = export_make(pk)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    return 0 if export is not None and export.etat == Export.Etat.TERMINE else 1


def reading_measure(request: StatsRequest, total: int) -> Measure:
    """The lines alone, as the export reads them (cra_lignes: queries and conversions, no file)."""
    measure = Measure(
        "export_cra_lecture",
        f"Lecture seule des {french(total)} lignes (cra_lignes, sans fichier)",
        "lignes/s",
    )
    started = time.perf_counter()
    try:
        lines = sum(1 for _ligne in cra_lignes(cras_for(request))) - 1  # the header
    except Exception as error:
        return measure.fail(error)
    seconds = time.perf_counter() - started
    measure.value, measure.runs = lines / seconds, 1
    measure.note = f"{lines} lignes en {seconds:.1f} s, dans le processus du banc"
    return measure


def cra_csv_measures(url: str, media_root: str, request: StatsRequest, total: int) -> list[Measure]:
    """The CRA CSV export of `request` run by export_make in a process of its own: lines per second
    and that process's peak memory."""
    rate = Measure(
        "export_cra_csv",
        f"Export CSV de {french(total)} CRA (export_make, processus à part)",
        "lignes/s",
        LINES_PER_SECOND_TARGET,
        at_least=True,
    )
    memory = Measure(
        "export_cra_csv_memoire", "Mémoire maximale du processus de l'export CSV", "Mo", MEMORY_TARGET_MB
    )
    export = new_export(Export.Nature.CRA_CSV, request, "France entière", total=total)
    started = time.perf_counter()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "bench", "export", str(export.pk)],
            cwd=BASE_DIR,
            env=django_env(url, MEDIA_ROOT=media_root, EMAIL_BACKEND=EMAIL_BACKEND),
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        result = json.loads(process.stdout.strip().splitlines()[-1])
        path = finished(export)
        lines = csv_lines(path)
        if lines != total + 1 or export.lignes != total:
            raise ValueError(
                f"{lines} lignes dans le fichier, {export.lignes} comptées, {total} CRA attendus"
            )
        size = path.stat().st_size
    except Exception as error:
        reason = rate.fail(error).note
        return [rate, memory.fail(reason)]
    finally:
        remove_bench_exports()
    rate.value, rate.runs = total / result["seconds"], 1
    rate.note = (
        f"{total} lignes du {request.du:%d/%m/%Y} au {request.au:%d/%m/%Y} en {result['seconds']:.1f} s "
        f"(processus entier, démarrage de Django compris : {wall:.1f} s) ; fichier de {size / 1e6:.0f} Mo"
    )
    memory.value, memory.runs = result["peak_kib"] / 1024, 1
    memory.note = "ru_maxrss du processus de l'export (Django et ses modules compris)"
    return [rate, memory]


def pdf_check(data: bytes) -> None:
    if not data.startswith(b"%PDF"):
        raise ValueError("pdf_bytes ne rend pas un PDF")


def pdf_export(request: StatsRequest, scope_name: str) -> Callable[[], None]:
    """One background PDF export, checked and removed: what a worker does with a statistiques_pdf Export."""

    def run() -> None:
        export = new_export(Export.Nature.STATISTIQUES_PDF, request, scope_name)
        try:
            export_make(export.pk)
            pdf_check(finished(export).read_bytes()[:4])
        finally:
            remove_bench_exports()

    return run


def pdf_measures(today: datetime.date) -> list[Measure]:
    """pdf_bytes on the statistics since the launch, national and of the busiest structure, then the whole
    background export of the national PDF: median of PDF_RUNS runs after a warm-up."""
    structure = Structure.objects.get(pk=busiest("structure"))
    scopes = [
        ("national", "statistiques nationales", StatsScope.national(), "France entière"),
        (
            "structure",
            f"structure la plus active (n° {structure.pk})",
            StatsScope.structure(structure.pk),
            structure.nom,
        ),
    ]
    measures = []
    for scope_id, label, scope, scope_name in scopes:
        stats = statistiques(StatsRequest(scope, DATE_LANCEMENT, today))
        entete = Entete("Statistiques", scope_name, timezone.localtime())
        measure = Measure(
            f"export_pdf_{scope_id}",
            f"PDF des statistiques (pdf_bytes), {label}, depuis le lancement",
            "s",
            PDF_TARGET_SECONDS,
        )
        measures.append(
            timed(
                measure,
                lambda stats=stats, entete=entete: pdf_check(pdf_bytes(stats, entete)),
                runs=PDF_RUNS,
                warmup=1,
            )
        )
    measure = Measure(
        "export_pdf_tache",
        "Export PDF en arrière-plan (export_make), statistiques nationales",
        "s",
        PDF_TARGET_SECONDS,
    )
    measures.append(
        timed(
            measure,
            pdf_export(StatsRequest(StatsScope.national(), DATE_LANCEMENT, today), "France entière"),
            runs=PDF_RUNS,
            warmup=1,
        )
    )
    for measure in measures:
        if not measure.failed:
            measure.note = f"p95 : la plus lente des {PDF_RUNS} mesures, après une mesure d'échauffement"
    return measures


def export_measures(url: str, today: datetime.date) -> tuple[list[Measure], dict]:
    """Every export measure, in the order of the results table, and the request of the CSV export."""
    request = national_request(CRA_LINES, today)
    total = cras_for(request).count()
    with (
        tempfile.TemporaryDirectory(prefix="bench-media-") as media_root,
        override_settings(MEDIA_ROOT=media_root, EMAIL_BACKEND=EMAIL_BACKEND),
    ):
        remove_bench_exports()
        measures = [
            reading_measure(request, total),  # first: it also brings the CRAs of the period in memory
            *cra_csv_measures(url, media_root, request, total),
            *pdf_measures(today),
        ]
    return measures, {"du": request.du.isoformat(), "au": request.au.isoformat(), "cras": total}
