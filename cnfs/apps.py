from django.apps import AppConfig


class CnfsConfig(AppConfig):
    name = "cnfs"
    verbose_name = "Conseiller numérique"

    def ready(self):
        from cnfs import checks  # noqa: F401 - registers the deployment checks
