"""The conseiller's lieux d'activité, in his Espace Coop (/coop/lieux/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cnfs.pages.coop.lieux_forms import PermanenceForm
from cnfs.pages.decorators import conseiller_required
from conseillers import selectors, services
from structures.communes import ReferentielCommunes


def _save(form, save):
    if form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return True
    return False


def _get_lieu_for_conseiller(conseiller, pk):
    return get_object_or_404(selectors.current_lieux_of_conseiller(conseiller), pk=pk)


@conseiller_required
def lieux(request, conseiller):
    return render(
        request,
        "conseillers/lieux.html",
        {
            "lieux": selectors.current_lieux_of_conseiller(conseiller),
            "autres_lieux": selectors.other_lieux_of_structure(conseiller),
        },
    )


@conseiller_required
def lieu_new(request, conseiller):
    form = PermanenceForm(request.POST or None, referentiel=ReferentielCommunes.if_loaded())

    def save(form):
        services.permanence_create(
            conseiller=conseiller, fields=form.place_fields(), principale=form.cleaned_data["principale"]
        )

    if request.method == "POST" and _save(form, save):
        messages.success(request, "Le lieu d'activité est enregistré.")
        return redirect("lieux:list")
    return render(request, "conseillers/lieu_form.html", {"form": form, "lieu": None})


@conseiller_required
def lieu_edit(request, conseiller, pk):
    lieu = _get_lieu_for_conseiller(conseiller, pk)
    form = PermanenceForm(
        request.POST or None,
        instance=lieu,
        initial={"principale": lieu.principale},
        referentiel=ReferentielCommunes.if_loaded(),
    )

    def save(form):
        services.permanence_update(
            conseiller=conseiller,
            permanence=lieu,
            fields=form.place_fields(),
            principale=form.cleaned_data["principale"],
        )

    if request.method == "POST" and _save(form, save):
        messages.success(request, "Le lieu d'activité est modifié.")
        return redirect("lieux:list")
    return render(request, "conseillers/lieu_form.html", {"form": form, "lieu": lieu})


@conseiller_required
def lieu_remove(request, conseiller, pk):
    lieu = _get_lieu_for_conseiller(conseiller, pk)
    if request.method == "POST":
        deleted = services.permanence_remove(conseiller=conseiller, permanence=lieu)
        messages.success(
            request,
            f"Le lieu « {lieu.nom} » est supprimé."
            if deleted
            else f"Le lieu « {lieu.nom} » est retiré de vos lieux.",
        )
        return redirect("lieux:list")
    return render(request, "conseillers/lieu_remove.html", {"lieu": lieu})


@require_POST
@conseiller_required
def lieu_attach(request, conseiller, pk):
    lieu = get_object_or_404(selectors.other_lieux_of_structure(conseiller), pk=pk)
    services.permanence_attach(conseiller=conseiller, permanence=lieu)
    messages.success(request, f"Le lieu « {lieu.nom} » est ajouté à vos lieux d'activité.")
    return redirect("lieux:list")
