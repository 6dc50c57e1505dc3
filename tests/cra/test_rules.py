"""Every rule of SPEC §4.1, with its French message (no database: the rules are pure)."""

import datetime

import pytest

from cra.rules import Emploi, check_cra
from structures.communes import departement_of_commune
from tests.cra.factories import LIEU_ID, STRUCTURE_ID, collectif_data, context, cra_data


def errors_of(data, ctx=None):
    return check_cra(data, ctx or context()).errors


def test_valid_individual_cra_takes_its_place_from_the_lieu():
    check = check_cra(cra_data(code_postal="75001", code_commune="75101", nom_commune="Paris"), context())

    assert check.is_valid, check.errors
    assert check.values["structure_id"] == STRUCTURE_ID
    assert check.values["permanence_id"] == LIEU_ID
    assert (check.values["code_postal"], check.values["code_commune"]) == ("69100", "69266")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, "Indiquez la date de l'accompagnement."),
        (datetime.date(2025, 7, 1), "ne peut pas être dans le futur"),
        (datetime.date(2020, 11, 16), "ne peut pas précéder le 17/11/2020"),
        (datetime.date(2022, 12, 31), "aucune structure le 31/12/2022"),
    ],
)
def test_date_rules(day, message):
    assert message in " ".join(errors_of(cra_data(date_accompagnement=day))["date_accompagnement"])


def test_today_and_launch_day_are_accepted():
    ctx = context(emplois=[Emploi(structure_id=1, debut=datetime.date(2020, 1, 1), fin=None)])

    assert check_cra(cra_data(date_accompagnement=datetime.date(2025, 6, 30)), ctx).is_valid
    assert check_cra(cra_data(date_accompagnement=datetime.date(2020, 11, 17)), ctx).is_valid


def test_structure_is_the_employer_on_the_day():
    ctx = context(
        emplois=[
            Emploi(structure_id=1, debut=datetime.date(2023, 1, 1), fin=datetime.date(2024, 2, 29)),
            Emploi(structure_id=2, debut=datetime.date(2024, 3, 1), fin=None),
        ]
    )

    assert (
        check_cra(cra_data(date_accompagnement=datetime.date(2024, 2, 29)), ctx).values["structure_id"] == 1
    )
    assert check_cra(cra_data(date_accompagnement=datetime.date(2024, 3, 1)), ctx).values["structure_id"] == 2


@pytest.mark.parametrize(
    ("canal", "message"), [("", "Choisissez le canal"), ("teleportation", "Ce canal n'existe pas.")]
)
def test_canal_rules(canal, message):
    assert errors_of(cra_data(canal=canal))["canal"] == [
        message if canal else "Choisissez le canal de l'accompagnement."
    ]


def test_lieu_is_required_for_the_lieu_d_activite():
    assert errors_of(cra_data(permanence=None))["permanence"] == ["Choisissez votre lieu d'activité."]


def test_someone_elses_lieu_is_refused():
    assert errors_of(cra_data(permanence=999))["permanence"] == [
        "Ce lieu d'activité ne fait pas partie des vôtres."
    ]


@pytest.mark.parametrize(
    ("code_postal", "code_commune", "field", "message"),
    [
        ("", "", "code_postal", "Indiquez le code postal."),
        ("6910", "69266", "code_postal", "Indiquez un code postal de 5 chiffres."),
        ("69 100", "69266", "code_postal", "Indiquez un code postal de 5 chiffres."),
        ("69100", "", "code_commune", "Choisissez la commune."),
        ("69100", "XX266", "code_commune", "Choisissez la commune."),
        ("69100", "01053", "code_commune", "Cette commune ne correspond pas au code postal 69100."),
    ],
)
def test_commune_rules_without_referentiel(code_postal, code_commune, field, message):
    data = cra_data(
        canal="autre_lieu",
        permanence=None,
        code_postal=code_postal,
        code_commune=code_commune,
        nom_commune="Villeurbanne",
    )

    assert errors_of(data)[field] == [message]


def test_corsican_and_overseas_communes():
    for code_postal, code_commune in (("20000", "2A004"), ("20200", "2B033"), ("97400", "97411")):
        data = cra_data(
            canal="domicile",
            permanence=None,
            code_postal=code_postal,
            code_commune=code_commune,
            nom_commune="Commune",
        )
        assert check_cra(data, context()).is_valid
    assert departement_of_commune("97411") == "974"
    assert departement_of_commune("2A004") == "2A"


def test_commune_must_belong_to_the_postal_code_in_the_referentiel():
    referentiel = {"69100": {"69266": "Villeurbanne"}, "69001": {"69381": "Lyon 1er Arrondissement"}}
    ctx = context(communes_par_code_postal=referentiel)
    data = cra_data(
        canal="autre_lieu", permanence=None, code_postal="69100", code_commune="69381", nom_commune="Lyon"
    )

    assert errors_of(data, ctx)["code_commune"] == ["Cette commune ne correspond pas au code postal 69100."]
    # The name stored is the référentiel's, whatever was typed.
    good = check_cra({**data, "code_commune": "69266", "nom_commune": "<b>x</b>"}, ctx)
    assert good.values["nom_commune"] == "Villeurbanne"


def test_at_a_distance_the_place_defaults_to_the_lieu():
    check = check_cra(cra_data(canal="distance"), context())

    assert check.is_valid
    assert check.values["code_commune"] == "69266"


def test_at_a_distance_the_persons_commune_can_be_given():
    data = cra_data(
        canal="distance",
        permanence=None,
        code_postal="01000",
        code_commune="01053",
        nom_commune="Bourg-en-Bresse",
    )

    assert check_cra(data, context()).values["code_commune"] == "01053"


@pytest.mark.parametrize(
    ("activite", "message"),
    [("", "Choisissez le type d'activité."), ("conference", "Ce type d'activité n'existe pas.")],
)
def test_activite_rules(activite, message):
    assert errors_of(cra_data(activite=activite))["activite"] == [message]


@pytest.mark.parametrize("activite", ["individuel", "ponctuel"])
def test_individual_sessions_concern_one_person_whatever_is_sent(activite):
    check = check_cra(cra_data(activite=activite, nb_participants=40), context())

    assert check.is_valid
    assert check.values["nb_participants"] == 1


@pytest.mark.parametrize("participants", [0, 101, -3, None, 10**12, True])
def test_workshop_counts_1_to_100_participants(participants):
    errors = errors_of(collectif_data(participants=5, nb_participants=participants))

    assert errors["nb_participants"] == ["Un atelier collectif compte de 1 à 100 participants."]


def test_workshop_of_100_is_accepted():
    assert check_cra(collectif_data(participants=100), context()).is_valid


def test_recurrents_cannot_exceed_participants():
    errors = errors_of(collectif_data(participants=5, nb_participants_recurrents=6))

    assert errors["nb_participants_recurrents"] == [
        "Les personnes déjà accompagnées (6) ne peuvent pas dépasser le nombre de participants (5)."
    ]


def test_ages_must_add_up_to_participants():
    errors = errors_of(collectif_data(participants=5, age_plus_60=4))

    assert errors["ages"] == [
        "La somme des tranches d'âge (4) doit être égale au nombre de participants (5)."
    ]


def test_statuts_must_add_up_to_participants():
    errors = errors_of(collectif_data(participants=5, statut_retraite=6))

    assert errors["statuts"] == ["La somme des statuts (6) doit être égale au nombre de participants (5)."]


@pytest.mark.parametrize("value", [-1, "3", 2.5, 10**9])
def test_counts_must_be_reasonable_non_negative_integers(value):
    errors = errors_of(cra_data(age_12_18=value))

    assert errors["age_12_18"][0].startswith("12-18 ans : ")


def test_at_least_one_theme():
    assert errors_of(cra_data(themes=[]))["themes"] == ["Choisissez au moins un thème."]


def test_theme_rules():
    assert (
        "Un thème ne peut être choisi qu'une fois."
        in errors_of(cra_data(themes=["budget", "budget"]))["themes"]
    )
    assert errors_of(cra_data(themes=["astrologie"]))["themes"] == ["Ce thème n'existe pas."]
    assert errors_of(cra_data(themes=["smartphone"]))["themes"] == [
        "Ce thème n'est plus proposé : choisissez un thème de la liste."
    ]


def test_legacy_themes_are_accepted_for_imports_only():
    assert check_cra(cra_data(themes=["smartphone", "autre"]), context(legacy_themes_allowed=True)).is_valid


def test_sub_theme_requires_its_theme():
    errors = errors_of(cra_data(themes=["courriel"], sous_themes=["espace_sante"]))

    assert errors["sous_themes"] == ["Le sous-thème « Mon espace santé » demande le thème « Santé »."]
    assert check_cra(cra_data(themes=["sante"], sous_themes=["espace_sante"]), context()).is_valid
    assert errors_of(cra_data(sous_themes=["inconnu"]))["sous_themes"] == ["Ce sous-thème n'existe pas."]


def test_annotation_is_trimmed_and_3_to_35_characters():
    assert check_cra(cra_data(annotation="  abc  "), context()).values["annotation"] == "abc"
    assert errors_of(cra_data(annotation="ab"))["annotation"] == [
        "L'annotation compte de 3 à 35 caractères (ici 2)."
    ]
    assert "annotation" in errors_of(cra_data(annotation="x" * 36))


def test_annotation_keeps_html_and_formulas_as_typed():
    for text in ("<script>alert(1)</script>", '=HYPERLINK("x")'):
        assert check_cra(cra_data(annotation=text), context()).values["annotation"] == text


@pytest.mark.parametrize(
    ("duree", "message"),
    [("", "Choisissez la durée de l'accompagnement."), ("2h", "Cette durée n'existe pas.")],
)
def test_duree_rules(duree, message):
    assert errors_of(cra_data(duree=duree))["duree"] == [message]


@pytest.mark.parametrize("minutes", [None, 45, 61, 495, 90.0])
def test_exact_minutes_for_one_hour_or_more(minutes):
    assert errors_of(cra_data(duree="60+", duree_minutes=minutes))["duree_minutes"] == [
        "Indiquez la durée exacte, de 1 h à 8 h par tranches de 15 minutes."
    ]


def test_minutes_are_ignored_under_one_hour():
    assert check_cra(cra_data(duree="0-30", duree_minutes=999), context()).values["duree_minutes"] is None
    assert check_cra(cra_data(duree="60+", duree_minutes=480), context()).values["duree_minutes"] == 480


def test_follow_ups_cannot_exceed_participants():
    data = collectif_data(
        participants=5,
        suivi_individuel=2,
        suivi_atelier=2,
        redirections=[{"organisme": "CAF", "nombre": 2}],
    )

    assert errors_of(data)["suivi"] == [
        "Les poursuites et redirections (6) ne peuvent pas dépasser le nombre de participants (5)."
    ]


def test_redirections_are_counted():
    data = collectif_data(
        participants=5,
        redirections=[
            {"organisme": "CAF", "nombre": 2},
            {"organisme": "AUTRE", "nom_autre": " Croix-Rouge ", "nombre": 1},
        ],
    )
    check = check_cra(data, context())

    assert check.is_valid
    assert check.values["nb_redirections"] == 3
    assert check.values["redirections"][1] == {"organisme": "AUTRE", "nom_autre": "Croix-Rouge", "nombre": 1}


@pytest.mark.parametrize(
    ("redirection", "message"),
    [
        ({"organisme": "NASA", "nombre": 1}, "Cet organisme de redirection n'existe pas."),
        ({"organisme": "AUTRE", "nom_autre": "  ", "nombre": 1}, "Précisez le nom de l'autre organisme."),
        ({"organisme": "CAF", "nombre": 0}, "Redirection 1 : indiquez un nombre de personnes d'au moins 1."),
    ],
)
def test_redirection_rules(redirection, message):
    assert errors_of(collectif_data(redirections=[redirection]))["redirections"] == [message]


def test_same_organisme_twice_is_refused():
    data = collectif_data(redirections=[{"organisme": "CAF", "nombre": 1}, {"organisme": "CAF", "nombre": 1}])

    assert errors_of(data)["redirections"] == [
        "Chaque organisme ne peut figurer qu'une fois dans les redirections."
    ]


REFERENTIEL_BOURG = {
    "01000": {"01053": "Bourg-en-Bresse", "01344": "Saint-Denis-lès-Bourg"},
    "69100": {"69266": "Villeurbanne"},
}


def commune_errors(code_postal, code_commune=""):
    data = cra_data(
        canal="domicile", permanence=None, code_postal=code_postal, code_commune=code_commune, nom_commune=""
    )
    return check_cra(data, context(communes_par_code_postal=REFERENTIEL_BOURG))


def test_with_the_referentiel_a_postal_code_of_one_commune_is_enough():
    check = commune_errors("69100")

    assert check.is_valid
    assert (check.values["code_commune"], check.values["nom_commune"]) == ("69266", "Villeurbanne")


def test_with_the_referentiel_the_commune_is_chosen_among_the_postal_codes():
    assert commune_errors("01000").errors["code_commune"] == [
        "Choisissez la commune parmi celles du code postal : Bourg-en-Bresse, Saint-Denis-lès-Bourg."
    ]
    assert commune_errors("01000", "01344").values["nom_commune"] == "Saint-Denis-lès-Bourg"
    assert commune_errors("01999", "01053").errors["code_postal"] == [
        "Le code postal 01999 ne correspond à aucune commune."
    ]
