from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from accounts.enums import RoleKind
from cnfs.pages.decorators import conseiller_required, role_required
from cnfs.socle.periode import default_periode
from cra import selectors, services
from cra.enums import Canal
from cra.filters import CraHistoryFilter
from cra.forms import CraForm
from cra.services import CraInvalid, cra_context_for
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from structures.communes import ReferentielCommunes

HISTORY_PAGE_SIZE = 30


@role_required(RoleKind.CONSEILLER, RoleKind.COORDINATEUR)
def home(request):
    conseiller = request.scope.conseiller
    context = {"conseiller": conseiller}
    if conseiller is not None:
        today = timezone.localdate()
        periode = default_periode(today=today, conseiller=True)  # this month
        month = statistiques(StatsRequest(StatsScope.conseiller(conseiller.pk), periode.du, periode.au))
        context.update(
            today=today,
            figures={"cras": month["cra"], "personnes": month["personnes"], "ateliers": month["ateliers"]},
            last_cras=selectors.cras_of_conseiller(conseiller).order_by(*selectors.HISTORY_ORDERINGS["date"])[
                :5
            ],
        )
    return render(request, "cra/home.html", context)


def _form_page(request, conseiller, form, cra=None):
    return render(
        request,
        "cra/form.html",
        {"form": form, "cra": cra, "has_permanences": bool(form.fields["permanence"].choices[1:])},
    )


def _form(conseiller, data=None, initial=None):
    permanences = list(selectors.permanences_of_conseiller(conseiller))
    return CraForm(
        data,
        initial=initial,
        context=cra_context_for(conseiller, permanences=permanences),
        permanences=permanences,
    )


def _add_errors(form, invalid: CraInvalid):
    """Rules broken between the form's check and the save (a contract changed meanwhile, say)."""
    for name, errors in invalid.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _kept_values(request, conseiller) -> dict:
    """The date and lieu kept by "Saisir un autre compte rendu" (read from the URL, never trusted)."""
    kept = {}
    try:
        day = parse_date(request.GET.get("date_accompagnement", ""))
    except ValueError:
        day = None
    if day is not None:
        kept["date_accompagnement"] = day
    lieu = request.GET.get("permanence", "")
    if lieu.isdigit() and selectors.permanences_of_conseiller(conseiller).filter(pk=lieu).exists():
        kept.update(permanence=int(lieu), canal=Canal.RATTACHEMENT)
    return kept


@conseiller_required
def cra_new(request, conseiller):
    if request.method != "POST":
        initial = CraForm.initial_new(principal_permanence_id=selectors.principal_permanence_id(conseiller))
        initial.update(_kept_values(request, conseiller))
        return _form_page(request, conseiller, _form(conseiller, initial=initial))
    form = _form(conseiller, data=request.POST)
    if form.is_valid():
        try:
            cra = services.cra_create(
                conseiller=conseiller,
                user=request.user,
                data=form.rule_data(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                context=form.context,
            )
        except CraInvalid as invalid:
            _add_errors(form, invalid)
        else:
            return redirect("cra:saved", pk=cra.pk)
    return _form_page(request, conseiller, form)


@conseiller_required
def cra_saved(request, conseiller, pk):
    cra = selectors.cra_of_conseiller_or_404(conseiller, pk)
    return render(request, "cra/saved.html", {"cra": cra})


IMPORTE_EN_LECTURE_SEULE = (
    "Ce compte rendu est importé de la première version : il se consulte, mais ne se modifie pas et ne se "
    "supprime pas."
)


@conseiller_required
def cra_edit(request, conseiller, pk):
    cra = selectors.cra_of_conseiller_or_404(conseiller, pk)
    if cra.est_importe:
        messages.error(request, IMPORTE_EN_LECTURE_SEULE)
        return redirect("cra:history")
    if request.method != "POST":
        return _form_page(request, conseiller, _form(conseiller, initial=CraForm.initial_for(cra)), cra)
    form = _form(conseiller, data=request.POST)
    if form.is_valid():
        try:
            services.cra_update(cra=cra, user=request.user, data=form.rule_data(), context=form.context)
        except CraInvalid as invalid:
            _add_errors(form, invalid)
        else:
            messages.success(request, "Le compte rendu est modifié.")
            return redirect("cra:history")
    return _form_page(request, conseiller, form, cra)


@conseiller_required
def cra_delete(request, conseiller, pk):
    cra = selectors.cra_of_conseiller_or_404(conseiller, pk)
    if cra.est_importe:
        messages.error(request, IMPORTE_EN_LECTURE_SEULE)
        return redirect("cra:history")
    if request.method == "POST":
        services.cra_delete(cra=cra, user=request.user)
        messages.success(request, f"Le compte rendu du {cra.date_accompagnement:%d/%m/%Y} est supprimé.")
        return redirect("cra:history")
    return render(request, "cra/delete.html", {"cra": cra})


@conseiller_required
def cra_history(request, conseiller):
    filters = CraHistoryFilter(request.GET or None, queryset=selectors.cras_of_conseiller(conseiller))
    tri = request.GET.get("tri") if request.GET.get("tri") in selectors.HISTORY_ORDERINGS else "date"
    cras = filters.qs.order_by(*selectors.HISTORY_ORDERINGS[tri]).prefetch_related("redirections")
    page_obj = Paginator(cras, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cra/history.html",
        {"filter": filters, "page_obj": page_obj, "tri": tri, "query": query.urlencode()},
    )


@require_GET
@conseiller_required
def communes(request, conseiller):
    """The communes of a postal code, for the form's commune list (progressive enhancement)."""
    code_postal = request.GET.get("code_postal", "")
    referentiel = ReferentielCommunes.if_loaded()
    if referentiel is None or not code_postal.isdigit() or len(code_postal) != 5:
        return JsonResponse({"referentiel": referentiel is not None, "communes": []})
    found = referentiel.get(code_postal, {})
    return JsonResponse(
        {
            "referentiel": True,
            "communes": [
                {"code": code, "nom": nom} for code, nom in sorted(found.items(), key=lambda c: c[1])
            ],
        }
    )
