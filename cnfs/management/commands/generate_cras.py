import os

from django.core.management.base import BaseCommand, CommandError

from cra.generation import GenerationError, generate_cras
from stats.services import aggregates_rebuild

# Below this count, a second process costs more than it saves.
PARALLEL_FROM = 100_000


class Command(BaseCommand):
    help = (
        "Ajoute N comptes rendus d'activité réalistes, tous conformes aux règles du formulaire, répartis sur "
        "les contrats des conseillers activés (COPY sur PostgreSQL) : pour les mesures à l'échelle nationale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="nombre de CRA à ajouter")
        parser.add_argument("--seed", type=int, default=0, help="graine du tirage (même graine, mêmes CRA)")
        parser.add_argument(
            "--workers",
            type=int,
            help="processus d'écriture sur PostgreSQL (par défaut 2 à partir de 100 000 CRA, si la machine "
            "a deux cœurs)",
        )
        parser.add_argument(
            "--sans-agregats",
            action="store_true",
            help="ne pas reconstruire les agrégats ensuite (les statistiques ignorent alors ces CRA jusqu'à "
            "la prochaine reconstruction : rebuild_stats, ou celle de la nuit)",
        )

    def handle(self, *args, count, seed, workers, sans_agregats, **options):
        if count < 0:
            raise CommandError("--count doit être positif.")
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if count >= PARALLEL_FROM else 1
        try:
            result = generate_cras(count=count, seed=seed, workers=max(1, workers))
        except GenerationError as error:
            raise CommandError(str(error)) from error
        method = "COPY (PostgreSQL)" if result.method == "copy" else "INSERT par lots"
        processes = f", {result.workers} processus" if result.workers > 1 else ""
        self.stdout.write(
            f"{_number(result.count)} CRA générés en {result.seconds:.1f} s "
            f"({_number(result.rate)} CRA/s, écriture : {method}{processes})."
        )
        # The CRAs are written in bulk, past the services that recompute the aggregates on commit.
        if not sans_agregats:
            rebuild = aggregates_rebuild()
            self.stdout.write(f"Agrégats reconstruits en {rebuild.seconds:.1f} s.")


def _number(value) -> str:
    """12345.6 -> "12 346", spaced as in French."""
    return f"{value:,.0f}".replace(",", " ")
