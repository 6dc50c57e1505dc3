"""Stored encodings are pinned (SPEC §11: stored data never moves): the column of each sum key in the three
aggregate tables (generated from stats.sums.FIXED_KEYS) and the stored value of each enumeration, written
here by hand. Renaming or removing one fails here; a new one must be added below, at its own name."""

import importlib

import pytest
from django.db import models

from accounts.enums import RoleKind
from conseillers.enums import MotifRupture, StatutConseiller, TypeAcces, TypeContrat
from cra.enums import Activite, Canal, Duree, Organisme, Source, SousTheme, Theme
from ressourcerie.enums import Categorie
from stats.models import COLUMNS, AgregatDepartementJour, AgregatDepartementMois, AgregatJour
from structures.enums import Maille, StatutStructure, TypeStructure

STORED_COLUMNS = {
    "cra": "cra",
    "activite:individuel": "activite_individuel",
    "activite:collectif": "activite_collectif",
    "activite:ponctuel": "activite_ponctuel",
    "participants_ateliers": "participants_ateliers",
    "recurrents": "recurrents",
    "suivi_individuel": "suivi_individuel",
    "suivi_atelier": "suivi_atelier",
    "redirections": "redirections",
    "age_moins_12": "age_moins_12",
    "age_12_18": "age_12_18",
    "age_18_35": "age_18_35",
    "age_35_60": "age_35_60",
    "age_plus_60": "age_plus_60",
    "statut_etudiant": "statut_etudiant",
    "statut_sans_emploi": "statut_sans_emploi",
    "statut_en_emploi": "statut_en_emploi",
    "statut_retraite": "statut_retraite",
    "statut_heterogene": "statut_heterogene",
    "theme:diagnostic": "theme_diagnostic",
    "theme:equipement_informatique": "theme_equipement_informatique",
    "theme:budget": "theme_budget",
    "theme:vocabulaire": "theme_vocabulaire",
    "theme:internet": "theme_internet",
    "theme:trouver_emploi": "theme_trouver_emploi",
    "theme:courriel": "theme_courriel",
    "theme:echanger": "theme_echanger",
    "theme:tpe_pme": "theme_tpe_pme",
    "theme:securite": "theme_securite",
    "theme:contenus_numeriques": "theme_contenus_numeriques",
    "theme:accompagner_enfant": "theme_accompagner_enfant",
    "theme:fraude_harcelement": "theme_fraude_harcelement",
    "theme:traitement_texte": "theme_traitement_texte",
    "theme:scolaire": "theme_scolaire",
    "theme:sante": "theme_sante",
    "theme:demarche_en_ligne": "theme_demarche_en_ligne",
    "theme:smartphone": "theme_smartphone",
    "theme:autre": "theme_autre",
    "sous_theme:espace_sante": "sous_theme_espace_sante",
    "sous_theme:fourniture": "sous_theme_fourniture",
    "sous_theme:ordinateur": "sous_theme_ordinateur",
    "sous_theme:tablette": "sous_theme_tablette",
    "sous_theme:telephone": "sous_theme_telephone",
    "sous_theme:parent": "sous_theme_parent",
    "sous_theme:social": "sous_theme_social",
    "sous_theme:enseignant": "sous_theme_enseignant",
    "canal:rattachement": "canal_rattachement",
    "canal:autre_lieu": "canal_autre_lieu",
    "canal:distance": "canal_distance",
    "canal:domicile": "canal_domicile",
    "duree:0-30": "duree_0_30",
    "duree:30-60": "duree_30_60",
    "duree:60-120": "duree_60_120",
    "duree:120+": "duree_120_plus",
    "minutes:individuel": "minutes_individuel",
    "minutes:collectif": "minutes_collectif",
    "minutes:ponctuel": "minutes_ponctuel",
    "organisme:ANTS": "organisme_ants",
    "organisme:ASSISTANTE_SOCIALE": "organisme_assistante_sociale",
    "organisme:CAF": "organisme_caf",
    "organisme:CARSAT": "organisme_carsat",
    "organisme:CCAS": "organisme_ccas",
    "organisme:CEFS": "organisme_cefs",
    "organisme:CIP": "organisme_cip",
    "organisme:CPAM": "organisme_cpam",
    "organisme:DGFIP": "organisme_dgfip",
    "organisme:FRANCE_SERVICES": "organisme_france_services",
    "organisme:MAIRIE": "organisme_mairie",
    "organisme:MEDIATHEQUE": "organisme_mediatheque",
    "organisme:MISSION_LOCALE": "organisme_mission_locale",
    "organisme:FRANCE_TRAVAIL": "organisme_france_travail",
    "organisme:PREFECTURE": "organisme_prefecture",
    "organisme:SOUS_PREFECTURE": "organisme_sous_prefecture",
    "organisme:POLICE": "organisme_police",
    "organisme:GENDARMERIE": "organisme_gendarmerie",
    "organisme:REVENDEUR": "organisme_revendeur",
    "organisme:TIERS_LIEU": "organisme_tiers_lieu",
    "organisme:AUTRE": "organisme_autre",
}
STORED_VALUES = {
    RoleKind: ("conseiller", "coordinateur", "structure", "prefet", "hub", "admin"),
    MotifRupture: (
        "DEMISSION",
        "LICENCIEMENT",
        "RUPTURE_CONVENTIONNELLE",
        "FIN_PERIODE_ESSAI",
        "NOUVEL_EMPLOI",
        "AUTRE",
    ),
    StatutConseiller: ("RECRUTE", "RUPTURE", "TERMINE"),
    TypeAcces: ("libre", "rdv", "prive"),
    TypeContrat: ("CDD", "CDI", "CONTRAT_PROJET", "PUBLIC"),
    Activite: ("individuel", "collectif", "ponctuel"),
    Canal: ("rattachement", "autre_lieu", "distance", "domicile"),
    Duree: ("0-30", "30-60", "60+"),
    Source: ("saisie", "coop_v1"),
    Organisme: (
        "ANTS",
        "ASSISTANTE_SOCIALE",
        "CAF",
        "CARSAT",
        "CCAS",
        "CEFS",
        "CIP",
        "CPAM",
        "DGFIP",
        "FRANCE_SERVICES",
        "MAIRIE",
        "MEDIATHEQUE",
        "MISSION_LOCALE",
        "FRANCE_TRAVAIL",
        "PREFECTURE",
        "SOUS_PREFECTURE",
        "POLICE",
        "GENDARMERIE",
        "REVENDEUR",
        "TIERS_LIEU",
        "AUTRE",
    ),
    SousTheme: (
        "espace_sante",
        "fourniture",
        "ordinateur",
        "tablette",
        "telephone",
        "parent",
        "social",
        "enseignant",
    ),
    Theme: (
        "diagnostic",
        "equipement_informatique",
        "budget",
        "vocabulaire",
        "internet",
        "trouver_emploi",
        "courriel",
        "echanger",
        "tpe_pme",
        "securite",
        "contenus_numeriques",
        "accompagner_enfant",
        "fraude_harcelement",
        "traitement_texte",
        "scolaire",
        "sante",
        "demarche_en_ligne",
        "smartphone",
        "autre",
    ),
    Categorie: (
        "production_cnfs",
        "courriel",
        "echanger",
        "emploi",
        "demarches_en_ligne",
        "bureautique",
        "mobile",
        "contenus_numeriques",
        "accompagner_enfant",
        "equipement_informatique",
        "fiches_cnil",
        "espace_conseiller",
    ),
    Maille: ("departement", "region", "hub"),
    StatutStructure: ("CREEE", "VALIDATION_COSELEC", "REFUS_COSELEC", "ABANDON", "ANNULEE"),
    TypeStructure: ("PRIVATE", "COMMUNE", "EPCI", "DEPARTEMENT", "REGION", "COLLECTIVITE", "GIP"),
}


def test_the_aggregate_columns_never_move():
    # A key may be added with a new column (add it above too); none already stored may change or go.
    assert {key: column for key, column in COLUMNS.items() if key in STORED_COLUMNS} == STORED_COLUMNS
    assert set(COLUMNS) == set(STORED_COLUMNS), "ajoutez la colonne de la nouvelle clé à STORED_COLUMNS"


@pytest.mark.parametrize("model", [AgregatJour, AgregatDepartementJour, AgregatDepartementMois])
def test_every_aggregate_table_has_every_stored_column(model):
    fields = {field.column for field in model._meta.get_fields() if isinstance(field, models.IntegerField)}
    assert set(STORED_COLUMNS.values()) <= fields


@pytest.mark.parametrize("enumeration", STORED_VALUES, ids=lambda enumeration: enumeration.__name__)
def test_the_stored_values_never_move(enumeration):
    values = [member.value for member in enumeration]
    assert set(STORED_VALUES[enumeration]) <= set(values), "une valeur enregistrée a changé ou disparu"
    assert len(values) == len(STORED_VALUES[enumeration]), "ajoutez la nouvelle valeur à STORED_VALUES"


def test_every_enumeration_is_pinned():
    enums_modules = [
        "accounts.enums",
        "conseillers.enums",
        "cra.enums",
        "ressourcerie.enums",
        "structures.enums",
    ]
    declared = {
        value
        for module in map(importlib.import_module, enums_modules)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, models.Choices)
        and value.__module__ == module.__name__
    }
    assert declared == set(STORED_VALUES)
