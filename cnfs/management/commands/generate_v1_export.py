import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cnfs.import_v1.generation import export_write


class Command(BaseCommand):
    help = (
        "Écrit un export de la première version (mongoexport, une ligne JSON par document) avec toutes les "
        "formes et bizarreries du §15 : pour tester et mesurer import_v1."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=Path, help="dossier où écrire les fichiers (créé au besoin)")
        parser.add_argument("--count", type=int, required=True, help="nombre de lignes de cras.json")
        parser.add_argument("--seed", type=int, default=0, help="graine du tirage (même graine, même export)")
        parser.add_argument("--gzip", action="store_true", help="fichiers compressés (.json.gz)")
        parser.add_argument(
            "--canonical",
            action="store_true",
            help="Extended JSON canonique ($numberInt…) au lieu du relâché",
        )

    def handle(self, *args, dossier, count, seed, gzip, canonical, **options):
        if count < 0:
            raise CommandError("--count doit être positif ou nul.")
        started = time.perf_counter()
        written = export_write(dossier, count=count, seed=seed, compress=gzip, canonical=canonical)
        seconds = time.perf_counter() - started
        for name, lines in written.items():
            self.stdout.write(f"{name} : {lines} lignes")
        self.stdout.write(f"Export écrit dans {dossier} en {seconds:.1f} s.")
