from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistiques"

    def ready(self):
        # The CRAs (below this application) say when they change; the aggregates follow.
        from cra.signals import cras_changed
        from stats.tasks import aggregates_recompute_on_cras_changed

        cras_changed.connect(
            aggregates_recompute_on_cras_changed, dispatch_uid="stats.aggregates_recompute_on_cras_changed"
        )
