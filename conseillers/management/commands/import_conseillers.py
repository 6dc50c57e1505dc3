"""`python manage.py import_conseillers FICHIER.csv [--dry-run] [--partiel]`: see docs/imports.md."""

from cnfs.socle.imports_csv import CommandeImport
from conseillers.imports import conseillers_import


class Command(CommandeImport):
    help = (
        "Importe ou met à jour les conseillers et leurs contrats d'un fichier CSV (clé : l'e-mail "
        "professionnel). Voir docs/imports.md."
    )

    def importer(self, **kwargs):
        return conseillers_import(**kwargs)
