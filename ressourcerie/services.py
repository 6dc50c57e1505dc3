"""Writes of the ressourcerie: documents (checked PDF, search text, files), tags, and the ZIP of every
document, rebuilt by a Celery task after each change (see docs/architecture.md, « Ressourcerie »)."""

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from ressourcerie.archive import files_delete_on_commit
from ressourcerie.models import Document, Tag
from ressourcerie.tasks import archive_build
from ressourcerie.texte import replie
from ressourcerie.validators import pdf_check

logger = logging.getLogger(__name__)

# A rebuild asked by a reader (stale ZIP) is not asked again for the same documents during this time.
DEMANDE_ARCHIVE_VALABLE = 5 * 60
DOCUMENT_FIELDS = frozenset({"titre", "description", "categorie"})


def document_search_text(titre: str, description: str, noms_tags: Iterable[str]) -> str:
    """What the search reads: title, description and tag names, folded (ressourcerie.texte.replie)."""
    return replie(" ".join([titre, description, *noms_tags]))


# --- Documents ------------------------------------------------------------------------------------------


def document_create(
    *, titre: str, categorie: str, fichier, description: str = "", tags: Iterable[Tag] = ()
) -> Document:
    """Adds a document; `fichier` is an uploaded (or any Django) file, checked from its content."""
    document = Document(titre=titre, description=description, categorie=categorie, fichier=fichier)
    return document_save(document, tags=tags)


def document_update(
    document: Document, *, fichier=None, tags: Iterable[Tag] | None = None, **fields
) -> Document:
    """Changes a document's title, description or category, its file (when given), its tags (when given)."""
    unknown = set(fields) - DOCUMENT_FIELDS
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(document, name, value)
    if fichier is not None:
        document.fichier = fichier
    return document_save(document, tags=tags)


def document_save(document: Document, *, tags: Iterable[Tag] | None = None) -> Document:
    """Checks and saves a document (new or changed, as the admin form leaves it): a new file is checked from
    its content before anything is stored, and stored under a generated name (the replaced one is deleted
    after the commit); the search text follows the title, description and tags (`tags`: the new set, or
    None to keep them); the ZIP of every document is rebuilt after the commit."""
    document.full_clean(exclude=["fichier", "taille", "nombre_pages", "empreinte", "recherche"])
    fichier = document.fichier
    if not fichier:
        raise ValidationError({"fichier": "Choisissez le fichier PDF du document."})
    remplace = None
    if not fichier._committed:  # a file given now, not yet stored
        try:
            info = pdf_check(fichier.file)
        except ValidationError as error:
            raise ValidationError({"fichier": error.messages}) from error
        document.taille, document.nombre_pages, document.empreinte = (
            info.taille,
            info.nombre_pages,
            info.empreinte,
        )
        if document.pk:
            remplace = Document.objects.filter(pk=document.pk).values_list("fichier", flat=True).first()
    if tags is not None:
        tags = list(tags)
    noms = [tag.nom for tag in (tags if tags is not None else document.tags.all() if document.pk else [])]
    document.recherche = document_search_text(document.titre, document.description, noms)
    with transaction.atomic():
        document.save()
        if tags is not None:
            document.tags.set(tags)
        if remplace and remplace != document.fichier.name:
            files_delete_on_commit([remplace])
        archive_rebuild_on_commit()
    return document


def documents_delete(documents: Iterable[Document] | QuerySet) -> int:
    """Deletes documents, then their files once the transaction commits; the ZIP is rebuilt without them."""
    ids = [document.pk for document in documents]
    with transaction.atomic():
        queryset = Document.objects.filter(pk__in=ids)
        names = list(queryset.values_list("fichier", flat=True))
        queryset.delete()
        files_delete_on_commit(names)
        archive_rebuild_on_commit()
    return len(names)


def documents_search_refresh(documents: QuerySet) -> int:
    """Recomputes the search text of documents (after a change of their tags)."""
    rows = list(documents.only("pk", "titre", "description", "recherche").prefetch_related("tags"))
    for document in rows:
        document.recherche = document_search_text(
            document.titre, document.description, [tag.nom for tag in document.tags.all()]
        )
    Document.objects.bulk_update(rows, ["recherche"], batch_size=500)
    return len(rows)


# --- Tags -----------------------------------------------------------------------------------------------


def tag_save(tag: Tag) -> Tag:
    """Creates or renames a tag (unique whatever the case and accents); its documents' search text follows."""
    tag.full_clean()
    with transaction.atomic():
        tag.save()
        documents_search_refresh(Document.objects.filter(tags=tag))
    return tag


def tag_get_or_create(nom: str) -> Tag:
    """The tag of this name, whatever the case and accents; created when there is none."""
    tag = Tag.objects.filter(slug=slugify(" ".join(nom.split()))).first()
    if tag is not None:
        return tag
    tag = Tag(nom=nom)
    tag.full_clean()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:  # created at the same moment by someone else
        return Tag.objects.get(slug=tag.slug)
    return tag


def tags_delete(tags: Iterable[Tag] | QuerySet) -> int:
    """Deletes tags; the search text of the documents that carried them follows."""
    ids = [tag.pk for tag in tags]
    through = Document.tags.through
    with transaction.atomic():
        documents = list(
            through.objects.filter(tag_id__in=ids).values_list("document_id", flat=True).distinct()
        )
        count, _ = Tag.objects.filter(pk__in=ids).delete()
        documents_search_refresh(Document.objects.filter(pk__in=documents))
    return count


def documents_tag_add(*, documents: Iterable[Document] | QuerySet, tag: Tag) -> int:
    """Puts `tag` on documents; returns how many did not carry it yet."""
    ids = {document.pk for document in documents}
    through = Document.tags.through
    with transaction.atomic():
        already = set(
            through.objects.filter(tag=tag, document_id__in=ids).values_list("document_id", flat=True)
        )
        added = sorted(ids - already)
        through.objects.bulk_create(
            [through(document_id=pk, tag_id=tag.pk) for pk in added], ignore_conflicts=True
        )
        documents_search_refresh(Document.objects.filter(pk__in=added))
    return len(added)


def documents_tag_remove(*, documents: Iterable[Document] | QuerySet, tag: Tag) -> int:
    """Takes `tag` off documents; returns how many carried it."""
    ids = {document.pk for document in documents}
    through = Document.tags.through
    with transaction.atomic():
        removed = list(
            through.objects.filter(tag=tag, document_id__in=ids).values_list("document_id", flat=True)
        )
        through.objects.filter(tag=tag, document_id__in=removed).delete()
        documents_search_refresh(Document.objects.filter(pk__in=removed))
    return len(removed)


# --- The ZIP of every document ---------------------------------------------------------------------------


def _archive_build_send() -> None:
    try:
        archive_build.delay()
    except Exception:
        # The document is saved whatever happens here (broker down, or in eager mode a failed build): the
        # page keeps saying the ZIP is being prepared, and the periodic task catches up.
        logger.exception("Reconstruction de l'archive de la ressourcerie non lancée")


class _DemandeConstruction:
    """A rebuild asked for the current transaction, sent at its commit."""

    def __init__(self):
        self.envoyee = False

    def __call__(self):
        self.envoyee = True
        _archive_build_send()


def archive_rebuild_on_commit() -> None:
    """Asks for the ZIP to be rebuilt once the current transaction commits (at once without one): once per
    transaction, however many documents it changes — the build reads them as they are after the commit."""
    connection = transaction.get_connection()
    # Django drops the callbacks of a rolled back savepoint from this list: a rebuild asked only there is
    # asked again here.
    pending = connection.run_on_commit if connection.in_atomic_block else ()
    if any(isinstance(entry[1], _DemandeConstruction) and not entry[1].envoyee for entry in pending):
        return
    transaction.on_commit(_DemandeConstruction())


def archive_request(empreinte: str) -> bool:
    """Asks for the ZIP of the documents of fingerprint `empreinte` when a reader finds it missing, once
    every few minutes at most (without a broker, the task runs at once); True when asked now."""
    if not cache.add(f"ressourcerie:archive-demandee:{empreinte}", True, DEMANDE_ARCHIVE_VALABLE):
        return False
    archive_rebuild_on_commit()
    return True
