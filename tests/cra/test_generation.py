"""The CRA generator: every row it writes is one the form would accept, for the employer of the day;
deterministic; with the distributions designed; written the same by INSERT and by COPY (the COPY tests
run when the test database is PostgreSQL)."""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT
from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller
from cra import services
from cra.enums import Activite, Canal, Duree, Organisme
from cra.generation import GenerationError, generate_cras
from cra.generation.draw import day_weight
from cra.models import Cra, CraHistorique, CraRedirection
from cra.rules import check_cra
from stats.models import AgregatJour
from stats.services import aggregates_check
from structures.models import CodePostal, Commune
from tests.cra.factories import cra_data

STORED = [*services.HISTORY_FIELDS, "themes", "sous_themes", "nb_redirections"]
# Every stored value of a CRA but its id: what two identical draws share.
COMPARED = ["conseiller_id", *STORED, "created_at", "updated_at"]


@pytest.fixture(params=["bulk", "copy"])
def method(request):
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("L'écriture par COPY demande PostgreSQL.")
    return request.param


def _lieu(structure, nom, code_postal, code_commune, nom_commune, *conseillers, principale=True):
    lieu = Permanence.objects.create(
        structure=structure,
        nom=nom,
        adresse="1 rue de la République",
        code_postal=code_postal,
        code_commune=code_commune,
        nom_commune=nom_commune,
    )
    for conseiller in conseillers:
        PermanenceConseiller.objects.create(permanence=lieu, conseiller=conseiller, principale=principale)
    return lieu


@pytest.fixture
def lieux(world):
    """Alice works at two lieux of Villeurbanne, Emma and Denis at the association's, Chloé and Fabrice
    (before his rupture) at Bourg's. Denis's years in Villeurbanne have no lieu of his."""
    w = world
    _lieu(w.villeurbanne, "Médiathèque Le Rize", "69100", "69266", "Villeurbanne", w.alice)
    _lieu(w.villeurbanne, "Mairie annexe", "69100", "69266", "Villeurbanne", w.alice, principale=False)
    _lieu(w.lyon_asso, "Local associatif", "69003", "69383", "Lyon", w.emma, w.denis)
    _lieu(w.bourg, "Espace numérique", "01000", "01053", "Bourg-en-Bresse", w.chloe, w.fabrice)
    return w


def _generate(count, method="bulk", seed=7, **options):
    options.setdefault("conseillers", Conseiller.objects.all())
    return generate_cras(count=count, seed=seed, method=method, **options)


def _redirections_by_cra():
    redirections = defaultdict(list)
    for redirection in CraRedirection.objects.order_by("pk"):
        redirections[redirection.cra_id].append(redirection)
    return redirections


def _rule_data(cra: Cra, redirections) -> dict:
    """The rules' data rebuilt from a stored CRA, as the form would send it."""
    data = {name: getattr(cra, name) for name in services.HISTORY_FIELDS if not name.endswith("_id")}
    data["permanence"] = cra.permanence_id
    if cra.canal == Canal.DISTANCE and cra.permanence_id:
        data.update(code_postal="", code_commune="", nom_commune="")  # given by the lieu
    data["themes"], data["sous_themes"] = cra.theme_keys, cra.sous_theme_keys
    data["redirections"] = [
        {"organisme": r.organisme, "nom_autre": r.nom_autre, "nombre": r.nombre} for r in redirections
    ]
    return data


def _stored_rows():
    order = ["conseiller_id", "date_accompagnement", *STORED, "created_at", "updated_at"]
    return list(Cra.objects.order_by(*order).values_list(*COMPARED))


def test_every_generated_cra_passes_the_rules_again_and_stores_their_values(lieux, method):
    result = _generate(1500, method, chunk_size=400)

    assert (result.count, result.method) == (1500, method)
    assert Cra.objects.count() == 1500
    contexts = {c.pk: services.cra_context_for(c) for c in Conseiller.objects.all()}
    redirections = _redirections_by_cra()
    for cra in Cra.objects.all():
        check = check_cra(_rule_data(cra, redirections[cra.pk]), contexts[cra.conseiller_id])
        assert check.is_valid, (cra.pk, check.errors)
        assert services.cra_stored_fields(check.values) == {name: getattr(cra, name) for name in STORED}


def test_cras_fall_on_days_worked_for_the_employer_of_the_day(lieux):
    w = lieux
    now = timezone.now()
    _generate(1500)

    today = timezone.localdate()
    contrats = defaultdict(list)
    for contrat in Contrat.objects.all():
        contrats[contrat.conseiller_id].append(contrat)
    for cra in Cra.objects.all():
        day = cra.date_accompagnement
        assert DATE_LANCEMENT <= day <= today
        assert day.weekday() != 6  # never on a Sunday
        employers = [
            c.structure_id
            for c in contrats[cra.conseiller_id]
            if c.date_debut <= day and (c.date_fin_effective is None or day <= c.date_fin_effective)
        ]
        assert employers == [cra.structure_id]
        # Typed on the day or a few days later, and never in the future.
        created = timezone.localtime(cra.created_at)
        assert day <= created.date() <= day + datetime.timedelta(days=14)
        assert cra.created_at <= cra.updated_at <= now + datetime.timedelta(seconds=5)
    denis = Cra.objects.filter(conseiller=w.denis)
    assert set(denis.values_list("structure", flat=True)) == {w.villeurbanne.pk, w.lyon_asso.pk}
    assert not denis.filter(
        structure=w.villeurbanne, date_accompagnement__gte=datetime.date(2024, 3, 1)
    ).exists()
    assert not Cra.objects.filter(
        conseiller=w.fabrice, date_accompagnement__gte=datetime.date(2025, 1, 1)
    ).exists()
    # Denis had no lieu in Villeurbanne: his CRAs there are "autre lieu" at the structure's commune.
    assert set(denis.filter(structure=w.villeurbanne).values_list("canal", "code_commune")) <= {
        (Canal.AUTRE_LIEU, "69266"),
        (Canal.DOMICILE, "69266"),
        (Canal.DISTANCE, "69266"),
    }


def test_only_the_activated_conseillers_by_default(lieux):
    w = lieux

    generate_cras(count=300, seed=1)

    assert set(Cra.objects.values_list("conseiller", flat=True)) == {w.alice.pk, w.chloe.pk, w.emma.pk}


def test_the_same_seed_gives_the_same_cras_whatever_the_way_of_writing(lieux, method):
    now = timezone.now()
    _generate(800, "bulk", seed=5, now=now)
    first = _stored_rows()
    Cra.objects.all().delete()

    _generate(800, method, seed=5, now=now, chunk_size=300)

    assert _stored_rows() == first
    Cra.objects.all().delete()
    _generate(800, method, seed=6, now=now)
    assert _stored_rows() != first


def test_distributions_are_those_of_the_programme(lieux):
    generate_cras(count=4000, seed=11, method="bulk")  # the activated conseillers, who all have lieux
    cras = list(Cra.objects.all())

    activites = Counter(cra.activite for cra in cras)
    assert 0.47 <= activites[Activite.INDIVIDUEL] / len(cras) <= 0.63
    assert 0.18 <= activites[Activite.PONCTUEL] / len(cras) <= 0.32
    assert 0.14 <= activites[Activite.COLLECTIF] / len(cras) <= 0.26
    workshops = [cra for cra in cras if cra.activite == Activite.COLLECTIF]
    assert {cra.nb_participants for cra in workshops} == set(range(3, 13))
    assert any(cra.nb_participants_recurrents for cra in workshops)
    individuels = [cra for cra in cras if cra.activite == Activite.INDIVIDUEL]
    assert 0.5 <= sum(cra.nb_participants_recurrents == 0 for cra in individuels) / len(individuels) <= 0.8

    themes = Counter(theme for cra in cras for theme in cra.theme_keys)
    frequent = {"demarche_en_ligne", "equipement_informatique", "courriel", "internet", "sante"}
    assert {theme for theme, _count in themes.most_common(5)} == frequent
    assert {len(cra.theme_keys) for cra in cras} == {1, 2, 3}
    sous_themes = Counter(sous_theme for cra in cras for sous_theme in cra.sous_theme_keys)
    assert sous_themes["espace_sante"] > 0
    assert all("sante" in cra.theme_keys for cra in cras if "espace_sante" in cra.sous_theme_keys)

    canaux = Counter(cra.canal for cra in cras)
    assert canaux[Canal.RATTACHEMENT] / len(cras) > 0.6
    assert set(canaux) == set(Canal.values)
    durees = Counter(cra.duree for cra in individuels)
    assert durees[Duree.PLUS_60] < durees[Duree.DE_30_A_60]
    assert {cra.duree_minutes for cra in cras if cra.duree == Duree.PLUS_60} >= {60, 90, 120}
    assert 0.02 <= sum(bool(cra.annotation) for cra in cras) / len(cras) <= 0.15

    days = Counter(cra.date_accompagnement.weekday() for cra in cras)
    assert 0 < days[5] < 0.05 * len(cras)  # a few Saturdays
    by_month = Counter(cra.date_accompagnement.month for cra in cras)
    assert by_month[8] < 0.7 * by_month[10] and by_month[8] < 0.7 * by_month[3]


def test_redirections_never_exceed_the_participants_and_are_summed(lieux, method):
    _generate(2000, method, seed=3)

    redirections = _redirections_by_cra()
    assert redirections
    for cra in Cra.objects.all():
        assert cra.nb_redirections == sum(r.nombre for r in redirections[cra.pk])
        assert cra.suivi_individuel + cra.suivi_atelier + cra.nb_redirections <= cra.nb_participants
    autres = CraRedirection.objects.filter(organisme=Organisme.AUTRE)
    assert autres.exists() and not autres.filter(nom_autre="").exists()
    assert Cra.objects.filter(suivi_individuel__gt=0).exists()
    assert Cra.objects.filter(suivi_atelier__gt=0).exists()


def test_generated_cras_are_imports_without_history_nor_idempotency_key(lieux):
    _generate(200)

    assert not CraHistorique.objects.exists()
    assert not Cra.objects.filter(idempotency_key__isnull=False).exists()


def test_with_the_referentiel_the_communes_are_those_it_knows(lieux):
    for code, nom, code_postal in (("69266", "Villeurbanne", "69100"), ("69383", "Lyon 3e", "69003")):
        CodePostal.objects.create(
            code=code_postal,
            commune=Commune.objects.create(code_insee=code, nom=nom, departement=lieux.rhone),
        )
    bourg = Commune.objects.create(code_insee="01053", nom="Bourg-en-Bresse", departement=lieux.ain)
    CodePostal.objects.create(code="01000", commune=bourg)

    _generate(600)

    known = set(CodePostal.objects.values_list("code", "commune"))
    # The association's own commune (69003 with Villeurbanne's code) is refused: only its lieu is used.
    assert set(Cra.objects.values_list("code_postal", "code_commune")) <= known
    assert Cra.objects.filter(structure=lieux.lyon_asso).exists()


def test_the_command_adds_the_count_and_prints_it(lieux):
    output = StringIO()

    call_command("generate_cras", "--count", "250", "--seed", "3", stdout=output)

    assert Cra.objects.count() == 250
    assert "250 CRA générés en" in output.getvalue()
    assert "CRA/s" in output.getvalue()
    # Written past the services: the aggregates are rebuilt, and check_stats agrees with the raw CRAs.
    assert "Agrégats reconstruits" in output.getvalue()
    assert aggregates_check(sample=5, seed=1).differences == []

    call_command("generate_cras", "--count", "20", "--sans-agregats", stdout=StringIO())
    assert AgregatJour.objects.aggregate(total=Sum("cra"))["total"] == 250


def test_the_command_fails_without_an_activated_conseiller_under_contract(world):
    Conseiller.objects.update(date_activation=None)

    with pytest.raises(CommandError, match="Aucun conseiller activé"):
        call_command("generate_cras", "--count", "10", stdout=StringIO())
    with pytest.raises(GenerationError):
        generate_cras(count=10, method="bulk", conseillers=Conseiller.objects.none())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="L'écriture par COPY demande PostgreSQL.")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_write_the_same_cras_as_one(lieux):
    now = timezone.now()
    _generate(1200, "copy", seed=9, now=now)
    first = _stored_rows()
    Cra.objects.all().delete()

    result = _generate(1200, "copy", seed=9, now=now, workers=2, chunk_size=250)

    assert (result.count, result.workers) == (1200, 2)
    assert _stored_rows() == first


def test_the_demo_cras_are_replaced_not_doubled(db):
    call_command("seed_demo", "--cras", "3000", stdout=StringIO())
    julien = Conseiller.objects.get(user__email="conseiller@demo.test")
    typed = services.cra_create(
        conseiller=julien,
        user=julien.user,
        data=cra_data(
            date_accompagnement=timezone.localdate() - datetime.timedelta(days=1),
            canal=Canal.DOMICILE,
            permanence=None,
            code_postal="69100",
            code_commune="69266",
            nom_commune="Villeurbanne",
        ),
    )
    first = _stored_rows()

    call_command("seed_demo", "--cras", "3000", stdout=StringIO())

    assert Cra.objects.count() == 3001
    # The same draw, but for the timestamps of today's CRAs, kept before the time of the run.
    assert [row[:-2] for row in _stored_rows()] == [row[:-2] for row in first]
    assert Cra.objects.filter(pk=typed.pk).exists()
    assert not Cra.objects.exclude(conseiller__date_activation__isnull=False).exists()
    # The demo conseiller has plenty, this month too.
    mine = Cra.objects.filter(conseiller=julien)
    assert mine.count() > 3000 / Conseiller.objects.actives().count()
    today = timezone.localdate()
    worked = [
        today - datetime.timedelta(days=n)
        for n in range(today.day)
        if day_weight(today - datetime.timedelta(days=n))
    ]
    if worked:
        assert mine.filter(date_accompagnement__gte=today.replace(day=1)).count() >= 3
    assert mine.filter(date_accompagnement__lt=today - datetime.timedelta(days=600)).exists()
