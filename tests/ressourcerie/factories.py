"""Documents and tags of the ressourcerie for the tests, made through the services (checked PDF, search
text), with small PDFs written by pypdf."""

import io
import itertools

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from ressourcerie import services
from ressourcerie.enums import Categorie

_numbers = itertools.count(1)


def pdf_bytes(*, pages: int = 1, marque: str = "") -> bytes:
    """A real PDF of `pages` blank A4 pages; `marque` (in its metadata) makes its content unique."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": marque or f"Document de test {next(_numbers)}"})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def encrypted_pdf_bytes(*, user_password: str = "secret") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=user_password, owner_password="proprietaire")
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def upload(content: bytes, name: str = "document.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_tag(nom: str):
    return services.tag_get_or_create(nom)


def make_document(
    titre: str | None = None,
    *,
    categorie: str = Categorie.COURRIEL,
    description: str = "",
    tags=(),
    pages: int = 1,
    content: bytes | None = None,
):
    """A document made by the service; `tags` are names (created when missing)."""
    titre = titre or f"Document {next(_numbers)}"
    return services.document_create(
        titre=titre,
        categorie=categorie,
        description=description,
        fichier=ContentFile(content or pdf_bytes(pages=pages, marque=titre), name="upload.pdf"),
        tags=[make_tag(nom) for nom in tags],
    )


def stored(prefix: str = "ressourcerie/documents") -> set[str]:
    """The names of the files stored under `prefix` (the test storage lives in memory)."""
    try:
        _dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return set()
    return {f"{prefix}/{name}" for name in files}
