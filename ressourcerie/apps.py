from django.apps import AppConfig


class RessourcerieConfig(AppConfig):
    name = "ressourcerie"
    verbose_name = "Ressourcerie"
