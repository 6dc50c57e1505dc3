from django.core.management.base import BaseCommand, CommandError

from conseillers.demo import DemoError, seed_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (structures, conseillers, contrats, lieux d'activité et comptes "
        "de démonstration). Relancer la commande le même jour ne change rien."
    )

    def handle(self, *args, **options):
        try:
            seed_demo(stdout=self.stdout)
        except DemoError as error:
            raise CommandError(str(error)) from error
