"""The CRA export (SPEC §7): one line per CRA, every field, readable labels.

Rows are read by keyset pagination on the id (chunks of CHUNK rows as tuples, their redirections in one
more query per chunk): memory stays bounded whatever the number of CRAs, on SQLite as on PostgreSQL.
"""

import datetime
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import QuerySet

from cra.enums import AGES, STATUTS, Activite, Canal, Duree, Organisme, SousTheme, Theme
from cra.models import SOUS_THEME_BITS, THEME_BITS, Cra, CraRedirection
from stats.exports.tableur import Cell, neutralise

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


@functools.lru_cache(maxsize=4096)
def _labels(bits: int, table: tuple) -> str:
    """ "Courriel, Santé" for a bit set (the common sets cached, in bounded memory)."""
    return ", ".join(label for bit, label in table if bits & bit)


@functools.lru_cache(maxsize=4096)
def _date(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _moment(moment: datetime.datetime) -> str:
    local = moment.astimezone(_PARIS)
    return f"{_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def _texte(text: str | None) -> str:
    return neutralise(text) if text else ""


# Column read -> what turns its value into the cell written (the other columns are numbers, written as
# they are). Built once: the export converts millions of rows.
_CONVERTERS: tuple[tuple[int, Callable], ...] = tuple(
    (_INDEX[name], convert)
    for name, convert in (
        ("date_accompagnement", _date),
        ("conseiller__prenom", _texte),
        ("conseiller__nom", _texte),
        ("conseiller__email_pro", _texte),
        ("structure__nom", _texte),
        ("canal", dict(Canal.choices).__getitem__),
        ("permanence__nom", _texte),
        ("nom_commune", _texte),
        ("activite", dict(Activite.choices).__getitem__),
        ("themes", functools.partial(_labels, table=_THEMES)),
        ("sous_themes", functools.partial(_labels, table=_SOUS_THEMES)),
        ("duree", dict(Duree.choices).__getitem__),
        ("annotation", _texte),
        ("created_at", _moment),
        ("updated_at", _moment),
    )
)


def _organismes(cra_ids: list[int]) -> dict[int, str]:
    """ "CAF (2) ; Autre : Mairie annexe (1)" per CRA."""
    parts = defaultdict(list)
    rows = CraRedirection.objects.filter(cra_id__in=cra_ids).order_by("cra_id", "pk")
    rows = rows.values_list("cra_id", "organisme", "nom_autre", "nombre")
    for cra_id, organisme, nom_autre, nombre in rows:
        name = f"{_ORGANISME_LABELS[organisme]} : {nom_autre}" if nom_autre else _ORGANISME_LABELS[organisme]
        parts[cra_id].append(f"{neutralise(name)} ({nombre})")
    return {cra_id: " ; ".join(names) for cra_id, names in parts.items()}


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
