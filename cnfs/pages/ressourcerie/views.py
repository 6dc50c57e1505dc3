"""The ressourcerie (SPEC §8), for every logged-in account (LoginRequiredMiddleware): the page, a document's
download, the ZIP of every document. Files are only ever served here, never from a public media URL."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control

from ressourcerie import selectors, services
from ressourcerie.models import Document, Tag
from ressourcerie.selectors import EtatArchive
from ressourcerie.texte import RECHERCHE_MAX, mots

TAGS_MAX = 10


@dataclass(frozen=True)
class Filtres:
    recherche: str
    tags: list[Tag]  # the tags asked and known, in the order of the list
    messages: list[str]  # why a part of the URL was dropped

    @property
    def actifs(self) -> bool:
        return bool(self.recherche or self.tags)


def _filtres(params: QueryDict, tags: list[Tag]) -> Filtres:
    """The search and the tags asked in the URL; unknown tags are dropped with a message."""
    messages_filtres = []
    recherche = " ".join(params.get("q", "").split())
    if len(recherche) > RECHERCHE_MAX:
        recherche = recherche[:RECHERCHE_MAX]
        messages_filtres.append(
            f"La recherche est limitée à {RECHERCHE_MAX} caractères : la fin a été ignorée."
        )
    if recherche and not mots(recherche):
        messages_filtres.append(
            f"La recherche « {recherche} » ne contient ni lettre ni chiffre : elle est ignorée."
        )
        recherche = ""
    by_slug = {tag.slug: tag for tag in tags}
    asked = list(dict.fromkeys(slug.strip() for slug in params.getlist("tag") if slug.strip()))
    unknown = [slug for slug in asked if slug not in by_slug]
    if unknown:
        names = ", ".join(f"« {slug[:40]} »" for slug in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        if len(unknown) == 1:
            messages_filtres.append(f"Étiquette inconnue ou sans document, ignorée : {names}.")
        else:
            messages_filtres.append(f"Étiquettes inconnues ou sans document, ignorées : {names}.")
    known = [slug for slug in asked if slug in by_slug]
    if len(known) > TAGS_MAX:
        known = known[:TAGS_MAX]
        messages_filtres.append(f"Au plus {TAGS_MAX} étiquettes à la fois : les suivantes ont été ignorées.")
    return Filtres(recherche, [by_slug[slug] for slug in known], messages_filtres)


def _archive_etat() -> EtatArchive:
    """The ZIP's state; when it is missing, asks for it (without a broker it is built at once and offered)."""
    etat = selectors.archive_etat()
    if not etat.a_jour and etat.nombre_documents and services.archive_request(etat.empreinte):
        etat = selectors.archive_etat()
    return etat


def index(request):
    """The page: categories with their counts, search and tag filter (in the URL), the latest documents,
    every document with its download link, the ZIP of all of them."""
    tags = selectors.tags_disponibles()
    filtres = _filtres(request.GET, tags)
    selected = {tag.pk for tag in filtres.tags}
    catalogue = selectors.catalogue(
        recherche=filtres.recherche, tag_ids=sorted(selected), derniers=not filtres.actifs
    )
    context = {
        "catalogue": catalogue,
        "filtres": filtres,
        "tags": [(tag, tag.pk in selected) for tag in tags],
        "messages_filtres": filtres.messages,
        "archive": _archive_etat(),
    }
    return render(request, "ressourcerie/index.html", context)


def _fichier(field_file, *, filename: str, content_type: str) -> FileResponse:
    try:
        stream = field_file.open("rb")
    except FileNotFoundError as error:  # removed from the storage behind the application's back
        raise Http404("Ce fichier n'est plus disponible.") from error
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)


@cache_control(private=True)
def telecharger(request, pk: int):
    """A document's PDF, named after its title."""
    document = get_object_or_404(Document, pk=pk)
    return _fichier(document.fichier, filename=document.nom_fichier, content_type="application/pdf")


@cache_control(private=True)
def archive(request):
    """The ZIP of every document, only when it holds exactly the current documents."""
    etat = _archive_etat()
    if not etat.a_jour:
        if etat.nombre_documents:
            messages.info(
                request,
                "L'archive de tous les documents est en cours de préparation : elle sera proposée sur cette "
                "page dans quelques instants.",
            )
        else:
            messages.info(request, "La ressourcerie ne contient encore aucun document.")
        return redirect("ressourcerie:index")
    return _fichier(etat.archive.fichier, filename=etat.archive.nom_fichier, content_type="application/zip")
