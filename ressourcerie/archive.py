"""The ZIP of every document, built by the workers (ressourcerie.tasks), and the stored files it reads."""

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from ressourcerie.enums import Categorie
from ressourcerie.models import Archive, Document
from ressourcerie.selectors import documents_archives, documents_empreinte
from ressourcerie.texte import nom_de_fichier

logger = logging.getLogger(__name__)


def storage():
    return Document._meta.get_field("fichier").storage


def files_delete(names: Iterable[str]) -> None:
    store = storage()
    for name in names:
        if name:
            try:
                store.delete(name)
            except Exception:
                logger.exception("Fichier %s non supprimé", name)


def files_delete_on_commit(names: Iterable[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: files_delete(names))


# --- The ZIP of every document --------------------------------------------------------------------------


def archive_paths(rows) -> list[tuple[str, str]]:
    """(path in the ZIP, stored name) of each document: a folder per category, the title as file name."""
    labels = dict(Categorie.choices)
    taken: set[str] = set()
    paths = []
    for pk, titre, categorie, _empreinte, fichier in rows:
        folder = nom_de_fichier(labels.get(categorie, categorie)) or "documents"
        stem = nom_de_fichier(titre) or f"document-{pk}"
        path, n = f"{folder}/{stem}.pdf", 1
        while path in taken:
            n += 1
            path = f"{folder}/{stem}-{n}.pdf"
        taken.add(path)
        paths.append((path, fichier))
    return paths


def _archives_delete(archives: QuerySet) -> None:
    names = list(archives.values_list("fichier", flat=True))
    archives.delete()
    files_delete_on_commit(names)


def archive_build() -> Archive | None:
    """The ZIP of the current documents: the existing one when it is up to date, otherwise built (in a
    temporary file, then stored) and recorded under the documents' fingerprint; older ZIPs are deleted.
    Replaying it changes nothing; None when there is no document."""
    rows = documents_archives()
    if not rows:
        _archives_delete(Archive.objects.all())
        return None
    empreinte = documents_empreinte(rows)
    archive = Archive.objects.filter(empreinte=empreinte).first()
    if archive is not None:
        return archive
    store = storage()
    with tempfile.TemporaryFile() as temp:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as zip_file:
            for path, name in archive_paths(rows):
                with store.open(name, "rb") as source, zip_file.open(path, "w") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
        taille = temp.seek(0, 2)
        temp.seek(0)
        archive = Archive(empreinte=empreinte, taille=taille, nombre_documents=len(rows))
        archive.fichier.save("archive.zip", File(temp), save=False)
    try:
        with transaction.atomic():
            archive.save()
    except IntegrityError:  # the same documents' ZIP, built at the same moment by another worker
        files_delete([archive.fichier.name])
        return Archive.objects.get(empreinte=empreinte)
    _archives_delete(Archive.objects.exclude(pk=archive.pk))
    return archive
