"""Every use of Django's undocumented internals, in one place (docs/architecture.md, « Interfaces internes
de Django »).

Django has no public API for what these do at the scale of SPEC §10 (5 million CRAs): nesting the SQL of a
queryset in a statement the ORM cannot write (INSERT … SELECT, UPDATE … FROM, COPY), and deleting rows in
one statement when the public `QuerySet.delete()` would load them first. Callers use these functions, never
the internals themselves. They were read against Django 5.2 (DJANGO_CHECKED): tests/socle/test_sql.py
runs each of them on the database, checks the internals' shape, and fails on another Django version until
they are read again.
"""

from django.db.models import QuerySet

# The Django version the functions below were read against; tests/socle/test_sql.py fails on any other.
DJANGO_CHECKED = (5, 2)


def compiled_select(queryset: QuerySet) -> tuple[str, tuple]:
    """The SELECT Django runs for `queryset` and its parameters (`%s` placeholders, the form every cursor
    takes), to nest in a larger statement. Raises EmptyResultSet for a queryset that can match nothing
    (e.g. `pk__in=[]`)."""
    # Query.get_compiler() and SQLCompiler.as_sql() are undocumented (Django 5.2);
    # `str(queryset.query)` is for reading only: its parameters are not quoted. Compiled for the queryset's
    # own database, where `query.sql_with_params()` would use the default one.
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def raw_delete(queryset: QuerySet) -> int:
    """Deletes the rows of `queryset` in one DELETE, without signals nor cascades: the caller makes sure
    that no row points to them. Returns the number of rows deleted."""
    # QuerySet._raw_delete() is private (Django 5.2). The public delete() does the same single DELETE only
    # for a model that nothing points to (Django's "fast delete"); for the CRAs, to which redirections and
    # history point, it loads every row and deletes them 100 at a time: 80,000 demo CRAs in 4 to 5 s and
    # 800 to 1,100 queries instead of 0.5 s and one (SQLite and PostgreSQL).
    return queryset._raw_delete(queryset.db)


def copy_to_stdout(cursor, queryset: QuerySet, options: str):
    """PostgreSQL's `COPY (<the SELECT of queryset>) TO STDOUT WITH (<options>)` on `cursor`, a Django
    cursor: psycopg's Copy context manager, whose iteration gives the rows as sent by the server."""
    sql, params = compiled_select(queryset)
    # Django's cursor has no COPY: psycopg's own cursor is its undocumented `cursor` attribute
    # (django.db.backends.utils.CursorWrapper, Django 5.2). COPY writes 100,000 CSV lines/s (SPEC §10), which
    # reading rows into Python cannot reach.
    return cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})", params)
