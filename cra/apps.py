from django.apps import AppConfig


class CraConfig(AppConfig):
    name = "cra"
    verbose_name = "Comptes rendus d'activité"
