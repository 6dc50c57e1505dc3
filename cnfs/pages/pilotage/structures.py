"""The structures of the Tableau de pilotage: the list of the scope's structures (/pilotage/structures/)
and a structure's fiche (/pilotage/structures/<id>/).

A structure role has one structure: its list is its fiche, so /pilotage/structures/ sends it there rather
than showing a list of one row. A structure outside the scope is a 404.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.enums import PILOTAGE_ROLES, RoleKind
from cnfs.pages import exports
from cnfs.pages.decorators import role_required
from cnfs.pages.navigation import PILOTAGE, Lien
from cnfs.pages.pilotage.conseillers import PeriodeDemandee, liste_filtree
from cnfs.socle.listes import entetes_simples
from cnfs.socle.periode import default_periode
from conseillers import selectors
from conseillers.filters import COLONNES_STRUCTURE
from stats.pilotage import conseillers_of_structure, structures_with_activite
from structures.filters import StructureFilter

# The accounts of a structure (e-mails, last logins) are shown to those who manage or supervise it; a
# coordinateur coordinates conseillers, not their employers' staff.
ROLES_VOYANT_LES_COMPTES = frozenset({RoleKind.STRUCTURE, RoleKind.PREFET, RoleKind.HUB, RoleKind.ADMIN})


@role_required(*PILOTAGE_ROLES)
def liste(request):
    """The structures of the scope with their CRAs and people accompanied over a period: searchable,
    filterable, sortable, 50 per page, and exported as shown (a POST: CSV)."""
    if request.role.kind == RoleKind.STRUCTURE:
        return redirect("structures:fiche", pk=request.role.structure_id)
    if request.method == "POST" and request.POST.get("export") == "csv":
        return exports.structures_csv(request)
    periode = PeriodeDemandee(request)
    filtre = StructureFilter(
        request.GET,
        queryset=structures_with_activite(selectors.structures_for_pilotage(request.scope), periode.periode),
        departements=selectors.departements_of_scope(request.scope),
    )
    contexte = liste_filtree(request, filtre, periode)
    return render(
        request, "structures/liste.html", {**contexte, "fil_ariane": [PILOTAGE, Lien("Structures")]}
    )


def _get_structure_for_user(request, pk):
    structures = selectors.with_recrutes(request.scope.structures().select_related("departement__region"))
    return get_object_or_404(structures, pk=pk)


@role_required(*PILOTAGE_ROLES)
def fiche(request, pk):
    """A structure's fiche: its data (SPEC §3), dotation against conseillers recrutés, its conseillers of
    today and of the past with the CRAs made for it since the launch, its accounts."""
    structure = _get_structure_for_user(request, pk)
    depuis_le_debut = default_periode(today=timezone.localdate(), conseiller=False)
    conseillers = list(conseillers_of_structure(request.scope, structure.pk, depuis_le_debut))
    sienne = request.role.kind == RoleKind.STRUCTURE  # the scope holds no other structure
    comptes = invitations = None
    if request.role.kind in ROLES_VOYANT_LES_COMPTES:
        comptes = list(selectors.comptes_of_structure(structure))
        invitations = list(selectors.invitations_of_structure(structure))
    return render(
        request,
        "structures/fiche.html",
        {
            "structure": structure,
            "postes_vacants": max(structure.dotation - structure.recrutes, 0),
            "actuels": [conseiller for conseiller in conseillers if conseiller.actuel],
            "anciens": [conseiller for conseiller in conseillers if not conseiller.actuel],
            "entetes": entetes_simples(COLONNES_STRUCTURE),
            "periode": depuis_le_debut,
            # The statistics of a conseiller from here: his CRAs for this structure, as in the table.
            "stats_query": urlencode({"structure": structure.pk}),
            "comptes": comptes,
            "invitations": invitations,
            "sienne": sienne,
            "fil_ariane": [
                PILOTAGE,
                *([] if sienne else [Lien("Structures", reverse("structures:liste"))]),
                Lien(structure.nom),
            ],
        },
    )
