"""`python manage.py import_conseillers FICHIER.csv [--dry-run] [--partiel]`: see docs/imports.md."""

from conseillers.imports import conseillers_importer
from structures.imports_csv import CommandeImport


class Command(CommandeImport):
    help = (
        "Importe ou met à jour les conseillers et leurs contrats d'un fichier CSV (clé : l'e-mail "
        "professionnel). Voir docs/imports.md."
    )

    def importer(self, **kwargs):
        return conseillers_importer(**kwargs)
