"""The check of an uploaded document (SPEC §8): judged from its content, never from its name or the type the
browser announces. Anything refused is refused before a byte is stored."""

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from pypdf import PdfReader

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
    except ValidationError:
        raise
    except Exception as error:
        # pypdf raises many kinds of errors on damaged files (and may recurse on hostile ones).
        logger.info("PDF refusé : %s: %s", error.__class__.__name__, error)
        raise ValidationError(MESSAGE_ILLISIBLE, code="illisible") from error
    if nombre_pages == 0:
        raise ValidationError("Ce PDF ne contient aucune page.", code="sans_page")
    info = PdfInfo(taille=size, nombre_pages=nombre_pages, empreinte=_empreinte(fichier))
    fichier.seek(0)
    return info
