"""The export endpoints: a statistics page's CSV (streamed at once), the exports asked from a page (PDF,
CRAs), "Mes exports" with its downloads and relaunches.

Only the requester downloads or relaunches his exports (an admin may download any): anyone else gets a
404, whatever the id he tries; and only while the role he asked it in still reads what it covers (SPEC §18:
403 otherwise). Asking or relaunching a background export counts against the account's limit (the
"export" rate of ACCOUNT_RATE_LIMITS); the small files streamed at once do not.
"""

from collections.abc import Sequence

from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cnfs.exports import cras
from cnfs.exports.conseillers import conseillers_a_exporter, conseillers_lignes
from cnfs.exports.models import Export
from cnfs.exports.production import PerimetrePerdu, export_stats_request
from cnfs.exports.services import export_relaunch, export_request
from cnfs.exports.statistiques import Entete, csv_lignes
from cnfs.exports.structures import structures_a_exporter, structures_lignes
from cnfs.exports.tableur import csv_bytes, csv_chunks, nom_de_fichier
from cnfs.exports.territoires import territoires_lignes
from stats.acces import perimetre_du_role
from stats.reference import cras_for
from stats.request import StatsRequest
from stats.results import Statistiques
from stats.territoires import LigneTerritoire, TableauTerritoires

CSV = "text/csv; charset=utf-8"
# Up to this many lines a file streams in the response; beyond, it is made in the background.
CRA_DIRECT_MAX = 5000
CSV_DIRECT_MAX = 5000
EXPORTS_PAR_PAGE = 30
LIMITE_ATTEINTE = (
    "Vous avez demandé beaucoup d'exports en peu de temps : celui-ci n'a pas été lancé. "
    "Réessayez dans quelques minutes."
)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def statistiques_csv(stats: Statistiques, entete: Entete) -> HttpResponse:
    """The CSV of a statistics page: small, made in the request from the page's own result."""
    filename = nom_de_fichier("statistiques", entete.scope_name, stats.du, stats.au)
    return _attachment(HttpResponse(csv_bytes(csv_lignes(stats, entete)), content_type=CSV), filename)


def territoires_csv(tableau: TableauTerritoires, lignes: Sequence[LigneTerritoire]) -> HttpResponse:
    """The territory table as shown (search and sort), with its totals."""
    scope = f"{tableau.maille.label}s"
    filename = nom_de_fichier("territoires", scope, tableau.du, tableau.au)
    return _attachment(
        HttpResponse(csv_bytes(territoires_lignes(tableau, lignes)), content_type=CSV), filename
    )


def _limite_atteinte(request) -> bool:
    """Counts one background export against the account's limit; past it, says so (nothing is queued)."""
    # Every background export is asked by a POST (a statistics page's form, a list's button): allauth's
    # limiter counts those.
    if ratelimit.consume(request, action="export", user=request.user):
        return False
    messages.error(request, LIMITE_ATTEINTE)
    return True


def conseillers_csv(request):
    """The conseillers list the user sees (his role's scope, the list's filters and period)."""
    return _liste_csv(
        request,
        Export.Nature.CONSEILLERS_CSV,
        "conseillers",
        conseillers_a_exporter,
        conseillers_lignes,
    )


def structures_csv(request):
    """The structures list the user sees (his role's scope, the list's filters and period)."""
    return _liste_csv(
        request, Export.Nature.STRUCTURES_CSV, "structures", structures_a_exporter, structures_lignes
    )


def _liste_csv(request, nature: Export.Nature, objet: str, a_exporter, lignes):
    """A pilotage list as the user sees it: streamed when short, made in the background otherwise.
    `a_exporter(scope, params)` gives its rows and period, `lignes(scope, rows)` the file's lines; the file
    is named after `objet`, what the list holds ("conseillers_…", "structures_…")."""
    rows, periode = a_exporter(request.scope, request.GET)
    scope_name = str(request.role.scope_label)
    filename = nom_de_fichier(objet, scope_name, periode.du, periode.au)
    total = rows.count()
    if total <= CSV_DIRECT_MAX:
        return _attachment(
            StreamingHttpResponse(csv_chunks(lignes(request.scope, rows)), content_type=CSV), filename
        )
    query = request.GET.copy()
    query.pop("export", None)
    if _limite_atteinte(request):
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    # What the file covers: the role's whole scope (the list's filters only narrow it).
    requete = StatsRequest(perimetre_du_role(request.scope), periode.du, periode.au)
    export = export_request(
        demandeur=request.user,
        role=request.role,
        nature=nature,
        libelle=f"Liste de {objet} – {scope_name} – du {periode.du:%d/%m/%Y} au {periode.au:%d/%m/%Y}",
        nom_fichier=filename,
        parametres={"requete": requete.as_json(), "query": query.urlencode(), "total": total},
    )
    return _en_preparation(request, export)


def _en_preparation(request, export: Export):
    messages.success(
        request,
        f"Votre export « {export.libelle} » est en préparation. Vous le téléchargerez ici, dans « Mes "
        "exports », dès qu'il sera prêt ; un e-mail vous préviendra.",
    )
    return redirect("stats:exports")


def demander(request, stats_request: StatsRequest, entete: Entete, *, cra_export: bool):
    """A POST of a statistics page: its PDF (always in the background), or its CRAs (streamed when few,
    in the background otherwise)."""
    asked = request.POST.get("export")
    periode = f"du {stats_request.du:%d/%m/%Y} au {stats_request.au:%d/%m/%Y}"
    parametres = {
        "requete": stats_request.as_json(),
        "titre": entete.titre,
        "scope_name": entete.scope_name,
        "cras_comptes": entete.cras_comptes,
    }
    if asked == "pdf":
        nature = Export.Nature.STATISTIQUES_PDF
        objet, extension = "statistiques", "pdf"
    elif asked == "cra":
        if not cra_export:
            raise PermissionDenied("Votre rôle ne permet pas d'exporter les comptes rendus de cette portée.")
        nature, objet, extension = Export.Nature.CRA_CSV, "cra", "csv"
        cras_of_request = cras_for(stats_request)
        total = cras_of_request.count()
        filename = nom_de_fichier(objet, entete.scope_name, stats_request.du, stats_request.au)
        if total <= CRA_DIRECT_MAX:
            lignes = csv_chunks(cras.cra_lignes(cras_of_request), pretes=True)
            response = StreamingHttpResponse(lignes, content_type=CSV)
            return _attachment(response, filename)
        parametres["total"] = total
    else:
        messages.error(request, "Cet export n'existe pas.")
        return redirect(request.get_full_path())
    if request.role is None:
        raise PermissionDenied("Un export se demande dans l'un de vos rôles : votre compte n'en a aucun.")
    if _limite_atteinte(request):
        return redirect(request.get_full_path())
    export = export_request(
        demandeur=request.user,
        role=request.role,
        nature=nature,
        libelle=f"{Export.Nature(nature).label} – {entete.scope_name} – {periode}",
        nom_fichier=nom_de_fichier(objet, entete.scope_name, stats_request.du, stats_request.au, extension),
        parametres=parametres,
    )
    return _en_preparation(request, export)


def mes_exports(request):
    """ "Mes exports": the user's exports, the latest first, with their state and download link."""
    exports = Export.objects.filter(demandeur=request.user).order_by("-created_at", "-pk")
    page_obj = Paginator(exports, EXPORTS_PAR_PAGE).get_page(request.GET.get("page"))
    en_cours = any(export.etat in (Export.Etat.EN_ATTENTE, Export.Etat.EN_COURS) for export in page_obj)
    return render(request, "stats/exports.html", {"page_obj": page_obj, "en_cours": en_cours})


def _own_export(request, pk: int, *, admin_too: bool) -> Export:
    exports = Export.objects.all()
    if not (admin_too and request.scope is not None and request.scope.is_national):
        exports = exports.filter(demandeur=request.user)
    return get_object_or_404(exports, pk=pk)


def telecharger(request, pk: int):
    """The file of a finished export, under its readable name; never a partial or expired one, nor one
    whose scope its requester no longer reads (the national team reads every scope)."""
    export = _own_export(request, pk, admin_too=True)
    if not export.telechargeable:
        raise Http404("Ce fichier n'est pas disponible.")
    if request.scope is None or not request.scope.is_national:
        try:
            export_stats_request(export, fige=True)
        except PerimetrePerdu as error:
            raise PermissionDenied(str(error)) from error
    return FileResponse(export.fichier.open("rb"), as_attachment=True, filename=export.nom_fichier)


@require_POST
def relancer(request, pk: int):
    """Starts a failed or expired export again, if its requester still reads its scope and is under his
    limit of exports."""
    export = _own_export(request, pk, admin_too=False)
    if not export.relancable:
        messages.info(request, "Cet export n'est ni en échec ni expiré : il n'y a rien à relancer.")
    elif not _limite_atteinte(request):
        try:
            export_relaunch(export)
        except PerimetrePerdu as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"L'export « {export.libelle} » est relancé.")
    return redirect("stats:exports")
