"""The definitions of SPEC §5 on small hand-computed cases, and the traps of SPEC §11."""

import datetime
from decimal import Decimal

import pytest

from cra.enums import Organisme
from stats import definitions as d
from stats.request import StatsRequest, StatsScope
from stats.results import derive, pourcentage
from stats.selectors import statistiques
from tests.stats.factories import make_atelier, make_cra, recompute_once

JAN, FEB = datetime.date(2024, 1, 1), datetime.date(2024, 2, 29)


def stats_of(scope, du=JAN, au=FEB, **filters):
    return statistiques(StatsRequest(scope=scope, du=du, au=au, **filters), source="reference")


def rows(section) -> dict:
    return {row.key: (row.value, row.percent) for row in section}


# --- Percentages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "total", "expected"),
    [
        (49, 400, "12.3"),  # 12.25: half up, never floored nor banker's-rounded to 12.2
        (1, 8, "12.5"),
        (1, 6, "16.7"),  # 16.66…: rounded, not floored to 16.6
        (1, 2000, "0.1"),  # 0.05
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (7, 7, "100.0"),
        (0, 5, "0.0"),
        (3, 0, "0.0"),  # nothing to divide by
        (0, 0, "0.0"),
    ],
)
def test_percentages_have_one_decimal_rounded_half_up(value, total, expected):
    assert pourcentage(value, total) == Decimal(expected)
    assert str(pourcentage(value, total)) == expected


def test_percentages_come_from_the_sums_rounded_half_up():
    stats = derive({"cra": 400, "canal:distance": 49, "canal:domicile": 351}, du=JAN, au=JAN)
    assert rows(stats.canaux)["distance"] == (49, Decimal("12.3"))
    assert rows(stats.canaux)["domicile"] == (351, Decimal("87.8"))  # 87.75


def test_shares_of_three_equal_buckets_do_not_add_up_to_100():
    stats = derive({"age_moins_12": 1, "age_12_18": 1, "age_plus_60": 1}, du=JAN, au=JAN)
    assert [row.percent for row in stats.ages] == [Decimal("33.3"), Decimal("33.3"), 0, 0, Decimal("33.3")]


def test_an_empty_period_gives_zeros_everywhere():
    stats = derive({}, du=JAN, au=FEB)
    assert all(row.value == 0 for row in stats.chiffres.values())
    assert stats["taux_suivi"] == Decimal("0.0")
    assert all(row.percent == 0 for row in (*stats.themes, *stats.canaux, *stats.ages, *stats.statuts))
    assert stats.redirections_detail == ()
    assert [(row.key, row.value) for row in stats.evolution] == [("2024-01", 0), ("2024-02", 0)]


# --- Labels and order, defined once ---------------------------------------------------------------


def test_rows_follow_the_definitions_order_and_statistics_labels():
    stats = derive({"theme:smartphone": 1}, du=JAN, au=JAN)
    assert [row.key for row in stats.chiffres.values()] == [key for key, _label in d.KEY_FIGURES]
    assert [row.key for row in stats.themes] == [*d.THEMES_SHOWN, "smartphone"]
    labels = {row.key: row.label for row in stats.themes}
    assert labels["trouver_emploi"] == "Emploi et formation"
    assert labels["courriel"] == "Courriels"
    assert labels["tpe_pme"] == "Numérique et TPE/PME"
    assert labels["demarche_en_ligne"] == "Démarche en ligne"
    assert labels["diagnostic"] == "Diagnostic numérique"  # no statistics label: the form's
    assert labels["smartphone"] == "Applications smartphone"
    assert [(row.key, row.label) for row in stats.durees] == [
        ("0-30", "Moins de 30 minutes"),
        ("30-60", "30-60 minutes"),
        ("60-120", "60-120 minutes"),
        ("120+", "Plus de 120 minutes"),
    ]
    assert [row.label for row in stats.canaux] == [
        "Lieu d'activité",
        "Autre lieu",
        "À distance",
        "À domicile",
    ]
    assert stats.ages[0].label == "Moins de 12 ans"
    assert stats.statuts[-1].label == "Non renseigné / hétérogène"
    assert [section.title for section in stats.sections][0] == "Thèmes des accompagnements"


# --- Key figures ----------------------------------------------------------------------------------


def test_key_figures(world):
    alice = world.alice
    with recompute_once():
        make_cra(alice, nb_participants_recurrents=1, suivi_individuel=1)
        make_cra(alice, redirections=[(Organisme.CAF, 1)])
        make_cra(alice, activite="ponctuel")
        make_atelier(alice, participants=8, nb_participants_recurrents=3, suivi_atelier=2)
        make_atelier(alice, participants=4)

    stats = stats_of(StatsScope.conseiller(alice.pk))

    assert {key: row.value for key, row in stats.chiffres.items()} == {
        "cra": 5,
        "ateliers": 2,
        "participants_ateliers": 12,
        "individuels": 2,
        "ponctuels": 1,
        "accompagnements": 15,  # workshop participants, not workshops: 12 + 2 + 1
        "recurrents": 4,
        "personnes": 11,  # accompagnements − récurrents
        "suivi_individuel": 1,
        "suivi_atelier": 2,
        "redirections": 1,
        "avec_suivi": 4,
        "taux_suivi": Decimal("26.7"),  # 4 × 100 / 15
    }
    assert stats["personnes"] == 11
    assert rows(stats.ages)["age_plus_60"] == (12, Decimal("80.0"))
    assert rows(stats.statuts)["statut_en_emploi"] == (3, Decimal("20.0"))


def test_durees_buckets_and_time_counted_once_per_workshop(world):
    alice = world.alice
    with recompute_once():
        make_cra(alice, duree="0-30")
        make_cra(alice, duree="30-60", activite="ponctuel")
        make_cra(alice, duree="60+", duree_minutes=60)
        make_cra(alice, duree="60+", duree_minutes=105)
        make_cra(alice, duree="60+", duree_minutes=120)
        make_atelier(alice, participants=10, duree="60+", duree_minutes=480)

    stats = stats_of(StatsScope.conseiller(alice.pk))

    assert {row.key: row.value for row in stats.durees} == {"0-30": 1, "30-60": 1, "60-120": 2, "120+": 2}
    # 30 + 60 + 105 + 120 for the individuals; the 10-person workshop counts its 480 minutes once.
    assert {row.key: row.value for row in stats.temps} == {
        "individuel": 315,
        "collectif": 480,
        "ponctuel": 60,
    }
    assert stats.temps_total == 855


def test_canaux_are_shares_of_the_cras(world):
    with recompute_once():
        for canal in ("rattachement", "rattachement", "distance"):
            make_cra(world.alice, canal=canal)
    stats = stats_of(StatsScope.conseiller(world.alice.pk))
    assert rows(stats.canaux) == {
        "rattachement": (2, Decimal("66.7")),
        "autre_lieu": (0, Decimal("0.0")),
        "distance": (1, Decimal("33.3")),
        "domicile": (0, Decimal("0.0")),
    }


# --- Themes ---------------------------------------------------------------------------------------


def test_a_multi_theme_cra_counts_once_per_theme_and_mon_espace_sante_is_not_counted_twice(world):
    make_cra(world.alice, themes=["sante", "courriel"], sous_themes=["espace_sante"])
    make_cra(world.alice, themes=["sante"])

    stats = stats_of(StatsScope.conseiller(world.alice.pk))

    themes = {row.key: row for row in stats.themes}
    # Denominator: 2 santé + 1 courriel = 3; the sub-row is not added to it.
    assert (themes["sante"].value, themes["sante"].percent) == (2, Decimal("66.7"))
    assert (themes["courriel"].value, themes["courriel"].percent) == (1, Decimal("33.3"))
    [espace_sante] = themes["sante"].children
    assert (espace_sante.key, espace_sante.label, espace_sante.value) == (
        "espace_sante",
        "Mon espace santé",
        1,
    )
    assert sum(row.value for row in stats.themes) == 3
    assert all(not row.children for key, row in themes.items() if key != "sante")


def test_legacy_themes_smartphone_only_when_positive_and_autre_never(world):
    make_cra(world.alice, themes=["autre"])
    make_cra(world.alice, themes=["courriel", "autre"])

    without_smartphone = stats_of(StatsScope.conseiller(world.alice.pk))
    keys = [row.key for row in without_smartphone.themes]
    assert "smartphone" not in keys and "autre" not in keys
    # "autre" is not in the denominator: the courriel CRA is 100 % of the themes shown.
    assert rows(without_smartphone.themes)["courriel"] == (1, Decimal("100.0"))

    make_cra(world.alice, themes=["smartphone", "autre"])
    with_smartphone = stats_of(StatsScope.conseiller(world.alice.pk))
    assert [row.key for row in with_smartphone.themes][-1] == "smartphone"
    assert rows(with_smartphone.themes)["smartphone"] == (1, Decimal("50.0"))
    assert rows(with_smartphone.themes)["courriel"] == (1, Decimal("50.0"))
    assert "autre" not in rows(with_smartphone.themes)


# --- Redirections ---------------------------------------------------------------------------------


def test_redirections_per_organisme_with_free_names_grouped_under_autres(world):
    make_cra(world.alice, nb_participants=1, redirections=[(Organisme.FRANCE_TRAVAIL, 1)])
    make_atelier(
        world.alice,
        participants=10,
        redirections=[
            (Organisme.CAF, 3),
            (Organisme.AUTRE, 2, "Banque alimentaire"),
            (Organisme.AUTRE, 1, "=cmd|' /C calc'!A0"),
        ],
    )

    stats = stats_of(StatsScope.conseiller(world.alice.pk))

    assert stats["redirections"] == 7
    assert [(row.key, row.label, row.value, row.percent) for row in stats.redirections_detail] == [
        ("CAF", "CAF", 3, Decimal("42.9")),
        ("FRANCE_TRAVAIL", "France Travail", 1, Decimal("14.3")),
        ("AUTRE", "Autres", 3, Decimal("42.9")),
    ]


# --- Scopes, deletion, period ---------------------------------------------------------------------


def test_a_conseiller_who_moved_counts_for_each_employer_for_his_time_there(world):
    denis = world.denis  # Villeurbanne until 2024-02-29, the association from 2024-03-01
    with recompute_once():
        make_cra(denis, structure=world.villeurbanne, date=datetime.date(2024, 2, 15))
        make_cra(denis, structure=world.lyon_asso, date=datetime.date(2024, 3, 10))
        make_cra(denis, structure=world.lyon_asso, date=datetime.date(2024, 3, 11))
    du, au = JAN, datetime.date(2024, 3, 31)

    assert stats_of(StatsScope.structure(world.villeurbanne.pk), du, au)["cra"] == 1
    assert stats_of(StatsScope.structure(world.lyon_asso.pk), du, au)["cra"] == 2
    assert stats_of(StatsScope.conseiller(denis.pk), du, au)["cra"] == 3
    assert stats_of(StatsScope.conseiller(denis.pk, structure_id=world.villeurbanne.pk), du, au)["cra"] == 1
    assert stats_of(StatsScope.departement("69"), du, au)["cra"] == 3


def test_a_deleted_cra_and_its_redirections_never_count(world):
    make_cra(world.alice, themes=["budget"])
    make_cra(world.alice, themes=["sante"], deleted=True, redirections=[(Organisme.CAF, 1)])

    stats = stats_of(StatsScope.national())

    assert stats["cra"] == 1
    assert stats["redirections"] == 0
    assert stats.redirections_detail == ()
    assert rows(stats.themes)["sante"] == (0, Decimal("0.0"))
    assert sum(row.value for row in stats.evolution) == 1


def test_both_bounds_of_the_period_are_included(world):
    with recompute_once():
        for day in ("2024-01-31", "2024-02-01", "2024-02-02", "2024-02-03"):
            make_cra(world.alice, date=datetime.date.fromisoformat(day))
    du, au = datetime.date(2024, 2, 1), datetime.date(2024, 2, 2)

    assert stats_of(StatsScope.national(), du, au)["cra"] == 2
    assert stats_of(StatsScope.national(), du, du)["cra"] == 1


def test_evolution_covers_every_month_of_the_period_with_zeros_and_honours_period_and_filters(world):
    alice = world.alice
    with recompute_once():
        make_cra(alice, date=datetime.date(2023, 11, 1))  # same month as du, before it
        make_cra(alice, date=datetime.date(2023, 11, 20))
        make_cra(alice, date=datetime.date(2023, 11, 21), code_postal="69003")
        make_cra(alice, date=datetime.date(2024, 2, 10))
        make_cra(alice, date=datetime.date(2024, 2, 11))  # same month as au, after it
    du, au = datetime.date(2023, 11, 15), datetime.date(2024, 2, 10)

    stats = stats_of(StatsScope.structure(world.villeurbanne.pk), du, au)
    assert [(row.key, row.label, row.value) for row in stats.evolution] == [
        ("2023-11", "novembre 2023", 2),
        ("2023-12", "décembre 2023", 0),
        ("2024-01", "janvier 2024", 0),
        ("2024-02", "février 2024", 1),
    ]
    filtered = stats_of(StatsScope.structure(world.villeurbanne.pk), du, au, code_postal="69100")
    assert [row.value for row in filtered.evolution] == [1, 0, 0, 1]
    assert filtered["cra"] == 2


@pytest.mark.parametrize(
    "scope, employeur, sentence",
    [
        (StatsScope.national(), "", "CRA comptés : tous les CRA enregistrés en France."),
        (
            StatsScope.region("84"),
            "",
            "CRA comptés : ceux faits pour les structures des départements de la région.",
        ),
        (StatsScope.departement("69"), "", "CRA comptés : ceux faits pour les structures du département."),
        (StatsScope.hub(3), "", "CRA comptés : ceux faits pour les structures des départements du hub."),
        (
            StatsScope.structure(4),
            "",
            "CRA comptés : ceux faits pour cette structure, par ses conseillers actuels et anciens.",
        ),
        (
            StatsScope.conseiller(5),
            "",
            "CRA comptés : tous ceux du conseiller, pour chacun de ses employeurs.",
        ),
        (
            StatsScope.conseiller(5, structure_id=4),
            "Mairie de Villeurbanne",
            "CRA comptés : seuls ceux faits pour la structure « Mairie de Villeurbanne », "
            "pas ceux faits pour les autres employeurs du conseiller.",
        ),
        (
            StatsScope.conseiller(5, structure_id=4),
            "",
            "CRA comptés : seuls ceux faits pour cette structure, "
            "pas ceux faits pour les autres employeurs du conseiller.",
        ),
        (
            StatsScope.equipe([1, 2, 3]),
            "",
            "CRA comptés : ceux des 3 conseillers de l'équipe, coordinateur compris, "
            "pour tous leurs employeurs.",
        ),
        (
            StatsScope.equipe([1]),
            "",
            "CRA comptés : ceux du coordinateur seul, l'équipe ne compte aucun autre conseiller.",
        ),
    ],
)
def test_every_scope_says_which_cras_it_counts(scope, employeur, sentence):
    assert d.cras_comptes(scope, employeur=employeur) == sentence
