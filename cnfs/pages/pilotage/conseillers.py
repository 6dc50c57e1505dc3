"""The Tableau de pilotage's home (/pilotage/) and the fiche "Détail" of a conseiller.

Everything is read through the active role's scope (conseillers.scoping): a conseiller outside it is a 404.
"""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render

from accounts.enums import PILOTAGE_ROLES, RoleKind
from cnfs.pages import exports
from cnfs.pages.decorators import role_required
from cnfs.pages.navigation import PILOTAGE, Lien
from cnfs.socle.listes import entetes_simples, etat_liste, kept_without
from cnfs.socle.periode import default_periode, period_picker, periode_demandee
from conseillers.filters import COLONNES_STRUCTURE, ConseillerFilter
from conseillers.selectors import departements_of_scope
from stats.pilotage import conseillers_for_pilotage, conseillers_of_structure, fiche_conseiller

PAGE_SIZE = 50
PERIODE_PARAMS = ("du", "au", "periode")


class PeriodeDemandee:
    """The period of the CRA columns asked in the query string (since the launch by default), the French
    messages when it was refused, and its parameters for the links to the statistics pages."""

    def __init__(self, request):
        self.periode, self.messages, self.today = periode_demandee(request.GET, conseiller=False)
        self.defaut = default_periode(today=self.today, conseiller=False)

    @property
    def query(self) -> str:
        """`du=…&au=…` when the period is not the default one, so that "Statistiques" shows the same."""
        if self.periode == self.defaut:
            return ""
        query = QueryDict(mutable=True)
        query.update({"du": self.periode.du.isoformat(), "au": self.periode.au.isoformat()})
        return query.urlencode()

    def picker(self, kept=()):
        return period_picker(self.periode, today=self.today, kept=dict(kept))


@role_required(*PILOTAGE_ROLES)
def pilotage(request):
    """Home of the Tableau de pilotage: a structure's own conseillers (as in its guide), or the conseillers
    of the scope, searchable, filterable, sortable and paginated, with their CRAs over a period."""
    if request.method == "POST" and request.POST.get("export") == "csv":
        return exports.conseillers_csv(request)
    periode = PeriodeDemandee(request)
    if request.role.kind == RoleKind.STRUCTURE:
        return _pilotage_structure(request, periode)
    filtre = ConseillerFilter(
        request.GET,
        queryset=conseillers_for_pilotage(request.scope, periode.periode),
        departements=departements_of_scope(request.scope),
    )
    return render(request, "conseillers/pilotage.html", liste_filtree(request, filtre, periode))


def liste_filtree(request, filtre, periode: PeriodeDemandee) -> dict:
    """The context of a filtered pilotage list over a period (conseillers, structures): its page of 50, the
    state of its filters and sort, its period picker and the messages of what was not retained."""
    # A refused period is not repeated by the links of the page (sort, pages, presets).
    gardes = () if periode.messages else PERIODE_PARAMS
    etat = etat_liste(filtre, params=request.GET, gardes=gardes, defaut="nom")
    return {
        "page_obj": Paginator(filtre.qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "filtre": filtre,
        "etat": etat,
        "filtres_actifs": bool(set(QueryDict(etat.query)) - {"tri", *PERIODE_PARAMS}),
        "periode": periode.periode,
        "stats_query": periode.query,
        "picker": periode.picker(kept_without(QueryDict(etat.query), *PERIODE_PARAMS)),
        "messages_filtres": [*periode.messages, *etat.messages],
    }


def _pilotage_structure(request, periode: PeriodeDemandee):
    """A structure's home: its conseillers in post, then its former ones, with the CRAs made for it."""
    conseillers = list(conseillers_of_structure(request.scope, request.role.structure_id, periode.periode))
    return render(
        request,
        "conseillers/pilotage_structure.html",
        {
            "structure": request.role.structure,
            "actuels": [conseiller for conseiller in conseillers if conseiller.actuel],
            "anciens": [conseiller for conseiller in conseillers if not conseiller.actuel],
            "entetes": entetes_simples(COLONNES_STRUCTURE),
            "periode": periode.periode,
            "stats_query": periode.query,
            "picker": periode.picker(),
            "messages_filtres": periode.messages,
        },
    )


def _get_conseiller_for_user(request, pk):
    conseillers = request.scope.conseillers().select_related("structure__departement__region")
    return get_object_or_404(conseillers, pk=pk)


@role_required(*PILOTAGE_ROLES)
def fiche(request, pk):
    """The fiche "Détail" of a conseiller: identity, contacts, employers, training, Activé, CCP1, lieux,
    supérieur hiérarchique, and his CRAs (a structure counts only those made for it)."""
    conseiller = _get_conseiller_for_user(request, pk)
    periode = PeriodeDemandee(request)
    return render(
        request,
        "conseillers/fiche.html",
        {
            "fiche": fiche_conseiller(request.scope, conseiller, periode.periode),
            "conseiller": conseiller,
            "pour_structure": request.role.kind == RoleKind.STRUCTURE,
            "periode": periode.periode,
            "stats_query": periode.query,
            "picker": periode.picker(),
            "messages_filtres": periode.messages,
            "fil_ariane": [PILOTAGE, Lien(f"{conseiller.prenom} {conseiller.nom}")],
        },
    )
