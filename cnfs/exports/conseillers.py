"""The export of a conseillers list (SPEC §7): the list's own conseillers and filters, with their CRAs and
people accompanied over the period (from the daily aggregates) and their current contract.

It shows about each conseiller what his fiche shows the role (SPEC §18, conseillers.selectors.poste_visible):
to a structure he left, not his new structure, contract or supérieur.
"""

from collections.abc import Iterator

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict

from accounts.enums import RoleKind
from cnfs.exports.tableur import Cell
from cnfs.socle.periode import Periode, periode_demandee
from conseillers.filters import ConseillerFilter
from conseillers.models import Conseiller, Contrat
from conseillers.scoping import Scope
from conseillers.selectors import departements_of_scope, poste_visible
from stats import pilotage
from stats.models import AgregatJour

CHUNK = 2000
HEADERS = [
    "Prénom",
    "Nom",
    "E-mail professionnel",
    "Structure",
    "SIRET",
    "Code postal de la structure",
    "Département",
    "Statut",
    "Date de début de contrat",
    "Date de fin de contrat",
    "Date de fin de formation",
    "Certification",
    "Activé",
    "Coordinateur",
    "CRA saisis (période)",
    "Personnes accompagnées (période)",
    "Date du dernier CRA",
    "Nom du supérieur hiérarchique",
    "Prénom du supérieur hiérarchique",
    "Fonction du supérieur hiérarchique",
    "E-mail du supérieur hiérarchique",
    "Téléphone du supérieur hiérarchique",
]


def with_export_columns(
    conseillers: QuerySet[Conseiller], periode: Periode, *, structure_id: int | None = None
) -> QuerySet[Conseiller]:
    """Adds what the export shows besides the list's columns: the people accompanied over the period
    (SPEC §5 "personnes", from the aggregates) and the dates of the contract with the current structure;
    `structure_id`: for that structure only (a structure's list: its former conseillers' contract with it,
    not with their new employer). Still one query for the whole list."""
    rows = AgregatJour.objects.filter(conseiller=OuterRef("pk"), jour__range=(periode.du, periode.au))
    if structure_id is not None:
        rows = rows.filter(structure_id=structure_id)
    personnes = rows.order_by().values("conseiller").annotate(total=pilotage.personnes_sum()).values("total")
    employeur = OuterRef("structure") if structure_id is None else structure_id
    contrat = Contrat.objects.filter(conseiller=OuterRef("pk"), structure=employeur).order_by("-date_debut")
    return conseillers.annotate(
        personnes_periode=Coalesce(Subquery(personnes, output_field=IntegerField()), 0),
        contrat_debut=Subquery(contrat.values("date_debut")[:1]),
        contrat_fin=Subquery(contrat.values("date_fin")[:1]),
    )


def _row(scope: Scope, conseiller: Conseiller) -> list[Cell]:
    visible = poste_visible(scope, conseiller)
    structure = conseiller.structure if visible else None
    # The supérieur of his current post, as on the fiche: none without a post the role sees.
    superieur = (
        (
            conseiller.superieur_nom,
            conseiller.superieur_prenom,
            conseiller.superieur_fonction,
            conseiller.superieur_email,
            conseiller.superieur_telephone,
        )
        if structure
        else ("",) * 5
    )
    return [
        conseiller.prenom,
        conseiller.nom,
        conseiller.email_pro,
        structure.nom if structure else "",
        structure.siret if structure else "",
        structure.code_postal if structure else "",
        structure.departement_id if structure else "",
        conseiller.get_statut_display() if visible else "A quitté votre structure",
        conseiller.contrat_debut,
        conseiller.contrat_fin,
        conseiller.date_sortie_formation,
        f"Certifié le {conseiller.date_certification:%d/%m/%Y}" if conseiller.date_certification else "Non",
        f"Activé le {conseiller.date_activation:%d/%m/%Y}" if conseiller.date_activation else "Non",
        conseiller.est_coordinateur,
        conseiller.cra_periode,
        conseiller.personnes_periode,
        conseiller.dernier_cra,
        *superieur,
    ]


def conseillers_lignes(scope: Scope, conseillers: QuerySet[Conseiller]) -> Iterator[list[Cell]]:
    """Header, then one line per conseiller of `conseillers` (annotated with stats.pilotage.with_cra and
    with_export_columns) as the role of `scope` sees him, read by chunks."""
    yield HEADERS
    for conseiller in conseillers.iterator(chunk_size=CHUNK):
        yield _row(scope, conseiller)


def conseillers_a_exporter(scope: Scope, params: QueryDict) -> tuple[QuerySet[Conseiller], Periode]:
    """The conseillers of the pilotage list a role sees with `params` (its query string: period, search,
    filters, sort), annotated for the export. Built the same way in the request and in a worker."""
    periode, _messages, _today = periode_demandee(params, conseiller=False)
    if scope.kind == RoleKind.STRUCTURE:
        structure_id = scope.role.structure_id
        conseillers = pilotage.conseillers_of_structure(scope, structure_id, periode)
    else:
        structure_id = None
        conseillers = ConseillerFilter(
            params,
            queryset=pilotage.conseillers_for_pilotage(scope, periode),
            departements=departements_of_scope(scope),
        ).qs
    conseillers = conseillers.select_related("structure")
    return with_export_columns(conseillers, periode, structure_id=structure_id), periode
