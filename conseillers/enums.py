from django.db import models


class StatutConseiller(models.TextChoices):
    RECRUTE = "RECRUTE", "En activité"
    RUPTURE = "RUPTURE", "Rupture de contrat"
    TERMINE = "TERMINE", "Contrat terminé"


class TypeContrat(models.TextChoices):
    CDD = "CDD", "CDD"
    CDI = "CDI", "CDI"
    CONTRAT_PROJET = "CONTRAT_PROJET", "Contrat de projet"
    PUBLIC = "PUBLIC", "Contrat de droit public"


class MotifRupture(models.TextChoices):
    DEMISSION = "DEMISSION", "Démission"
    LICENCIEMENT = "LICENCIEMENT", "Licenciement"
    RUPTURE_CONVENTIONNELLE = "RUPTURE_CONVENTIONNELLE", "Rupture conventionnelle"
    FIN_PERIODE_ESSAI = "FIN_PERIODE_ESSAI", "Fin de période d'essai"
    NOUVEL_EMPLOI = "NOUVEL_EMPLOI", "Nouvel emploi"
    AUTRE = "AUTRE", "Autre"


class TypeAcces(models.TextChoices):
    LIBRE = "libre", "Accès libre"
    RDV = "rdv", "Sur rendez-vous"
    PRIVE = "prive", "La structure n'accueille pas de public"
