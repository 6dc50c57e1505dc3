import datetime

from cra.rules import CraContext, Emploi, Lieu

STRUCTURE_ID = 7
LIEU_ID = 3
LIEU = Lieu(code_postal="69100", code_commune="69266", nom_commune="Villeurbanne")


def cra_data(**overrides) -> dict:
    """A valid individual CRA, as the form gives it once typed; override what the test is about."""
    data = {
        "date_accompagnement": datetime.date(2025, 3, 12),
        "canal": "rattachement",
        "permanence": LIEU_ID,
        "code_postal": "",
        "code_commune": "",
        "nom_commune": "",
        "activite": "individuel",
        "nb_participants": 1,
        "nb_participants_recurrents": 0,
        "age_moins_12": 0,
        "age_12_18": 0,
        "age_18_35": 0,
        "age_35_60": 1,
        "age_plus_60": 0,
        "statut_etudiant": 0,
        "statut_sans_emploi": 0,
        "statut_en_emploi": 1,
        "statut_retraite": 0,
        "statut_heterogene": 0,
        "themes": ["courriel"],
        "sous_themes": [],
        "annotation": "",
        "duree": "30-60",
        "duree_minutes": None,
        "suivi_individuel": 0,
        "suivi_atelier": 0,
        "redirections": [],
    }
    data.update(overrides)
    return data


def collectif_data(participants=5, **overrides) -> dict:
    """A valid workshop of `participants` people, all aged 60+ and retired."""
    values = {
        "activite": "collectif",
        "nb_participants": participants,
        "age_35_60": 0,
        "age_plus_60": participants,
        "statut_en_emploi": 0,
        "statut_retraite": participants,
    }
    return cra_data(**{**values, **overrides})


def context(**overrides) -> CraContext:
    """A conseiller employed by structure 7 since 2023 and working at lieu 3, on 2025-06-30."""
    values = {
        "emplois": [Emploi(structure_id=STRUCTURE_ID, debut=datetime.date(2023, 1, 1), fin=None)],
        "lieux": {LIEU_ID: LIEU},
        "communes_par_code_postal": None,
        "today": datetime.date(2025, 6, 30),
    }
    values.update(overrides)
    return CraContext(**values)
