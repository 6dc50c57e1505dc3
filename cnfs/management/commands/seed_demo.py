import contextlib
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from conseillers.demo import DemoError, seed_demo
from cra.demo import DEMO_CRAS, demo_cras_load
from ressourcerie.demo import demo_documents_load
from stats.services import aggregates_rebuild
from structures.management.commands.load_communes import FICHIER_LIVRE, communes_load, entrees_du_fichier


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : référentiel des communes, structures, conseillers, contrats, "
        "lieux d'activité, comptes de démonstration, puis leurs comptes rendus d'activité. "
        "Relancer la commande le même jour ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cras",
            type=int,
            default=DEMO_CRAS,
            help=f"Nombre de CRA générés (par défaut {DEMO_CRAS}, 0 : aucun).",
        )

    def handle(self, *args, cras, **options):
        # Without a broker the tasks the demo sends (the ressourcerie's ZIP) run here, and Celery logs each
        # success at INFO: the command's own report is enough.
        with _quiet("celery.app.trace"):
            self._load(cras)

    def _load(self, cras):
        # Each app owns its part of the demo; this command puts them together, in dependency order.
        today = timezone.localdate()
        # Places are chosen from the communes of a postal code, never typed as INSEE codes (docs/imports.md).
        bilan = communes_load(entrees_du_fichier(FICHIER_LIVRE))
        communes = bilan.creees + bilan.mises_a_jour + bilan.inchangees
        self.stdout.write(f"  - {communes} communes du référentiel, avec leurs codes postaux\n")
        try:
            seed_demo(stdout=self.stdout, today=today)
        except DemoError as error:
            raise CommandError(str(error)) from error
        count = demo_cras_load(today=today, count=cras)
        self.stdout.write(f"  - {count} comptes rendus d'activité générés\n")
        # Generated CRAs bypass the CRA service and its recompute: the statistics are rebuilt once here.
        aggregates_rebuild()
        self.stdout.write("  - agrégats statistiques reconstruits\n")
        try:
            documents = demo_documents_load()
        except OSError as error:
            # WeasyPrint needs Pango (a system library): without it, the rest of the demo still loads.
            self.stderr.write(
                f"  ! ressourcerie de démonstration non chargée : WeasyPrint est indisponible ({error}). "
                "Installez les paquets de Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0).\n"
            )
        else:
            self.stdout.write(f"  - {documents} documents dans la ressourcerie\n")


@contextlib.contextmanager
def _quiet(name: str):
    """The logger `name` keeps its warnings and errors only, while the block runs."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
