"""The statistics pages (SPEC §6, §7): one template, `stats/statistiques.html`, whatever the scope, and the
"Statistiques par territoire" table.

The scope always comes from the logged-in account's active role (conseillers.scoping): an object outside it is
a 404. Every filter read from the query string is checked here; what is wrong or not the account's is
dropped with a French message, never an error page nor someone else's figures.
"""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from accounts.enums import PILOTAGE_ROLES, RoleKind
from cnfs.exports.statistiques import Entete
from cnfs.pages import exports, navigation
from cnfs.pages.decorators import conseiller_required, role_required
from cnfs.pages.navigation import PILOTAGE, Lien, accueil
from cnfs.socle.listes import EnTete
from cnfs.socle.periode import period_picker, periode_demandee
from cnfs.socle.texte import replie
from stats.acces import (
    employeurs,
    equipe_actuelle,
    perimetre_autorise,
    statistiques_du_conseiller,
    territoires_lisibles,
)
from stats.charts import page_charts
from stats.definitions import TERRITOIRE_COLUMNS, cras_comptes
from stats.request import CODE_COMMUNE, CODE_POSTAL, StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.territoires import departements_du_territoire, tableau_territoires
from structures.enums import MAILLES_DU_TABLEAU, Maille
from structures.models import Departement, Hub, Region, Structure


def _lieu_filter(params) -> tuple[str, str, list[str]]:
    """The code postal (and optional code commune INSEE) asked, or "" with the reason it was dropped."""
    code_postal = params.get("code_postal", "").strip()
    code_commune = params.get("code_commune", "").strip().upper()
    if code_postal and not CODE_POSTAL.fullmatch(code_postal):
        return "", "", [f"Le code postal « {code_postal} » n'est pas valide : il compte 5 chiffres."]
    if code_commune and not (code_postal and CODE_COMMUNE.fullmatch(code_commune)):
        message = f"Le code commune « {code_commune} » n'est pas valide : il compte 5 caractères"
        return code_postal, "", [f"{message} et s'accompagne d'un code postal."]
    return code_postal, code_commune, []


def _employer_filter(params, employers, *, own: bool) -> tuple[Structure | None, list[str]]:
    """One of the conseiller's employers, or None (all of them)."""
    asked = params.get("structure", "").strip()
    if not asked:
        return None, []
    employer = next((s for s in employers if str(s.pk) == asked), None)
    if employer is None:
        whose = "vos employeurs : toutes vos" if own else "ses employeurs : toutes ses"
        return None, [f"Cette structure ne fait pas partie de {whose} structures sont comptées."]
    return employer, []


def _postes(periode, departements, par_region: bool, *, total: str):
    """The conseillers and dotation of a territory's départements, or of every région; None elsewhere."""
    if departements is not None:
        return tableau_territoires(
            Maille.DEPARTEMENT, periode.du, periode.au, departements=departements, total=total
        )
    if par_region:
        return tableau_territoires(Maille.REGION, periode.du, periode.au, total=total)
    return None


def _statistics_page(
    request,
    scope: StatsScope,
    *,
    titre: str,
    scope_name: str,
    fil_ariane: Sequence[Lien] = (),
    conseiller_default: bool = False,
    lieu: bool = False,
    employers: Sequence[Structure] = (),
    own: bool = False,
    cra_export: bool = True,
    employeur: str = "",
    departements: QuerySet[Departement] | None = None,
    par_region: bool = False,
    fiche: Lien | None = None,
):
    """The statistics page of `scope` and its exports. `lieu`: offer the code postal / commune filter;
    `employers`: offer the choice of one of them (a conseiller with several employers); `cra_export`:
    offer the export of the CRAs behind the figures; `employeur`: the name of the structure the scope
    is restricted to; `departements`: those of a territory, whose conseillers and dotation are shown;
    `par_region`: the whole country's conseillers and dotation, région by région;
    `fiche`: the fiche of the conseiller or structure, one click away from its figures."""
    periode, messages, today = periode_demandee(request.GET, conseiller=conseiller_default)
    code_postal, code_commune, lieu_messages = _lieu_filter(request.GET) if lieu else ("", "", [])
    employer, employer_messages = None, []
    if len(employers) > 1:
        employer, employer_messages = _employer_filter(request.GET, employers, own=own)
        if employer is not None:
            scope = StatsScope.conseiller(scope.id, structure_id=employer.pk)
    stats_request = StatsRequest(
        scope, periode.du, periode.au, code_postal=code_postal, code_commune=code_commune
    )
    kept = {"code_postal": code_postal, "code_commune": code_commune}
    kept["structure"] = str(employer.pk) if employer else ""
    kept = {name: value for name, value in kept.items() if value}
    employeur = employer.nom if employer else employeur
    entete = Entete(titre, scope_name, timezone.localtime(), cras_comptes(scope, employeur=employeur))
    if request.method == "POST":
        return exports.demander(request, stats_request, entete, cra_export=cra_export)
    stats = statistiques(stats_request)
    if request.GET.get("export") == "csv":
        return exports.statistiques_csv(stats, entete)
    export_query = QueryDict(mutable=True)
    export_query.update({**kept, "du": periode.du.isoformat(), "au": periode.au.isoformat()})
    return render(
        request,
        "stats/statistiques.html",
        {
            "titre": titre,
            "scope_name": scope_name,
            "fil_ariane": fil_ariane,
            "stats": stats,
            "charts": page_charts(stats),
            "picker": period_picker(periode, today=today, kept=kept),
            "messages_filtres": [*messages, *lieu_messages, *employer_messages],
            "lieu": lieu,
            "code_postal": code_postal,
            "code_commune": code_commune,
            "employers": employers if len(employers) > 1 else [],
            "employer": employer,
            "own": own,
            "export_query": export_query.urlencode(),
            "cra_export": cra_export,
            "cras_comptes": entete.cras_comptes,
            "fiche": fiche,
            "territoire": _postes(periode, departements, par_region, total=scope_name),
        },
    )


@conseiller_required
def coop(request, conseiller):
    """A conseiller's own statistics: this month by default, one employer or all, one place or all."""
    return _statistics_page(
        request,
        StatsScope.conseiller(conseiller.pk),
        titre="Mes statistiques",
        scope_name=f"{conseiller.prenom} {conseiller.nom}",
        conseiller_default=True,
        lieu=True,
        employers=list(employeurs(conseiller)),
        own=True,
    )


@role_required(*PILOTAGE_ROLES)
def conseiller(request, pk):
    """A conseiller's statistics. A structure sees only the CRAs made for it (SPEC §2); the other roles see
    all of them, or those of one of his employers."""
    conseiller = get_object_or_404(request.scope.conseillers(), pk=pk)
    name = f"{conseiller.prenom} {conseiller.nom}"
    fiche = Lien(name, reverse("conseillers:fiche", args=[pk]))
    fil_ariane = [PILOTAGE, fiche, Lien("Statistiques")]
    scope = statistiques_du_conseiller(request.scope, pk)
    # A structure counts only the CRAs made for it: no choice of employer.
    employers = [] if scope.structure_id else list(employeurs(conseiller))
    employeur = request.role.structure.nom if scope.structure_id else ""
    return _statistics_page(
        request,
        scope,
        titre="Statistiques du conseiller",
        scope_name=name,
        fil_ariane=fil_ariane,
        lieu=True,
        employers=employers,
        employeur=employeur,
        fiche=Lien(f"Voir la fiche de {name}", fiche.url),
    )


@role_required(*PILOTAGE_ROLES)
def structure(request, pk):
    """A structure's statistics: the CRAs made for it, by its conseillers of today and of the past."""
    structure = get_object_or_404(request.scope.structures(), pk=pk)
    fiche = Lien(structure.nom, reverse("structures:fiche", args=[pk]))
    return _statistics_page(
        request,
        StatsScope.structure(pk),
        titre="Statistiques de la structure",
        scope_name=structure.nom,
        fil_ariane=[PILOTAGE, fiche, Lien("Statistiques")],
        lieu=True,
        fiche=Lien("Voir la fiche de la structure", fiche.url),
    )


@role_required(RoleKind.COORDINATEUR)
def equipe(request):
    """A coordinateur's team: the CRAs of every conseiller he coordinates, himself included."""
    coordinateur = request.scope.conseiller
    if coordinateur is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucune fiche de conseiller.")
    return _statistics_page(
        request,
        equipe_actuelle(request.scope),
        titre="Statistiques de mon équipe",
        scope_name=f"Conseillers coordonnés par {coordinateur.prenom} {coordinateur.nom}",
        fil_ariane=[PILOTAGE, Lien("Statistiques de mon équipe")],
    )


def _territory(maille: str, code: str) -> tuple[StatsScope, str]:
    """The scope and the name of a département, a région or a hub, 404 when it does not exist."""
    if maille == Maille.DEPARTEMENT:
        departement = get_object_or_404(Departement, code=code)
        return StatsScope.departement(code), f"{departement.nom} ({departement.code})"
    if maille == Maille.REGION:
        region = get_object_or_404(Region, code=code)
        return StatsScope.region(code), f"Région {region.nom}"
    if maille == Maille.HUB and code.isdecimal():
        hub = get_object_or_404(Hub, pk=int(code))
        return StatsScope.hub(hub.pk), hub.nom
    raise Http404("Territoire inconnu.")


def territoire(request, maille, code):
    """The statistics of one département, région or hub (every role reads every territory, SPEC §2), its
    conseillers and dotation today, and, for a région or a hub, the same figures for each département."""
    scope, name = _territory(maille, code)
    if perimetre_autorise(request.scope, scope) is None:
        raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
    return _statistics_page(
        request,
        scope,
        titre="Statistiques du territoire",
        scope_name=name,
        fil_ariane=[*accueil(request.role), navigation.territoires(Maille(maille)), Lien(name)],
        cra_export=perimetre_autorise(request.scope, scope, cras=True) is not None,
        departements=departements_du_territoire(scope),
    )


def national(request):
    """Statistiques nationales: every logged-in role."""
    return _statistics_page(
        request,
        StatsScope.national(),
        titre="Statistiques nationales",
        scope_name="France entière",
        fil_ariane=[Lien("Statistiques nationales")],
        cra_export=perimetre_autorise(request.scope, StatsScope.national(), cras=True) is not None,
        par_region=True,
    )


# Sort keys of the territory table: its columns (SPEC §6), "-" for descending.
TERRITOIRE_SORTS = frozenset(key for key, _label in TERRITOIRE_COLUMNS)


def _sort(params) -> tuple[str, bool, list[str]]:
    asked = params.get("tri", "code").strip()
    key, descending = asked.removeprefix("-"), asked.startswith("-")
    if key not in TERRITOIRE_SORTS:
        return "code", False, [f"Le tri « {asked} » n'existe pas : le tableau est trié par code."]
    return key, descending, []


def _sort_value(value):
    return replie(value) if isinstance(value, str) else value


def _maille(params) -> tuple[Maille, list[str]]:
    asked = params.get("maille", Maille.DEPARTEMENT)
    if asked not in MAILLES_DU_TABLEAU:
        return Maille.DEPARTEMENT, [f"La maille « {asked} » n'existe pas : départements affichés."]
    return Maille(asked), []


def territoires(request):
    """Statistiques par territoire: one row per département or région, sortable, searchable, with totals
    (every role, SPEC §2)."""
    if not territoires_lisibles(request.scope):
        raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
    maille, maille_messages = _maille(request.GET)
    periode, messages, today = periode_demandee(request.GET, conseiller=False)
    key, descending, sort_messages = _sort(request.GET)
    recherche = request.GET.get("q", "").strip()[:100]
    tableau = tableau_territoires(maille, periode.du, periode.au)
    lignes = [ligne for ligne in tableau.lignes if replie(recherche) in replie(f"{ligne.code} {ligne.nom}")]
    lignes.sort(key=lambda ligne: _sort_value(getattr(ligne, key)), reverse=descending)
    kept = {"maille": maille.value, "q": recherche}
    if request.GET.get("du") or request.GET.get("periode"):
        kept.update({"du": periode.du.isoformat(), "au": periode.au.isoformat()})
    kept = {name: value for name, value in kept.items() if value}
    if request.GET.get("export") == "csv":
        return exports.territoires_csv(tableau, lignes)
    export_query = QueryDict(mutable=True)
    export_query.update({**kept, "tri": f"-{key}" if descending else key, "export": "csv"})
    colonnes = []
    for column, label in TERRITOIRE_COLUMNS:
        current = column == key
        query = QueryDict(mutable=True)
        query.update({**kept, "tri": f"-{column}" if current and not descending else column})
        sort = ("descending" if descending else "ascending") if current else ""
        colonnes.append(EnTete(column, label, f"?{query.urlencode()}", sort))
    mailles = []
    for choix in MAILLES_DU_TABLEAU:
        query = QueryDict(mutable=True)
        query.update({**kept, "maille": choix.value})
        query.pop("q", None)
        mailles.append({"label": choix.label, "href": f"?{query.urlencode()}", "current": choix == maille})
    return render(
        request,
        "stats/territoires.html",
        {
            "tableau": tableau,
            "lignes": lignes,
            "colonnes": colonnes,
            "mailles": mailles,
            "maille": maille,
            "hubs": Hub.objects.order_by("nom").values_list("pk", "nom"),
            "recherche": recherche,
            "picker": period_picker(periode, today=today, kept={"maille": maille.value}),
            "messages_filtres": [*maille_messages, *messages, *sort_messages],
            "fil_ariane": [*accueil(request.role), Lien("Statistiques par territoire")],
            "csv_href": f"?{export_query.urlencode()}",
        },
    )
