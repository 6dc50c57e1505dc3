"""`python manage.py import_structures FICHIER.csv [--dry-run] [--partiel]`: see docs/imports.md."""

from cnfs.socle.imports_csv import CommandeImport
from structures.imports import structures_import


class Command(CommandeImport):
    help = "Importe ou met à jour les structures d'un fichier CSV (clé : le SIRET). Voir docs/imports.md."

    def importer(self, **kwargs):
        return structures_import(**kwargs)
