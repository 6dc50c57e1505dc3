from django.db import models


class TypeStructure(models.TextChoices):
    PRIVATE = "PRIVATE", "Privée"
    COMMUNE = "COMMUNE", "Commune"
    EPCI = "EPCI", "EPCI"
    DEPARTEMENT = "DEPARTEMENT", "Département"
    REGION = "REGION", "Région"
    COLLECTIVITE = "COLLECTIVITE", "Collectivité"
    GIP = "GIP", "GIP"


class StatutStructure(models.TextChoices):
    CREEE = "CREEE", "Créée"
    VALIDATION_COSELEC = "VALIDATION_COSELEC", "Validée en comité de sélection"
    REFUS_COSELEC = "REFUS_COSELEC", "Refusée en comité de sélection"
    ABANDON = "ABANDON", "Abandon"
    ANNULEE = "ANNULEE", "Annulée"


class Maille(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    HUB = "hub", "Hub"


# The mailles of the "Statistiques par territoire" table (SPEC §6): a hub has its page, not a table row
# (the hubs do not cover every département, and some share one).
MAILLES_DU_TABLEAU = (Maille.DEPARTEMENT, Maille.REGION)
