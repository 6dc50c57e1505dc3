from django.core.management.base import BaseCommand, CommandError

from stats.services import aggregates_check


class Command(BaseCommand):
    help = (
        "Compare les agrégats au calcul de référence sur les CRA bruts : chaque département, la France, "
        "chaque région et hub, un échantillon de structures, de conseillers et de périodes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--echantillon", type=int, default=20, help="Structures et conseillers tirés.")
        parser.add_argument("--graine", type=int, default=None, help="Graine du tirage (hasard sinon).")

    def handle(self, *args, echantillon, graine, **options):
        report = aggregates_check(sample=echantillon, seed=graine)
        for difference in report.differences:
            self.stdout.write(str(difference))
        self.stdout.write(f"{report.requests} demandes comparées, {len(report.differences)} différence(s).")
        if report.differences:
            raise CommandError("Les agrégats diffèrent des CRA : lancer rebuild_stats.")
