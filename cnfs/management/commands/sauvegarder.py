from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cnfs.sauvegarde import SauvegardeError, sauvegarde_create


class Command(BaseCommand):
    help = "Sauvegarde la base PostgreSQL (pg_dump) et les fichiers (exports, ressourcerie), datée."

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=Path, help="dossier où créer la sauvegarde")

    def handle(self, *args, dossier, **options):
        try:
            cible = sauvegarde_create(dossier)
        except SauvegardeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sauvegarde écrite dans {cible}")
