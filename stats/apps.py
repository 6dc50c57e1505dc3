from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistiques"

    def ready(self):
        # The CRAs (below this application) say when they change; the aggregates follow.
        from cra.signals import cras_modifies
        from stats.tasks import recompute_on_cras_modifies

        cras_modifies.connect(recompute_on_cras_modifies, dispatch_uid="stats.recompute_on_cras_modifies")
