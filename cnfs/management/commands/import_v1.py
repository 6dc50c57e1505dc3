from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cnfs.import_v1.cras import ANOMALIES
from cnfs.import_v1.runner import CRA_BATCH_SIZE, import_run

COLUMNS = (("read", "lus"), ("created", "créés"), ("updated", "modifiés"), ("unchanged", "inchangés"))


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Importe l'historique de la première version (export mongoexport d'un dossier : structures, "
        "conseillers, misesEnRelation, users, permanences, cras, cras_deleted). Idempotent : une seconde "
        "exécution ne change rien, une exécution interrompue se relance. Voir docs/import-v1.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="dossier de l'export (fichiers .json, .jsonl, .gz)")
        parser.add_argument("--dry-run", action="store_true", help="tout lire et compter, ne rien écrire")
        parser.add_argument(
            "--rejets",
            type=Path,
            help="fichier des documents rejetés (une ligne JSON : id, collection, raison)",
        )

        parser.add_argument(
            "--lot",
            type=int,
            default=CRA_BATCH_SIZE,
            help=f"CRA écrits par transaction (par défaut {CRA_BATCH_SIZE})",
        )

    def handle(self, *args, directory: Path, dry_run: bool, rejets: Path | None, lot: int, **options):
        if not directory.is_dir():
            raise CommandError(f"Le dossier {directory} n'existe pas.")
        if lot < 1:
            raise CommandError("--lot doit être au moins 1.")
        options = {"dry_run": dry_run, "progress": self.stdout.isatty(), "batch_size": lot}
        if rejets is not None:
            with rejets.open("wb") as stream:
                report = import_run(directory, rejects_stream=stream, **options)
        else:
            report = import_run(directory, **options)
        self._report(report)

    def _report(self, report) -> None:
        if report.dry_run:
            self.stdout.write("Essai à blanc : rien n'a été écrit.")
        for name in report.absent:
            self.stdout.write(f"{name} : fichier absent.")
        for collection in report.collections.values():
            if collection.name in report.absent:
                continue
            figures = ", ".join(f"{_number(getattr(collection, key))} {label}" for key, label in COLUMNS)
            self.stdout.write(f"{collection.name} : {figures}, {_number(collection.rejected)} rejetés.")
            for reason, number in sorted(collection.ignored.items()):
                self.stdout.write(f"  laissés de côté ({reason}) : {_number(number)}")
            for code, number in sorted(collection.anomalies.items()):
                self.stdout.write(f"  anomalie {code} ({ANOMALIES[code]}) : {_number(number)}")
        if report.aggregates_seconds is not None:
            self.stdout.write(f"Agrégats reconstruits en {report.aggregates_seconds:.1f} s.")
        self.stdout.write(f"Import terminé en {report.seconds:.1f} s.")
