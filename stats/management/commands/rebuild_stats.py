from django.core.management.base import BaseCommand

from stats.services import aggregates_rebuild


class Command(BaseCommand):
    help = "Reconstruit tous les agrégats statistiques à partir des CRA."

    def handle(self, *args, **options):
        result = aggregates_rebuild()
        self.stdout.write(f"Agrégats reconstruits en {result.seconds:.1f} s.")
        for table, count in result.rows.items():
            self.stdout.write(f"  {table} : {count} lignes")
