from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "cnfs.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self):
        # Registers the producers of the background exports (web processes ask, workers make).
        from cnfs.exports import producteurs  # noqa: F401
