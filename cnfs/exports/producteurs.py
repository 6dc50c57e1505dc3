"""The files of the background exports, one producer per nature (registered in cnfs.exports.production).

Each reads `parametres["requete"]` as cnfs.exports.production.export_make left it: what the export covers,
checked and derived again from the requester's role as it is now.
"""

from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from accounts.models import Role
from cnfs.exports import cras, statistiques
from cnfs.exports.conseillers import conseillers_a_exporter, conseillers_lignes
from cnfs.exports.models import Export
from cnfs.exports.production import csv_write, producteur
from cnfs.exports.structures import structures_a_exporter, structures_lignes
from conseillers.scoping import Scope
from stats.reference import cras_for
from stats.request import StatsRequest
from stats.selectors import statistiques as compute


@producteur(Export.Nature.STATISTIQUES_PDF, "pdf")
def statistiques_pdf(export: Export, path: str, progression) -> int:
    """The PDF of a statistics page: the same request, the same numbers."""
    parametres = export.parametres
    stats = compute(StatsRequest.from_json(parametres["requete"]))
    entete = statistiques.Entete(
        parametres["titre"],
        parametres["scope_name"],
        timezone.localtime(),
        # Exports asked before the sentence existed have none.
        parametres.get("cras_comptes", ""),
    )
    with open(path, "wb") as stream:
        stream.write(statistiques.pdf_bytes(stats, entete))
    return 1


@producteur(Export.Nature.CRA_CSV, "csv")
def cra_csv(export: Export, path: str, progression) -> int:
    """The CRAs of a statistics request, one line each (written by PostgreSQL itself when it is there: the
    same bytes, several times faster)."""
    request = StatsRequest.from_json(export.parametres["requete"])
    if connection.vendor == "postgresql":
        return cras.cra_csv_copy(cras_for(request), path, progression)
    return csv_write(path, cras.cra_lignes(cras_for(request)), progression, pretes=True)


@producteur(Export.Nature.CONSEILLERS_CSV, "csv")
def conseillers_csv(export: Export, path: str, progression) -> int:
    """A conseillers list as its requester sees it now: his role's scope, the list's query string."""
    scope = Scope(Role.objects.with_scope().get(pk=export.role_id, user=export.demandeur_id))
    conseillers, _periode = conseillers_a_exporter(scope, QueryDict(export.parametres["query"]))
    return csv_write(path, conseillers_lignes(scope, conseillers), progression)


@producteur(Export.Nature.STRUCTURES_CSV, "csv")
def structures_csv(export: Export, path: str, progression) -> int:
    """A structures list as its requester sees it now: his role's scope, the list's query string."""
    scope = Scope(Role.objects.with_scope().get(pk=export.role_id, user=export.demandeur_id))
    structures, _periode = structures_a_exporter(scope, QueryDict(export.parametres["query"]))
    return csv_write(path, structures_lignes(scope, structures), progression)
