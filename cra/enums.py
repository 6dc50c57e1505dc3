"""Enumerations of the CRA (SPEC §4.2). The order of THEMES and SOUS_THEMES is stored (bit positions):
append new entries, never reorder or remove one."""

from django.db import models


class Canal(models.TextChoices):
    RATTACHEMENT = "rattachement", "Lieu d'activité"
    AUTRE_LIEU = "autre_lieu", "Autre lieu"
    DISTANCE = "distance", "À distance"
    DOMICILE = "domicile", "À domicile"


class Source(models.TextChoices):
    """Where a CRA comes from (SPEC §15): entered here, or imported from the first system."""

    SAISIE = "saisie", "Saisi dans ce service"
    COOP_V1 = "coop_v1", "Importé de la première version"


class Activite(models.TextChoices):
    INDIVIDUEL = "individuel", "Accompagnement individuel"
    COLLECTIF = "collectif", "Atelier collectif"
    PONCTUEL = "ponctuel", "Demande ponctuelle"


class Duree(models.TextChoices):
    MOINS_30 = "0-30", "30 min ou moins"
    DE_30_A_60 = "30-60", "30 min à 1 h"
    PLUS_60 = "60+", "1 h ou plus"


class Theme(models.TextChoices):
    DIAGNOSTIC = "diagnostic", "Diagnostic numérique"
    EQUIPEMENT_INFORMATIQUE = "equipement_informatique", "Prendre en main du matériel"
    BUDGET = "budget", "Budget"
    VOCABULAIRE = "vocabulaire", "Culture numérique"
    INTERNET = "internet", "Naviguer sur Internet"
    TROUVER_EMPLOI = "trouver_emploi", "Emploi, formation"
    COURRIEL = "courriel", "Gérer ses courriels"
    ECHANGER = "echanger", "Échanger avec ses proches"
    TPE_PME = "tpe_pme", "Assister un professionnel"
    SECURITE = "securite", "Sécuriser un équipement"
    CONTENUS_NUMERIQUES = "contenus_numeriques", "Contenus numériques"
    ACCOMPAGNER_ENFANT = "accompagner_enfant", "Accompagner un aidant"
    FRAUDE_HARCELEMENT = "fraude_harcelement", "Prévenir les fraudes, le harcèlement"
    TRAITEMENT_TEXTE = "traitement_texte", "Bureautique"
    SCOLAIRE = "scolaire", "Scolaire"
    SANTE = "sante", "Santé"
    DEMARCHE_EN_LIGNE = "demarche_en_ligne", "Démarches administratives"
    # Legacy themes: only on imported CRAs, never offered in the form.
    SMARTPHONE = "smartphone", "Applications smartphone"
    AUTRE = "autre", "Autre"


LEGACY_THEMES = frozenset({Theme.SMARTPHONE, Theme.AUTRE})
CURRENT_THEMES = [theme for theme in Theme if theme not in LEGACY_THEMES]


class SousTheme(models.TextChoices):
    ESPACE_SANTE = "espace_sante", "Mon espace santé"
    FOURNITURE = "fourniture", "Fourniture (impression, scanner)"
    ORDINATEUR = "ordinateur", "Ordinateur"
    TABLETTE = "tablette", "Tablette"
    TELEPHONE = "telephone", "Téléphone"
    PARENT = "parent", "Parent, proche"
    SOCIAL = "social", "Travailleur social"
    ENSEIGNANT = "enseignant", "Enseignant"


THEME_OF_SOUS_THEME = {
    SousTheme.ESPACE_SANTE: Theme.SANTE,
    SousTheme.FOURNITURE: Theme.TRAITEMENT_TEXTE,
    SousTheme.ORDINATEUR: Theme.EQUIPEMENT_INFORMATIQUE,
    SousTheme.TABLETTE: Theme.EQUIPEMENT_INFORMATIQUE,
    SousTheme.TELEPHONE: Theme.EQUIPEMENT_INFORMATIQUE,
    SousTheme.PARENT: Theme.ACCOMPAGNER_ENFANT,
    SousTheme.SOCIAL: Theme.ACCOMPAGNER_ENFANT,
    SousTheme.ENSEIGNANT: Theme.ACCOMPAGNER_ENFANT,
}


class Organisme(models.TextChoices):
    ANTS = "ANTS", "ANTS"
    ASSISTANTE_SOCIALE = "ASSISTANTE_SOCIALE", "Assistante sociale"
    CAF = "CAF", "CAF"
    CARSAT = "CARSAT", "CARSAT"
    CCAS = "CCAS", "CCAS"
    CEFS = "CEFS", "CEFS"
    CIP = "CIP", "CIP"
    CPAM = "CPAM", "CPAM"
    DGFIP = "DGFIP", "DGFIP"
    FRANCE_SERVICES = "FRANCE_SERVICES", "France Services"
    MAIRIE = "MAIRIE", "Mairie"
    MEDIATHEQUE = "MEDIATHEQUE", "Médiathèque"
    MISSION_LOCALE = "MISSION_LOCALE", "Mission locale"
    FRANCE_TRAVAIL = "FRANCE_TRAVAIL", "France Travail (anciennement Pôle emploi)"
    PREFECTURE = "PREFECTURE", "Préfecture"
    SOUS_PREFECTURE = "SOUS_PREFECTURE", "Sous-préfecture"
    POLICE = "POLICE", "Service de police"
    GENDARMERIE = "GENDARMERIE", "Gendarmerie"
    REVENDEUR = "REVENDEUR", "Revendeur informatique"
    TIERS_LIEU = "TIERS_LIEU", "Tiers-lieu / Fablab"
    AUTRE = "AUTRE", "Autre"


AGES = [
    ("age_moins_12", "Moins de 12 ans"),
    ("age_12_18", "12-18 ans"),
    ("age_18_35", "18-35 ans"),
    ("age_35_60", "35-60 ans"),
    ("age_plus_60", "Plus de 60 ans"),
]
STATUTS = [
    ("statut_etudiant", "Scolarisé(e)"),
    ("statut_sans_emploi", "Sans emploi"),
    ("statut_en_emploi", "En emploi"),
    ("statut_retraite", "Retraité(e)"),
    ("statut_heterogene", "Non renseigné / hétérogène"),
]
