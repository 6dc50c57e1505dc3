"""The precomputed aggregates (stats.models, stats.services, the "aggregats" source): they follow every change
made through the CRA services, never drift, equal the reference on random data, and are checked by
check_stats."""

import datetime
import random
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cra import services as cra_services
from cra.enums import Organisme
from cra.generation import generate_cras
from cra.models import Cra
from stats.aggregates import aggregates_sums
from stats.models import AgregatDepartementJour, AgregatDepartementMois, AgregatJour
from stats.reference import reference_sums
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.services import AggregateKey, aggregates_rebuild, aggregates_recompute
from tests.cra.factories import collectif_data, cra_data
from tests.stats.factories import make_atelier, make_cra, recompute_once
from tests.utils import examples
from tests.workers import celery_worker, needs_broker, new_queue, tasks_through_redis

RECOMPUTE = "stats.tasks.aggregates_recompute_pending"

DU, AU = datetime.date(2023, 6, 1), datetime.date(2024, 6, 30)


def scopes(w) -> list[StatsScope]:
    return [
        StatsScope.national(),
        StatsScope.region("84"),
        StatsScope.departement("69"),
        StatsScope.departement("01"),
        StatsScope.hub(w.hub_ara.pk),
        StatsScope.structure(w.villeurbanne.pk),
        StatsScope.structure(w.lyon_asso.pk),
        StatsScope.conseiller(w.denis.pk),
        StatsScope.conseiller(w.denis.pk, structure_id=w.villeurbanne.pk),
        StatsScope.equipe([w.alice.pk, w.chloe.pk]),
    ]


PERIODS = [
    (DU, AU),  # whole months only
    (datetime.date(2024, 2, 10), datetime.date(2024, 3, 20)),  # two partial months
    (datetime.date(2024, 2, 15), datetime.date(2024, 2, 15)),  # one day
    (datetime.date(2023, 9, 17), datetime.date(2024, 4, 30)),  # partial start, whole end
]


def assert_same_as_reference(w, periods=PERIODS):
    for scope in scopes(w):
        for du, au in periods:
            request = StatsRequest(scope=scope, du=du, au=au)
            assert statistiques(request) == statistiques(request, source="reference"), (scope, du, au)


def _lieu_data(**overrides) -> dict:
    """A CRA in Villeurbanne, typed without a lieu d'activité."""
    values = {
        "canal": "autre_lieu",
        "permanence": None,
        "code_postal": "69100",
        "code_commune": "69266",
        "nom_commune": "Villeurbanne",
    }
    return cra_data(**{**values, **overrides})


def cra_count(scope, du=DU, au=AU) -> int:
    return statistiques(StatsRequest(scope=scope, du=du, au=au), source="aggregats")["cra"]


def test_every_change_through_the_cra_services_is_recomputed_on_commit(
    world, django_capture_on_commit_callbacks
):
    villeurbanne, asso = StatsScope.structure(world.villeurbanne.pk), StatsScope.structure(world.lyon_asso.pk)
    with django_capture_on_commit_callbacks(execute=True):
        cra = cra_services.cra_create(
            conseiller=world.denis,
            user=None,
            data=_lieu_data(
                date_accompagnement=datetime.date(2024, 2, 15),
                redirections=[{"organisme": Organisme.CAF, "nom_autre": "", "nombre": 1}],
            ),
        )
    assert (cra_count(villeurbanne), cra_count(asso)) == (1, 0)
    assert statistiques(StatsRequest(villeurbanne, DU, AU), source="aggregats")["redirections"] == 1
    assert_same_as_reference(world)

    # Denis moved to the association on 2024-03-01: the edit moves the CRA to another day and structure.
    with django_capture_on_commit_callbacks(execute=True):
        cra_services.cra_update(
            cra=cra, user=None, data=collectif_data(date_accompagnement=datetime.date(2024, 3, 4), **_place())
        )
    assert (cra_count(villeurbanne), cra_count(asso)) == (0, 1)
    assert statistiques(StatsRequest(asso, DU, AU), source="aggregats")["participants_ateliers"] == 5
    assert_same_as_reference(world)

    cra.refresh_from_db()  # cra_update worked on its own copy
    with django_capture_on_commit_callbacks(execute=True):
        cra_services.cra_delete(cra=cra, user=None)
    assert cra_count(StatsScope.national()) == 0
    assert not AgregatJour.objects.exists() and not AgregatDepartementMois.objects.exists()
    assert_same_as_reference(world)

    with django_capture_on_commit_callbacks(execute=True):
        cra_services.cra_restore(cra=cra, user=None)
    assert cra_count(StatsScope.national()) == 1
    assert_same_as_reference(world)


def _place() -> dict:
    return {
        "canal": "autre_lieu",
        "permanence": None,
        "code_postal": "69003",
        "code_commune": "69383",
        "nom_commune": "Lyon 3e Arrondissement",
    }


def test_nothing_is_recomputed_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        cra_services.cra_create(conseiller=world.denis, user=None, data=_lieu_data())
        transaction.set_rollback(True)
    assert callbacks == []
    assert not AgregatJour.objects.exists()


def test_a_broker_error_does_not_lose_the_cra(world, django_capture_on_commit_callbacks, monkeypatch, caplog):
    from stats import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker injoignable")

    monkeypatch.setattr(tasks.aggregates_recompute, "delay", broken)
    with django_capture_on_commit_callbacks(execute=True):
        cra_services.cra_create(conseiller=world.denis, user=None, data=_lieu_data())

    assert Cra.objects.count() == 1
    assert "Recalcul des agrégats non lancé" in caplog.text
    aggregates_rebuild()  # the nightly rebuild catches up
    assert cra_count(StatsScope.national(), du=datetime.date(2025, 3, 1), au=datetime.date(2025, 3, 31)) == 1


def _world_cras(w):
    rng = random.Random(7)
    with recompute_once():
        for index in range(30):
            day = DU + datetime.timedelta(days=rng.randint(0, (AU - DU).days))
            structure = w.villeurbanne if day < datetime.date(2024, 3, 1) else w.lyon_asso
            make_cra(
                w.denis,
                structure=structure,
                date=day,
                redirections=[(Organisme.CCAS, 1)] if index % 3 else (),
            )
            make_atelier(w.alice, date=day, redirections=[(Organisme.AUTRE, 2, f"Asso {index}")])
            make_cra(w.chloe, date=day, deleted=index % 5 == 0)


def test_a_replayed_recompute_does_not_drift(world):
    _world_cras(world)
    aggregates_rebuild()
    before = {
        model: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields[2:]]))
        for model in (AgregatJour, AgregatDepartementJour, AgregatDepartementMois)
    }
    keys = [AggregateKey.of(cra) for cra in Cra.objects.all()]
    for _ in range(3):
        aggregates_recompute(keys=keys)
        aggregates_recompute(keys=keys[:5])

    after = {
        model: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields[2:]]))
        for model in before
    }
    assert after == before
    assert_same_as_reference(world)


def test_the_rebuild_equals_the_reference_for_every_scope_and_period(world):
    _world_cras(world)
    aggregates_rebuild()
    assert_same_as_reference(world)
    assert statistiques(StatsRequest(StatsScope.national(), DU, AU), source="aggregats").computed_at


def test_a_place_filter_falls_back_to_the_reference(world):
    make_cra(world.alice, code_postal="69003")
    make_cra(world.alice, code_postal="69100")  # no rebuild: only the reference can see them
    request = StatsRequest(StatsScope.structure(world.villeurbanne.pk), DU, AU, code_postal="69003")
    assert statistiques(request, source="aggregats")["cra"] == 1


@pytest.mark.parametrize("index", range(10))
@pytest.mark.parametrize("period", PERIODS)
def test_the_aggregates_take_a_constant_number_of_queries(world, django_assert_num_queries, index, period):
    _world_cras(world)
    aggregates_rebuild()
    scope = scopes(world)[index]
    territory = scope.kind in ("national", "region", "departement", "hub")
    # 1. the last rebuild (EtatAgregats);
    # territories: 2. whole months from the (month, département) rollup, 3. the days of the partial months
    # from the (day, département) rollup — both grouped by month (the hub's départements are a subquery);
    # other scopes: 2. the (day, structure, conseiller) rows grouped by month.
    with django_assert_num_queries(3 if territory else 2):
        statistiques(StatsRequest(scope=scope, du=period[0], au=period[1]), source="aggregats")


def test_check_stats_passes_after_rebuild_and_fails_after_tampering(world, capsys):
    _world_cras(world)
    call_command("rebuild_stats")
    assert "Agrégats reconstruits" in capsys.readouterr().out
    call_command("check_stats", "--graine", "1")
    assert "0 différence(s)" in capsys.readouterr().out

    row = AgregatDepartementMois.objects.filter(departement="69").first()
    row.cra += 1
    row.save()
    with pytest.raises(CommandError):
        call_command("check_stats", "--graine", "1")
    assert "« cra » vaut" in capsys.readouterr().out


def test_rows_written_by_the_generator_are_caught_up_by_the_rebuild(world, capsys):
    generate_cras(count=300, seed=3, method="bulk")  # bypasses the services: no recompute
    assert not AgregatJour.objects.exists()
    call_command("rebuild_stats")
    call_command("check_stats", "--graine", "2")
    assert "0 différence(s)" in capsys.readouterr().out


@pytest.mark.parametrize("model", [AgregatJour, AgregatDepartementJour, AgregatDepartementMois])
def test_the_rebuild_empties_each_table_in_one_delete(world, django_assert_num_queries, model):
    # aggregates_rebuild() empties the tables with the public QuerySet.delete(): one DELETE as long as
    # nothing points to the aggregates and no signal listens to them. A foreign key or a receiver would make
    # Django load the millions of rows first (cnfs/socle/sql.py, raw_delete).
    make_cra(world.alice)
    with django_assert_num_queries(1):
        deleted, _by_model = model.objects.all().delete()
    assert deleted == 1


# --- Property: random CRAs, edits, deletions, scopes and periods -----------------------------------------

DAYS = st.dates(min_value=datetime.date(2024, 1, 20), max_value=datetime.date(2024, 4, 10))
CRA_SPECS = st.lists(
    st.tuples(
        st.sampled_from(["alice", "chloe", "denis"]),
        DAYS,
        st.sampled_from(["individuel", "collectif"]),
        st.integers(min_value=0, max_value=2),  # redirections
    ),
    min_size=1,
    max_size=12,
)
CHANGES = st.lists(
    st.tuples(st.integers(min_value=0, max_value=11), st.sampled_from(["move", "delete", "restore"]), DAYS),
    max_size=8,
)


def _structure(w, name: str, day: datetime.date):
    if name == "denis":
        return w.villeurbanne if day < datetime.date(2024, 3, 1) else w.lyon_asso
    return getattr(w, name).structure


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=CRA_SPECS, changes=CHANGES, rebuild_first=st.booleans(), period=st.tuples(DAYS, DAYS))
def test_the_aggregates_equal_the_reference_on_random_changes(world, specs, changes, rebuild_first, period):
    with transaction.atomic():  # each example rolls back its CRAs and aggregates
        cras = []
        with recompute_once():
            for name, day, activite, redirections in specs:
                conseiller = getattr(world, name)
                redirections = redirections if activite == "collectif" else min(redirections, 1)
                maker = make_atelier if activite == "collectif" else make_cra
                cras.append(
                    maker(
                        conseiller,
                        structure=_structure(world, name, day),
                        date=day,
                        redirections=[(Organisme.CAF, 1)][:redirections]
                        + [(Organisme.MAIRIE, 1)][: redirections - 1],
                    )
                )
        if rebuild_first:
            aggregates_rebuild()
        else:
            aggregates_recompute(keys=[AggregateKey.of(cra) for cra in cras])
        for index, action, day in changes:
            cra = cras[index % len(cras)]
            before = AggregateKey.of(cra)
            if action == "move":
                name = next(
                    n for n in ("alice", "chloe", "denis") if getattr(world, n).pk == cra.conseiller_id
                )
                cra.date_accompagnement, cra.structure = day, _structure(world, name, day)
            else:
                cra.deleted_at = (
                    datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) if action == "delete" else None
                )
            cra.save()
            aggregates_recompute(keys=[before, AggregateKey.of(cra)])

        du, au = sorted(period)
        for scope in scopes(world):
            request = StatsRequest(scope=scope, du=du, au=au)
            assert statistiques(request) == statistiques(request, source="reference"), (scope, du, au)
            assert +reference_sums(request) == aggregates_sums(request)[0]
        transaction.set_rollback(True)


# --- Through a real broker and worker -------------------------------------------------------------------


@needs_broker
def test_a_recompute_through_a_real_broker_and_worker(world, monkeypatch):
    """A CRA created through the service is recomputed by a `celery worker` process, through Redis, in
    the test database (committed data: transactional test)."""
    queue = new_queue("agregats")
    with celery_worker(queue) as worker, tasks_through_redis(monkeypatch, {RECOMPUTE: queue}):
        cra_services.cra_create(conseiller=world.denis, user=None, data=_lieu_data())  # commits at once
        deadline = time.monotonic() + 30
        while not AgregatJour.objects.exists() and time.monotonic() < deadline:
            assert worker.poll() is None, "Le worker s'est arrêté."
            time.sleep(0.2)
    assert AgregatJour.objects.get().cra == 1


def test_seed_demo_leaves_aggregates_equal_to_the_raw_cras(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--cras", "800", stdout=StringIO())

    # check_stats raises CommandError (exit code 1) on any difference.
    call_command("check_stats", stdout=StringIO())
