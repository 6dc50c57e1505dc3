"""The pieces every list of the pages shares (django-filter): the search box, the yes / no questions, the sort
on every column, the headers and the messages of what was not retained.

Every value lives in the URL. A wrong value (an unknown sort, a département outside the scope, a search
too long) is dropped by its form field and explained in French; the page still answers, with the rest.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import F, Q
from django.http import QueryDict
from django_filters.constants import EMPTY_VALUES

RECHERCHE_MAX = 100
# Beyond 18 digits a number cannot be a primary key (64-bit) and SQLite would refuse the parameter.
ID_MAX_DIGITS = 18
OUI_NON = (("oui", "Oui"), ("non", "Non"))


def recherche(texte: str, *, champs: Sequence[str], siret: str | None = None) -> Q:
    """Each word of `texte` found (case-insensitive substring) in one of `champs`; or, when the text is
    only digits (spaces allowed, as a SIRET is often typed), the exact id or the start of the SIRET.

    Only ORM lookups: `icontains` escapes the LIKE wildcards, so `%`, `_`, `.*` or quotes are plain text.
    """
    mots = texte.split()
    condition = Q()
    for mot in mots:
        condition &= Q.create([(f"{champ}__icontains", mot) for champ in champs], connector=Q.OR)
    chiffres = "".join(mots)
    if chiffres.isdigit() and chiffres.isascii():
        if len(chiffres) <= ID_MAX_DIGITS:
            condition |= Q(pk=int(chiffres))
        if siret:
            condition |= Q(**{f"{siret}__startswith": chiffres})
    return condition


class RechercheFilter(django_filters.CharFilter):
    """The search box of a list: see `recherche`."""

    def __init__(self, *args, champs: Sequence[str], siret: str | None = None, **kwargs):
        self.champs, self.siret = champs, siret
        kwargs.setdefault("max_length", RECHERCHE_MAX)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(recherche(value, champs=self.champs, siret=self.siret))


class OuiNonFilter(django_filters.ChoiceFilter):
    """A yes / no question on a list ("Activé : oui / non"); `condition` is what "oui" means."""

    def __init__(self, *args, condition: Q, **kwargs):
        self.condition = condition
        kwargs.setdefault("empty_label", "Tous")
        super().__init__(*args, choices=OUI_NON, **kwargs)

    def filter(self, qs, value):
        if value == "oui":
            return qs.filter(self.condition)
        if value == "non":
            return qs.exclude(self.condition)
        return qs


@dataclass(frozen=True)
class ColonneTri:
    """A column of a list: its key in `?tri=`, its header, and the field or annotation it sorts on."""

    cle: str
    label: str
    champ: str


class TriFilter(django_filters.OrderingFilter):
    """`?tri=nom`, `?tri=-cra`: one of the list's columns, descending with "-". Empty cells go last either
    way (SQLite and PostgreSQL disagree otherwise), and `departage` keeps the pages stable among equals."""

    descending_fmt = "%s (ordre décroissant)"

    def __init__(self, *args, colonnes: Sequence[ColonneTri], departage: Sequence[str] = ("pk",), **kwargs):
        self.colonnes = tuple(colonnes)
        self.departage = tuple(departage)
        kwargs.setdefault("label", "Trier par")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "Le tri « %(value)s » n'existe pas : la liste garde son ordre habituel."},
        )
        super().__init__(
            *args,
            fields=[(colonne.champ, colonne.cle) for colonne in self.colonnes],
            field_labels={colonne.champ: colonne.label for colonne in self.colonnes},
            **kwargs,
        )

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        champ = F(self.param_map[param.removeprefix("-")])
        return champ.desc(nulls_last=True) if descending else champ.asc(nulls_last=True)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value if param), *self.departage)


@dataclass(frozen=True)
class EnTete:
    """A column header: its sort link (the other way round when it is the current sort), its aria-sort."""

    cle: str
    label: str
    href: str = ""
    sort: str = ""  # "ascending", "descending" or ""


@dataclass(frozen=True)
class EtatListe:
    """What a list page needs from its filters: the headers, the current sort, the parameters to keep
    (filters and period without the page, for the pagination) and the messages of what was dropped."""

    entetes: tuple[EnTete, ...]
    tri: str
    query: str
    messages: tuple[str, ...]


def etat_liste(
    filtre: django_filters.FilterSet, *, params: QueryDict, gardes: Sequence[str] = (), defaut: str = ""
) -> EtatListe:
    """The state of a list filtered by `filtre` from the query string `params`. Its links keep the valid
    filters and `gardes`, the page's other parameters (its period, unless it was refused)."""
    erreurs = filtre.form.errors
    messages = [
        message if name == "tri" else f"{filtre.form.fields[name].label} : {message}"
        for name, errors in erreurs.items()
        for message in errors
    ]
    kept = QueryDict(mutable=True)
    for name, values in params.lists():
        if (name in filtre.filters or name in gardes) and name not in erreurs and any(values):
            kept.setlist(name, values)
    tri = kept.get("tri", defaut)
    sans_tri = kept.copy()
    sans_tri.pop("tri", None)
    return EtatListe(
        entetes=_entetes(filtre.filters["tri"].colonnes, tri, sans_tri),
        tri=tri,
        query=kept.urlencode(),
        messages=tuple(messages),
    )


def _entetes(colonnes: Sequence[ColonneTri], tri: str, kept: QueryDict) -> tuple[EnTete, ...]:
    courant = tri.split(",")[0]
    entetes = []
    for colonne in colonnes:
        query = kept.copy()
        if courant == colonne.cle:
            query["tri"], sort = f"-{colonne.cle}", "ascending"
        elif courant == f"-{colonne.cle}":
            query["tri"], sort = colonne.cle, "descending"
        else:
            query["tri"], sort = colonne.cle, ""
        entetes.append(EnTete(colonne.cle, colonne.label, f"?{query.urlencode()}", sort))
    return tuple(entetes)


def entetes_simples(colonnes: Sequence[ColonneTri]) -> tuple[EnTete, ...]:
    """The headers of a list that is not sortable (a structure's own conseillers)."""
    return tuple(EnTete(colonne.cle, colonne.label) for colonne in colonnes)


def kept_without(params: Mapping[str, str], *names: str) -> dict[str, str]:
    """The single-valued parameters of `params` but `names` (for links that replace them)."""
    return {name: value for name, value in params.items() if value and name not in names}
