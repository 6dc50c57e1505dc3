"""The check of an uploaded document (SPEC §8): judged from its content, never from its name or the type the
browser announces. Anything refused is refused before a byte is stored. Every conseiller may open a document:
one that would run code in his reader, carry other files or also be a web page is refused (SPEC §18)."""

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)

TAILLE_MAX = 20 * 1024 * 1024  # 20 Mo
EN_TETE = b"%PDF-"
FIN = b"%%EOF"
# A PDF ends with %%EOF, possibly followed by a few bytes of padding.
FIN_CHERCHEE_SUR = 1024

MESSAGE_PAS_PDF = (
    "Ce fichier n'est pas un PDF : seuls les documents PDF sont acceptés, quel que soit le nom du fichier."
)
MESSAGE_ILLISIBLE = (
    "Ce fichier PDF est incomplet ou endommagé : il ne peut pas être lu. Enregistrez-le de nouveau depuis "
    "le logiciel qui l'a créé, puis déposez-le."
)
MESSAGE_CHIFFRE = (
    "Ce PDF est protégé par un mot de passe ou chiffré : déposez une version sans protection, lisible par "
    "tous."
)
MESSAGE_CODE = (
    "Ce PDF contient du code exécutable (JavaScript, lancement d'un programme ou formulaire dynamique XFA), "
    "refusé pour la sécurité de ceux qui l'ouvriront : déposez une version sans script, par exemple "
    "enregistrée de nouveau avec « Imprimer », puis « Enregistrer au format PDF »."
)
MESSAGE_FICHIERS = (
    "Ce PDF contient des fichiers joints, refusés pour la sécurité de ceux qui l'ouvriront : déposez une "
    "version sans fichier joint."
)
MESSAGE_HTML = (
    "Ce PDF contient aussi du code HTML (une page web cachée dans le fichier) : il est refusé. Enregistrez "
    "le document de nouveau depuis le logiciel qui l'a créé, puis déposez-le."
)

# What makes a reader run code: JavaScript and launch actions (/S), a script (/JS), the document's scripts
# (the /JavaScript name tree), an XFA form (whose scripts Acrobat runs). Looked for in every object the
# document reaches, wherever it hangs: /OpenAction, /AA of the document, pages, annotations and form fields,
# links, bookmarks, the /Next of a harmless action.
ACTIONS_CODE = {"/JavaScript", "/Launch"}
CLES_CODE = {"/JS", "/JavaScript", "/XFA"}
# Files carried inside: file specifications with their content (/EF), the /EmbeddedFiles name tree.
CLES_FICHIERS = {"/EF", "/EmbeddedFiles"}
# What makes a browser take bytes for a web page; a PDF has no reason to hold them, even in a comment.
BALISES_HTML = (b"<html", b"<script", b"<body", b"<iframe", b"<!doctype html")


@dataclass(frozen=True)
class PdfInfo:
    taille: int  # bytes
    nombre_pages: int
    empreinte: str  # SHA-256 of the content, hexadecimal


def _mo(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


def _size(fichier) -> int:
    size = getattr(fichier, "size", None)
    if size is None:
        size = fichier.seek(0, 2)
    return size


def _empreinte(fichier) -> str:
    digest = hashlib.sha256()
    fichier.seek(0)
    for chunk in iter(lambda: fichier.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _contenu_actif(reader: PdfReader) -> str | None:
    """The message refusing what the document holds that its reader would run or extract, or None."""
    seen = set()
    pending = [reader.trailer]
    while pending:  # iterative: a hostile document may nest deeply
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # streams too: their dictionary
            if node.keys() & CLES_CODE or ("/S" in node and node["/S"] in ACTIONS_CODE):
                return MESSAGE_CODE
            if node.keys() & CLES_FICHIERS or ("/Type" in node and node["/Type"] == "/EmbeddedFile"):
                return MESSAGE_FICHIERS
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


def _contient_du_html(fichier) -> bool:
    overlap = max(len(balise) for balise in BALISES_HTML) - 1
    fichier.seek(0)
    tail = b""
    for chunk in iter(lambda: fichier.read(1024 * 1024), b""):
        window = tail + chunk.lower()
        if any(balise in window for balise in BALISES_HTML):
            return True
        tail = window[-overlap:]
    return False


def pdf_check(fichier) -> PdfInfo:
    """Checks that `fichier` (an uploaded file, or any binary file object) is a readable, unencrypted PDF of
    at most TAILLE_MAX bytes; returns its size, page count and fingerprint, or raises a ValidationError
    with a French message. The file is left at its start."""
    size = _size(fichier)
    if size == 0:
        raise ValidationError("Le fichier est vide.", code="vide")
    if size > TAILLE_MAX:
        raise ValidationError(
            f"Le fichier pèse {_mo(size)} : un document ne peut pas dépasser {_mo(TAILLE_MAX)}.",
            code="taille",
        )
    try:
        fichier.seek(0)
        if fichier.read(len(EN_TETE)) != EN_TETE:
            raise ValidationError(MESSAGE_PAS_PDF, code="pas_pdf")
        # A truncated file has lost its end: pypdf would try to rebuild it, and might read a part of it.
        fichier.seek(max(0, size - FIN_CHERCHEE_SUR))
        if FIN not in fichier.read():
            raise ValidationError(MESSAGE_ILLISIBLE, code="illisible")
        fichier.seek(0)
        reader = PdfReader(fichier)
        if reader.is_encrypted:
            raise ValidationError(MESSAGE_CHIFFRE, code="chiffre")
        pages = reader.pages
        nombre_pages = len(pages)
        for page in pages:
            page.mediabox  # noqa: B018 — resolves every page object: a damaged one fails here
        refus = _contenu_actif(reader)
    except ValidationError:
        raise
    except Exception as error:
        # pypdf raises many kinds of errors on damaged files (and may recurse on hostile ones).
        logger.info("PDF refusé : %s: %s", error.__class__.__name__, error)
        raise ValidationError(MESSAGE_ILLISIBLE, code="illisible") from error
    if nombre_pages == 0:
        raise ValidationError("Ce PDF ne contient aucune page.", code="sans_page")
    if refus is not None:
        raise ValidationError(refus, code="contenu_actif")
    if _contient_du_html(fichier):
        raise ValidationError(MESSAGE_HTML, code="html")
    info = PdfInfo(taille=size, nombre_pages=nombre_pages, empreinte=_empreinte(fichier))
    fichier.seek(0)
    return info
