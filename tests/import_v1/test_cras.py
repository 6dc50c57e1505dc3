"""The mapping of SPEC §15 for CRAs, rule by rule, on hand-written documents of each shape: the expected
stored row is written out. Pure functions (no database), on documents decoded as the reader decodes them."""

import datetime

import pytest

from cnfs.import_v1.cras import ANOMALIES, COLUMNS, CraContexte, cra_row, duree_of
from cnfs.import_v1.reader import Unreadable, decode
from cra.models import SOUS_THEME_BITS, THEME_BITS
from tests.import_v1 import export as e

UTC = datetime.UTC
CONSEILLER_PK, STRUCTURE_PK, AUTRE_STRUCTURE_PK, PERMANENCE_PK = 11, 21, 22, 31


def contexte(**overrides) -> CraContexte:
    """Conseiller 11 employed by structure 21 from 2021-03-01 to 2022-12-31, then by 22."""
    values = {
        "conseillers": {e.sid(e.CONSEILLER): CONSEILLER_PK},
        "structures": {e.sid(e.STRUCTURE): STRUCTURE_PK, e.sid(e.STRUCTURE_2): AUTRE_STRUCTURE_PK},
        "permanences": {e.sid(e.PERMANENCE): PERMANENCE_PK},
        "emplois": {
            CONSEILLER_PK: [
                (STRUCTURE_PK, datetime.date(2021, 3, 1), datetime.date(2022, 12, 31)),
                (AUTRE_STRUCTURE_PK, datetime.date(2023, 1, 1), None),
            ]
        },
        "current_structure": {CONSEILLER_PK: AUTRE_STRUCTURE_PK},
        **overrides,
    }
    return CraContexte(**values)


def mapped(document: dict, deleted_at=None, **context) -> tuple[dict, list]:
    row, redirections = cra_row(decode(document), contexte(**context), deleted_at)
    return dict(zip(COLUMNS, row, strict=True)), redirections


def themes(*keys) -> int:
    return sum(THEME_BITS[key] for key in keys)


def test_a_v1_cra_maps_field_by_field():
    row, redirections = mapped(e.cra_v1(1))

    assert row == {
        "source_id": e.sid(1),
        "conseiller_id": CONSEILLER_PK,
        # No structure DBRef before Nov 2022: the employer on that date.
        "structure_id": STRUCTURE_PK,
        # 2021-06-14 22:30 UTC is the 15th in Paris.
        "date_accompagnement": datetime.date(2021, 6, 15),
        "canal": "domicile",
        "permanence_id": None,
        "code_postal": "69001",
        "code_commune": "69381",
        "nom_commune": "Lyon",
        "activite": "individuel",
        "nb_participants": 1,  # null in V1 for an individual accompaniment
        "nb_participants_recurrents": 0,
        "age_moins_12": 0,
        "age_12_18": 0,
        "age_18_35": 0,
        "age_35_60": 1,  # the single bucket "35-60"
        "age_plus_60": 0,
        "statut_etudiant": 0,
        "statut_sans_emploi": 0,
        "statut_en_emploi": 0,
        "statut_retraite": 1,
        "statut_heterogene": 0,
        "suivi_individuel": 1,  # the suite string "individuel": that count = nbParticipants
        "suivi_atelier": 0,
        "nb_redirections": 0,
        "themes": themes("courriel", "tpe_pme"),
        "sous_themes": 0,
        "annotation": "",
        "duree": "0-30",
        "duree_minutes": None,
        "source": "coop_v1",
        "anomalies": [],
        "created_at": datetime.datetime(2021, 6, 15, 8, tzinfo=UTC),
        "updated_at": datetime.datetime(2021, 6, 15, 8, tzinfo=UTC),
        "deleted_at": None,
    }
    assert redirections == []


def test_a_v2_cra_keeps_its_counts_and_its_one_organisme():
    row, redirections = mapped(e.cra_v2(2))

    assert {name: row[name] for name in COLUMNS[2:]} == {
        "structure_id": STRUCTURE_PK,
        "date_accompagnement": datetime.date(2022, 5, 2),
        "canal": "rattachement",
        "permanence_id": PERMANENCE_PK,
        "code_postal": "69003",
        "code_commune": "69383",
        "nom_commune": "Lyon",
        "activite": "collectif",
        "nb_participants": 4,
        "nb_participants_recurrents": 1,
        "age_moins_12": 0,
        "age_12_18": 1,
        "age_18_35": 1,
        "age_35_60": 1,
        "age_plus_60": 1,
        "statut_etudiant": 1,
        "statut_sans_emploi": 1,
        "statut_en_emploi": 1,
        "statut_retraite": 1,
        "statut_heterogene": 0,
        "suivi_individuel": 1,
        "suivi_atelier": 0,
        "nb_redirections": 2,
        "themes": themes("equipement_informatique", "sante"),
        "sous_themes": SOUS_THEME_BITS["ordinateur"]
        + SOUS_THEME_BITS["tablette"]
        + SOUS_THEME_BITS["espace_sante"],
        "annotation": "",
        "duree": "60+",
        "duree_minutes": 90,
        "source": "coop_v1",
        "anomalies": [],
        "created_at": datetime.datetime(2022, 5, 2, 12, tzinfo=UTC),
        "updated_at": datetime.datetime(2022, 5, 3, 12, tzinfo=UTC),
        "deleted_at": None,
    }
    # "Pôle emploi" is France Travail, with the `redirection` count.
    assert redirections == [("FRANCE_TRAVAIL", "", 2)]


def test_a_v2_organisme_without_a_count_is_one_redirection():
    document = e.cra_v2(
        2, accompagnement={"individuel": 0, "atelier": 0, "redirection": None}, organisme="CAF"
    )

    row, redirections = mapped(document)

    assert redirections == [("CAF", "", 1)]
    assert row["nb_redirections"] == 1


def test_a_v3_cra_takes_its_structure_organismes_and_annotation():
    document = e.cra_v3(
        3,
        organismes=[{"CAF": 1}, {"Maison du droit": 1}, {"caf": 2}],
        accompagnement={"individuel": 0, "atelier": 0, "redirection": 4},
    )
    document["structure"] = e.ref("structures", e.STRUCTURE_2)

    row, redirections = mapped(document)

    assert row["structure_id"] == AUTRE_STRUCTURE_PK  # the DBRef
    assert row["annotation"] == "Atelier seniors"
    assert row["nb_redirections"] == 4
    # The same organisme twice is added up; a name outside §4.2's list is "Autre" with its free name.
    assert sorted(redirections) == [("AUTRE", "Maison du droit", 1), ("CAF", "", 3)]
    assert row["anomalies"] == []


@pytest.mark.parametrize(
    ("canal", "expected"),
    [
        ("autre", "autre_lieu"),
        ("autre lieu", "autre_lieu"),
        ("distance", "distance"),
        ("Domicile", "domicile"),
    ],
)
def test_canal(canal, expected):
    assert mapped(e.cra_v1(1, canal=canal))[0]["canal"] == expected


@pytest.mark.parametrize(
    ("duree", "expected"),
    [
        ("0-30", ("0-30", None)),
        ("30-60", ("30-60", None)),
        ("60", ("60+", 60)),
        (60, ("60+", 60)),
        ("90", ("60+", 90)),
        (150, ("60+", 150)),
        ({"$numberLong": "120"}, ("60+", 120)),
        (1, ("0-30", None)),
        (30, ("0-30", None)),
        (31, ("30-60", None)),
        (59, ("30-60", None)),
        (45.0, ("30-60", None)),
    ],
)
def test_duree(duree, expected):
    row = mapped(e.cra_v1(1, duree=duree))[0]
    assert (row["duree"], row["duree_minutes"]) == expected


@pytest.mark.parametrize("duree", [0, -5, "deux heures", None, 12.5, True])
def test_an_unknown_duree_is_unreadable(duree):
    with pytest.raises(Unreadable, match="durée inconnue"):
        duree_of(decode(duree))


@pytest.mark.parametrize(
    ("age", "column"),
    [("-12", "age_moins_12"), ("12-18", "age_12_18"), ("18-35", "age_18_35"), ("+60", "age_plus_60")],
)
def test_v1_age_bucket_takes_every_participant(age, column):
    row = mapped(e.cra_v1(1, activite="collectif", nbParticipants=3, age=age, statut="heterogene"))[0]
    assert row[column] == 3 and row["statut_heterogene"] == 3
    assert row["anomalies"] == []


@pytest.mark.parametrize(
    ("statut", "column"),
    [
        ("etudiant", "statut_etudiant"),
        ("sans emploi", "statut_sans_emploi"),
        ("en emploi", "statut_en_emploi"),
    ],
)
def test_v1_statut_bucket(statut, column):
    assert mapped(e.cra_v1(1, statut=statut))[0][column] == 1


@pytest.mark.parametrize(
    ("suite", "column"), [("atelier", "suivi_atelier"), ("redirection", "nb_redirections")]
)
def test_v1_suite_string_counts_every_participant(suite, column):
    row, redirections = mapped(
        e.cra_v1(
            1, activite="collectif", nbParticipants=5, age="-12", statut="retraite", accompagnement=suite
        )
    )
    assert row[column] == 5
    assert redirections == []


def test_themes_of_v1_words_and_legacy_themes():
    words = ["equipement informatique", "fraude et harcelement", "demarche en ligne", "smartphone", "autre"]

    row = mapped(e.cra_v1(1, themes=words))[0]

    assert row["themes"] == themes(
        "equipement_informatique", "fraude_harcelement", "demarche_en_ligne", "smartphone", "autre"
    )
    assert row["anomalies"] == []


def test_a_v1_cra_without_date_takes_the_paris_date_of_its_creation():
    document = e.cra_v1(1, dateAccompagnement=None)
    document["createdAt"] = e.date("2021-12-31T23:30:00Z")

    assert mapped(document)[0]["date_accompagnement"] == datetime.date(2022, 1, 1)


def test_canonical_extended_json_reads_like_relaxed():
    document = e.cra_v2(2, nbParticipants={"$numberInt": "4"}, duree={"$numberDouble": "90.0"})
    document["cra"]["dateAccompagnement"] = {
        "$date": {"$numberLong": "1651485600000"}
    }  # 2022-05-02 10:00 UTC

    assert mapped(document) == mapped(e.cra_v2(2))


def test_a_deleted_cra_keeps_its_deletion_date():
    deleted_at = datetime.datetime(2024, 4, 1, 10, tzinfo=UTC)
    assert mapped(e.cra_v3(4), deleted_at=deleted_at)[0]["deleted_at"] == deleted_at


def test_structure_employer_on_the_date_after_a_move():
    document = e.cra_v1(1, dateAccompagnement=e.date("2023-02-01T10:00:00Z"))
    assert mapped(document)[0]["structure_id"] == AUTRE_STRUCTURE_PK


# --- Anomalies: what the first system recorded is kept, the departure named ------------------------------


@pytest.mark.parametrize(
    ("cra", "anomalies"),
    [
        ({"age": {"moins12ans": 1}}, ["somme_ages"]),
        ({"statut": {"etudiant": 9}}, ["somme_statuts"]),
        ({"nbParticipantsRecurrents": 5}, ["recurrents_superieurs"]),
        (
            {"accompagnement": {"individuel": 3, "atelier": 2, "redirection": 0}, "organisme": None},
            ["suivis_superieurs"],
        ),
        ({"duree": 70}, ["duree_hors_grille"]),
        ({"duree": 600}, ["duree_hors_grille"]),
        (
            {"nbParticipants": 120, "age": {"plus60ans": 120}, "statut": {"retraite": 120}},
            ["participants_hors_limites"],
        ),
        ({"themes": []}, ["sans_theme", "sous_theme_sans_theme"]),
        ({"themes": ["sante", "equipement informatique", "jardinage"]}, ["theme_inconnu"]),
        ({"sousThemes": [{"sante": ["espace-sante", "vaccins"]}]}, ["sous_theme_inconnu"]),
        ({"themes": ["courriel"], "sousThemes": [{"sante": ["espace-sante"]}]}, ["sous_theme_sans_theme"]),
        ({"sousThemes": [{"annotation": ["x" * 40]}]}, ["annotation_tronquee"]),
        ({"codePostal": "6900"}, ["code_postal_illisible"]),
        ({"codeCommune": None}, ["commune_inconnue"]),
    ],
)
def test_anomalies_are_named_and_the_values_kept(cra, anomalies):
    row, _redirections = mapped(e.cra_v2(2, **cra))

    assert row["anomalies"] == anomalies
    assert set(anomalies) <= set(ANOMALIES)


def test_an_anomaly_keeps_the_recorded_values():
    row = mapped(e.cra_v2(2, nbParticipantsRecurrents=5, age={"moins12ans": 1}, duree=70))[0]

    assert (row["nb_participants"], row["nb_participants_recurrents"]) == (4, 5)
    assert [row[f"age_{b}"] for b in ("moins_12", "12_18", "18_35", "35_60", "plus_60")] == [1, 0, 0, 0, 0]
    assert (row["duree"], row["duree_minutes"]) == ("60+", 70)
    assert row["anomalies"] == ["duree_hors_grille", "recurrents_superieurs", "somme_ages"]


def test_organismes_that_do_not_add_up_to_the_redirections():
    document = e.cra_v3(
        3, organismes=[{"CAF": 1}], accompagnement={"individuel": 0, "atelier": 0, "redirection": 3}
    )

    row, redirections = mapped(document)

    assert row["nb_redirections"] == 3 and redirections == [("CAF", "", 1)]
    assert row["anomalies"] == ["redirections_non_reparties"]


def test_unknown_references_are_named():
    document = e.cra_v3(3, dateAccompagnement=e.date("2022-06-01T10:00:00Z"))
    document["structure"] = e.ref("structures", 0x999)
    document["permanence"] = e.ref("permanences", 0x998)

    row = mapped(document)[0]

    assert row["structure_id"] == STRUCTURE_PK  # the employer on 2022-06-01
    assert row["permanence_id"] is None
    assert row["anomalies"] == ["lieu_inconnu", "structure_inconnue"]


def test_a_day_without_contract_takes_the_current_structure():
    document = e.cra_v1(1, dateAccompagnement=e.date("2021-01-10T10:00:00Z"))

    row = mapped(document)[0]

    assert row["structure_id"] == AUTRE_STRUCTURE_PK
    assert row["anomalies"] == ["structure_hors_contrat"]


def test_a_missing_commune_code_comes_from_the_referentiel_when_one_commune_has_that_name():
    referentiel = {
        "69003": {"69383": "Lyon 3e Arrondissement", "69999": "Lyon"},
        "01000": {"01053": "Bourg-en-Bresse"},
    }

    lyon = mapped(e.cra_v2(2, codeCommune=None, nomCommune="lyon"), referentiel=referentiel)[0]
    bourg = mapped(
        e.cra_v2(2, codeCommune=None, codePostal="01000", nomCommune="Bourg en Bresse"),
        referentiel=referentiel,
    )[0]

    assert (lyon["code_commune"], lyon["anomalies"]) == ("69999", [])
    assert (bourg["code_commune"], bourg["anomalies"]) == ("01053", [])


# --- Rejected: what cannot be read ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"conseiller": None}, "conseiller absent"),
        ({"conseiller": e.ref("conseillers", 0x777)}, "conseiller inconnu"),
        ({"cra": None}, "document sans objet cra"),
        ({"cra.canal": "téléphone"}, "canal inconnu : téléphone"),
        ({"cra.activite": None}, "type d'activité inconnu : absent"),
        ({"cra.duree": "longtemps"}, "durée inconnue : longtemps"),
        ({"cra.dateAccompagnement": None, "createdAt": None}, "date de l'accompagnement absente"),
        ({"cra.dateAccompagnement": e.date("2020-10-01T10:00:00Z")}, "avant le lancement"),
        ({"cra.nbParticipants": -2}, "nbParticipants hors limites"),
        ({"cra.nbParticipants": "beaucoup"}, "nbParticipants illisible"),
    ],
)
def test_unreadable_documents_are_rejected_with_their_reason(change, reason):
    document = e.cra_v1(1)
    for path, value in change.items():
        target = document["cra"] if path.startswith("cra.") else document
        target[path.removeprefix("cra.")] = value

    with pytest.raises(Unreadable, match=reason):
        mapped(document)


def test_a_conseiller_without_any_employer_cannot_be_placed():
    with pytest.raises(Unreadable, match="aucune structure"):
        mapped(e.cra_v1(1), emplois={}, current_structure={})
