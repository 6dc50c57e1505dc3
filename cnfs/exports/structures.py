"""The export of a structures list: the list's own structures, filters and sort, with their dotation,
conseillers recrutés, and the CRAs made for them and the people accompanied over the period (from the
daily aggregates)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import QueryDict

from cnfs.exports.tableur import Cell
from cnfs.socle.periode import Periode, periode_demandee
from conseillers.scoping import Scope
from conseillers.selectors import departements_of_scope, structures_for_pilotage
from stats.pilotage import structures_with_activite
from structures.filters import StructureFilter
from structures.models import Structure

CHUNK = 2000
HEADERS = [
    "Nom",
    "SIRET",
    "Commune",
    "Code postal",
    "Département",
    "Région",
    "Type",
    "Statut",
    "Dotation",
    "Conseillers recrutés",
    "CRA saisis (période)",
    "Personnes accompagnées (période)",
]


def structures_lignes(scope: Scope, structures: QuerySet[Structure]) -> Iterator[list[Cell]]:
    """Header, then one line per structure of `structures` (as structures_a_exporter left them), read by
    chunks. `scope`: the same signature as the conseillers' lines (a structure shows the same to all)."""
    yield HEADERS
    for structure in structures.iterator(chunk_size=CHUNK):
        yield [
            structure.nom,
            structure.siret,
            structure.nom_commune,
            structure.code_postal,
            structure.departement_id,
            structure.departement.region_id,
            structure.get_type_display(),
            structure.get_statut_display(),
            structure.dotation,
            structure.recrutes,
            structure.cra_periode,
            structure.personnes_periode,
        ]


def structures_a_exporter(scope: Scope, params: QueryDict) -> tuple[QuerySet[Structure], Periode]:
    """The structures of the pilotage list a role sees with `params` (its query string: period, search,
    filters, sort), annotated for the export. Built the same way in the request and in a worker."""
    periode, _messages, _today = periode_demandee(params, conseiller=False)
    structures = structures_with_activite(structures_for_pilotage(scope), periode)
    filtre = StructureFilter(params, queryset=structures, departements=departements_of_scope(scope))
    return filtre.qs, periode
