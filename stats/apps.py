from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistiques"

    def ready(self):
        # Registers the producers of the background exports (web processes ask, workers make).
        from stats.exports import producteurs  # noqa: F401
