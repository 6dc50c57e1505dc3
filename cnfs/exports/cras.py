"""The CRA export (SPEC §7): one line per CRA, every field, readable labels.

Two writers of the same bytes. `cra_lignes`, the reference, on every database: rows read by keyset
pagination on the id (chunks of CHUNK rows as tuples, their redirections in one more query per chunk), so
memory stays bounded whatever the number of CRAs. `cra_csv_copy`, on PostgreSQL, for the background
export: the same cells computed in SQL and written by `COPY … TO STDOUT` (SPEC §10: 100,000 lines/s, which
Python conversions cannot reach, see docs/performance.md). Both read the column kinds defined here.
"""

import datetime
import functools
import io
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Left, NullIf
from django.db.models.lookups import GreaterThan, In

from cnfs.exports.production import Progression
from cnfs.exports.tableur import FORMULA_STARTS, Cell, Tableur, neutralise
from cnfs.socle.sql import copy_to_stdout
from cra.enums import AGES, STATUTS, Activite, Canal, Duree, Organisme, SousTheme, Theme
from cra.models import SOUS_THEME_BITS, THEME_BITS, Cra, CraRedirection

CHUNK = 5000

# (header, the value read) in the file's order; the values are read with values_list.
FIELDS: tuple[tuple[str, str | None], ...] = (
    ("Identifiant", "pk"),
    ("Date de l'accompagnement", "date_accompagnement"),
    ("Prénom du conseiller", "conseiller__prenom"),
    ("Nom du conseiller", "conseiller__nom"),
    ("E-mail professionnel du conseiller", "conseiller__email_pro"),
    ("Structure", "structure__nom"),
    ("SIRET de la structure", "structure__siret"),
    ("Canal", "canal"),
    ("Lieu d'activité", "permanence__nom"),
    ("Code postal", "code_postal"),
    ("Code commune INSEE", "code_commune"),
    ("Commune", "nom_commune"),
    ("Activité", "activite"),
    ("Participants", "nb_participants"),
    ("dont personnes déjà accompagnées", "nb_participants_recurrents"),
    *((label, name) for name, label in AGES),
    *((label, name) for name, label in STATUTS),
    ("Thèmes", "themes"),
    ("Sous-thèmes", "sous_themes"),
    ("Durée", "duree"),
    ("Durée en minutes", "duree_minutes"),
    ("Poursuite en accompagnement individuel", "suivi_individuel"),
    ("Poursuite en atelier collectif", "suivi_atelier"),
    ("Redirections", "nb_redirections"),
    ("Organismes de redirection", None),  # from the CRA's CraRedirection rows
    ("Annotation", "annotation"),
    ("Créé le", "created_at"),
    ("Modifié le", "updated_at"),
)
HEADERS = [header for header, _field in FIELDS]
_VALUES = [field for _header, field in FIELDS if field is not None]
_INDEX = {field: position for position, field in enumerate(_VALUES)}  # in the tuples read
_ORGANISMES_AT = HEADERS.index("Organismes de redirection")  # in the lines written

_ORGANISME_LABELS = dict(Organisme.choices)
_THEMES = tuple((THEME_BITS[theme.value], theme.label) for theme in Theme)
_SOUS_THEMES = tuple((SOUS_THEME_BITS[sous_theme.value], sous_theme.label) for sous_theme in SousTheme)
_PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
_LABELS_SEP = ", "  # between the themes of a CRA
_AUTRE_SEP = " : "  # "Autre : Mairie annexe"
_ORGANISMES_SEP = " ; "  # between the redirections of a CRA


@functools.lru_cache(maxsize=4096)
def _labels(bits: int, table: tuple) -> str:
    """ "Courriel, Santé" for a bit set (the common sets cached, in bounded memory)."""
    return _LABELS_SEP.join(label for bit, label in table if bits & bit)


@functools.lru_cache(maxsize=4096)
def _date(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _moment(moment: datetime.datetime) -> str:
    local = moment.astimezone(_PARIS)
    return f"{_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def _texte(text: str | None) -> str:
    return neutralise(text) if text else ""


# The columns converted, by kind (the other columns are written as read: numbers, codes, SIRET). Both
# writers read these: the Python converters below and the SQL of cra_csv_copy.
_TEXTES = (
    "conseiller__prenom",
    "conseiller__nom",
    "conseiller__email_pro",
    "structure__nom",
    "permanence__nom",
    "nom_commune",
    "annotation",
)
_CHOIX = {"canal": Canal.choices, "activite": Activite.choices, "duree": Duree.choices}
_BITS = {"themes": _THEMES, "sous_themes": _SOUS_THEMES}
_DATES = ("date_accompagnement",)
_MOMENTS = ("created_at", "updated_at")

# Column read -> what turns its value into the cell written. Built once: the export converts millions of
# rows.
_CONVERTERS: tuple[tuple[int, Callable], ...] = tuple(
    (_INDEX[name], convert)
    for name, convert in (
        *((name, _date) for name in _DATES),
        *((name, _texte) for name in _TEXTES),
        *((name, dict(choices).__getitem__) for name, choices in _CHOIX.items()),
        *((name, functools.partial(_labels, table=table)) for name, table in _BITS.items()),
        *((name, _moment) for name in _MOMENTS),
    )
)


def _organismes(cra_ids: list[int]) -> dict[int, str]:
    """ "CAF (2) ; Autre : Mairie annexe (1)" per CRA."""
    parts = defaultdict(list)
    rows = CraRedirection.objects.filter(cra_id__in=cra_ids).order_by("cra_id", "pk")
    rows = rows.values_list("cra_id", "organisme", "nom_autre", "nombre")
    for cra_id, organisme, nom_autre, nombre in rows:
        label = _ORGANISME_LABELS[organisme]
        name = f"{label}{_AUTRE_SEP}{nom_autre}" if nom_autre else label
        parts[cra_id].append(f"{neutralise(name)} ({nombre})")
    return {cra_id: _ORGANISMES_SEP.join(names) for cra_id, names in parts.items()}


def _row(values: tuple, organismes: dict[int, str]) -> list[Cell]:
    row = list(values)
    for position, convert in _CONVERTERS:
        row[position] = convert(row[position])
    row.insert(_ORGANISMES_AT, organismes.get(values[0], ""))
    return row


def cra_lignes(cras: QuerySet[Cra]) -> Iterator[list[Cell]]:
    """The lines of the CRAs of `cras` (deleted ones excluded), by increasing id, header first; their cells
    are final (labels, dates JJ/MM/AAAA, texts neutralised): write them with Tableur.ligne_prete."""
    yield HEADERS
    cras = cras.filter(deleted_at__isnull=True).order_by("pk")
    last = 0
    while True:
        chunk = list(cras.filter(pk__gt=last).values_list(*_VALUES)[:CHUNK])
        if not chunk:
            return
        redirected = [values[0] for values in chunk if values[_INDEX["nb_redirections"]]]
        organismes = _organismes(redirected) if redirected else {}
        for values in chunk:
            yield _row(values, organismes)
        last = chunk[-1][0]
        del chunk, organismes  # one chunk in memory at a time, not two while the next one is read


# The same cells computed by PostgreSQL (cra_csv_copy). A NULL is written as nothing by COPY but an empty
# text as "": every text cell goes through NULLIF, as the Python writer writes "" and None alike.


def _sql_texte(text: Expression) -> Case:
    """neutralise() in SQL: a leading formula character gets a quote."""
    return Case(
        When(
            In(Left(text, 1), list(FORMULA_STARTS)), then=Concat(Value("'"), text, output_field=TextField())
        ),
        default=text,
        output_field=TextField(),
    )


def _sql_choix(name: str, choices) -> Case:
    return Case(
        *(When(**{name: value}, then=Value(label)) for value, label in choices), output_field=TextField()
    )


def _sql_bits(name: str, table: tuple) -> Func:
    """_labels() in SQL: concat_ws skips the NULL of the bits not set."""
    labels = (Case(When(GreaterThan(F(name).bitand(bit), 0), then=Value(label))) for bit, label in table)
    return Func(Value(_LABELS_SEP), *labels, function="concat_ws", output_field=TextField())


def _sql_format(value: Expression, pattern: str) -> Func:
    return Func(value, Value(pattern), function="to_char", output_field=TextField())


def _sql_moment(name: str) -> Func:
    """_moment() in SQL: the local time of settings.TIME_ZONE, whatever the session's time zone."""
    local = Func(Value(settings.TIME_ZONE), F(name), function="timezone", output_field=TextField())
    return _sql_format(local, "DD/MM/YYYY HH24:MI")


def _sql_organismes() -> Case:
    """_organismes() in SQL: a correlated string_agg in the order of the redirections' ids."""
    label = _sql_choix("organisme", Organisme.choices)
    name = Case(
        When(nom_autre="", then=label),
        default=Concat(label, Value(_AUTRE_SEP), F("nom_autre")),
        output_field=TextField(),
    )
    part = Concat(_sql_texte(name), Value(" ("), F("nombre"), Value(")"), output_field=TextField())
    redirections = (
        CraRedirection.objects.filter(cra=OuterRef("pk"))
        .order_by()
        .values("cra")
        .annotate(organismes=StringAgg(part, _ORGANISMES_SEP, order_by="pk"))
        .values("organismes")
    )
    return Case(When(nb_redirections__gt=0, then=Subquery(redirections)), output_field=TextField())


def _est_texte(path: str) -> bool:
    model, field = Cra, Cra._meta.pk
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        model = field.related_model
    return isinstance(field, CharField | TextField)


def _sql_cellule(name: str | None) -> Expression:
    if name is None:
        return NullIf(_sql_organismes(), Value(""), output_field=TextField())
    if name in _TEXTES:
        cell = _sql_texte(F(name))
    elif name in _CHOIX:
        cell = _sql_choix(name, _CHOIX[name])
    elif name in _BITS:
        cell = _sql_bits(name, _BITS[name])
    elif name in _DATES:
        cell = _sql_format(F(name), "DD/MM/YYYY")
    elif name in _MOMENTS:
        cell = _sql_moment(name)
    else:
        return NullIf(F(name), Value(""), output_field=TextField()) if _est_texte(name) else F(name)
    return NullIf(cell, Value(""), output_field=TextField())


def _entete() -> bytes:
    stream = io.StringIO(newline="")
    Tableur(stream).ligne_prete(HEADERS)
    return stream.getvalue().encode("utf-8")


COPY_CHUNK = 50_000  # about 17 MB of lines in memory at a time


def cra_csv_copy(cras: QuerySet[Cra], path: str, progression: Progression) -> int:
    """Writes to `path` the file of csv_write(path, cra_lignes(cras), pretes=True), byte for byte, made
    by PostgreSQL's COPY; returns the number of data lines."""
    columns = {f"cellule_{position}": _sql_cellule(name) for position, (_header, name) in enumerate(FIELDS)}
    cras = cras.filter(deleted_at__isnull=True).order_by("pk").annotate(**columns).values_list(*columns)
    count, last = 0, 0
    # One COPY per COPY_CHUNK CRAs, by keyset on the id as cra_lignes reads them: the progress is written
    # between two, on the same connection (a connection in COPY runs nothing else; another one would not
    # see an uncommitted transaction). Large chunks: each COPY is a statement to compile and plan.
    with open(path, "wb") as stream, connections[cras.db].cursor() as cursor:
        stream.write(_entete())
        while True:
            chunk = cras.filter(pk__gt=last)[:COPY_CHUNK]
            with copy_to_stdout(cursor, chunk, "FORMAT csv, DELIMITER ';'") as copy:
                # One read, one row (one CopyData message), ending with LF: an LF inside a quoted text
                # stays, as the csv module writes it.
                lignes = [bytes(ligne[:-1]) for ligne in copy]
            if not lignes:
                return count
            stream.write(b"\r\n".join(lignes) + b"\r\n")
            count += len(lignes)
            last = int(lignes[-1].split(b";", 1)[0])  # the id, first column
            if len(lignes) < COPY_CHUNK:
                return count
            progression(count)
