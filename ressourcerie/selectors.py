"""Reads of the ressourcerie: the page (a constant number of queries whatever the filters and the number of
documents) and the state of the ZIP of all documents."""

import hashlib
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ressourcerie.enums import Categorie
from ressourcerie.models import Archive, Document, Tag, ancre
from ressourcerie.texte import replie

DERNIERS_AJOUTS = 4

# The columns that make the content of the ZIP: the file (its fingerprint), its name and folder in the ZIP.
COLONNES_ARCHIVE = ("pk", "titre", "categorie", "empreinte", "fichier")


def documents_empreinte(rows) -> str:
    """The fingerprint of a set of documents as the ZIP holds them (rows of COLONNES_ARCHIVE, by pk)."""
    digest = hashlib.sha256()
    for pk, titre, categorie, empreinte, fichier in rows:
        digest.update(f"{pk}\x1f{categorie}\x1f{titre}\x1f{empreinte}\x1f{fichier}\x1e".encode())
    return digest.hexdigest()


def documents_archives():
    """The documents as the ZIP needs them, in a fixed order (one query)."""
    return list(Document.objects.order_by("pk").values_list(*COLONNES_ARCHIVE))


@dataclass(frozen=True)
class EtatArchive:
    empreinte: str  # of the current documents
    nombre_documents: int
    archive: Archive | None  # the ZIP of exactly these documents, when it is ready

    @property
    def a_jour(self) -> bool:
        return self.archive is not None


def archive_etat() -> EtatArchive:
    """The current documents' fingerprint and their ZIP, if it is ready (two queries)."""
    rows = documents_archives()
    empreinte = documents_empreinte(rows)
    archive = Archive.objects.filter(empreinte=empreinte).first() if rows else None
    return EtatArchive(empreinte=empreinte, nombre_documents=len(rows), archive=archive)


@dataclass(frozen=True)
class LigneCategorie:
    value: str
    label: str
    ancre: str
    nombre: int


@dataclass(frozen=True)
class SectionCategorie:
    categorie: LigneCategorie
    documents: list[Document]


@dataclass(frozen=True)
class Catalogue:
    documents: list[Document]  # matching the filters, the latest first
    categories: list[LigneCategorie]  # every category, with its count among `documents`
    sections: list[SectionCategorie] = field(default_factory=list)  # the categories having documents
    derniers: list[Document] = field(default_factory=list)


def tags_disponibles() -> list[Tag]:
    """The tags carried by at least one document, with their counts (one query)."""
    return list(Tag.objects.avec_nombre_documents().filter(nombre_documents__gt=0).order_by("slug"))


def catalogue(*, recherche: str = "", tag_ids: list[int] = (), derniers: bool = True) -> Catalogue:
    """The documents matching the search and carrying every tag, grouped by category (two queries: the
    documents, their tags); the DERNIERS_AJOUTS latest when `derniers`."""
    documents = list(
        Document.objects.recherche(recherche)
        .avec_tags(tag_ids)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("slug")))
        .order_by("-created_at", "-pk")
    )
    by_categorie: dict[str, list[Document]] = {value: [] for value in Categorie.values}
    # Within a category, the documents in the order of their titles, whatever the accents.
    for document in sorted(documents, key=lambda document: (replie(document.titre), document.pk)):
        by_categorie.setdefault(document.categorie, []).append(document)
    lignes = [
        LigneCategorie(value, label, ancre(value), len(by_categorie[value]))
        for value, label in Categorie.choices
    ]
    sections = [SectionCategorie(ligne, by_categorie[ligne.value]) for ligne in lignes if ligne.nombre]
    return Catalogue(
        documents=documents,
        categories=lignes,
        sections=sections,
        derniers=documents[:DERNIERS_AJOUTS] if derniers else [],
    )
