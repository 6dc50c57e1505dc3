"""The Django internals of cnfs.socle.sql: each function run on the database against what the ORM gives, and
the shape of the internals they rely on, so that a Django upgrade breaking one fails here first."""

import csv
import inspect

import django
import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.signals import post_delete, pre_delete
from django.db.models.sql import Query

from cnfs.socle.sql import DJANGO_CHECKED, compiled_select, copy_to_stdout, raw_delete
from cra.models import Cra, CraHistorique
from structures.models import Departement
from tests.stats.factories import make_cra

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY … TO STDOUT n'existe que sur PostgreSQL"
)


def test_django_is_the_version_the_internals_were_read_against():
    assert django.VERSION[:2] == DJANGO_CHECKED, (
        f"Django {django.__version__} : relire chaque fonction de cnfs/socle/sql.py contre cette version "
        "(les commentaires disent ce qu'elles supposent), puis mettre DJANGO_CHECKED à jour."
    )


@pytest.mark.django_db
def test_the_internals_keep_their_shape():
    assert list(inspect.signature(QuerySet._raw_delete).parameters) == ["self", "using"]
    assert "using" in inspect.signature(Query.get_compiler).parameters
    queryset = Departement.objects.filter(code="69")
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    assert isinstance(sql, str) and tuple(params) == ("69",)
    with connection.cursor() as cursor:
        # Django's cursor wraps the driver's: copy_to_stdout reaches psycopg's through this attribute.
        assert cursor.cursor is not cursor and hasattr(cursor.cursor, "execute")


def _departements_by_region() -> QuerySet:
    """A grouped queryset with aliased columns, filtered aggregates and parameters holding a quote and a
    percent sign: the shape of the aggregates' INSERT … SELECT."""
    return (
        Departement.objects.filter(~Q(nom__contains="100%"), Q(nom__startswith="C") | Q(nom="Côtes-d'Armor"))
        .values(c_region=F("region_id"))
        .annotate(c_cote=Count("pk", filter=Q(nom__startswith="Côte")), c_total=Count("pk"))
        .order_by()
    )


@pytest.mark.django_db
def test_compiled_select_nests_in_a_larger_statement_with_its_parameters_in_place():
    queryset = _departements_by_region()
    sql, params = compiled_select(queryset)
    assert isinstance(sql, str) and isinstance(params, tuple) and "Côtes-d'Armor" in params

    # A parameter of the outer statement before the nested ones, itself holding "%s" and a quote.
    statement = f"SELECT %s, sub.c_region, sub.c_cote, sub.c_total FROM ({sql}) sub"
    with connection.cursor() as cursor:
        cursor.execute(statement, ["l'%s", *params])
        rows = sorted(cursor.fetchall())

    expected = sorted(("l'%s", row["c_region"], row["c_cote"], row["c_total"]) for row in queryset)
    assert rows == expected
    assert sum(row[3] for row in rows) == Departement.objects.filter(nom__startswith="C").count() > 1


@pytest.mark.django_db
def test_compiled_select_raises_on_a_queryset_that_can_match_nothing():
    with pytest.raises(EmptyResultSet):
        compiled_select(Departement.objects.filter(pk__in=[]))


def test_raw_delete_deletes_exactly_the_rows_in_one_statement_without_signals(
    world, django_assert_num_queries
):
    kept = make_cra(world.alice)
    CraHistorique.objects.create(cra=kept, action=CraHistorique.Action.CREATION)
    deleted = [make_cra(world.alice), make_cra(world.chloe)]
    signals = []

    def receiver(sender, **kwargs):
        signals.append(sender)

    pre_delete.connect(receiver, sender=Cra)
    post_delete.connect(receiver, sender=Cra)
    try:
        # A condition across a join, as the demo's (CRAs without history).
        with django_assert_num_queries(1):
            count = raw_delete(Cra.objects.filter(historique__isnull=True))
    finally:
        pre_delete.disconnect(receiver, sender=Cra)
        post_delete.disconnect(receiver, sender=Cra)

    assert count == len(deleted)
    assert list(Cra.objects.values_list("pk", flat=True)) == [kept.pk]
    assert signals == []


@postgresql_only
@pytest.mark.django_db
def test_copy_to_stdout_gives_the_rows_of_the_queryset():
    queryset = Departement.objects.filter(region="84").order_by("code").values_list("code", "nom")[:5]
    with connection.cursor() as cursor, copy_to_stdout(cursor, queryset, "FORMAT csv, DELIMITER ';'") as copy:
        lines = [bytes(row).decode() for row in copy]
    assert [tuple(row) for row in csv.reader(lines, delimiter=";")] == list(queryset)
    assert len(lines) == 5
