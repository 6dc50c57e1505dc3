from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cnfs.sauvegarde import SauvegardeError, sauvegarde_restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde faite par « sauvegarder » : remplace le contenu de la base et des fichiers. "
        "À lancer service arrêté (web, worker, beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="dossier de la sauvegarde (AAAAMMJJ-HHMMSS)")
        parser.add_argument("--oui", action="store_true", help="ne pas demander de confirmation")

    def handle(self, *args, source, oui, **options):
        if (
            not oui
            and input("La base et les fichiers actuels seront remplacés. Continuer ? [oui/non] ") != "oui"
        ):
            raise CommandError("Restauration annulée.")
        try:
            sauvegarde_restore(source)
        except SauvegardeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sauvegarde {source} restaurée.")
