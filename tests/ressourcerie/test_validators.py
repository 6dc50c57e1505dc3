"""The upload check (SPEC §8): a PDF judged from its content, not encrypted, 20 Mo at most; anything else is
refused with a French message and nothing is stored."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ressourcerie import services, validators
from ressourcerie.enums import Categorie
from ressourcerie.models import Document
from ressourcerie.validators import pdf_check
from tests.ressourcerie.factories import encrypted_pdf_bytes, pdf_bytes, stored, upload


def refused(content: bytes, name: str = "document.pdf") -> str:
    with pytest.raises(ValidationError) as error:
        pdf_check(upload(content, name))
    return " ".join(error.value.messages)


def test_a_real_pdf_is_accepted_with_its_size_pages_and_fingerprint():
    content = pdf_bytes(pages=3)

    info = pdf_check(upload(content, name="n'importe quoi.txt", content_type="text/plain"))

    assert (info.taille, info.nombre_pages) == (len(content), 3)
    assert info.empreinte == hashlib.sha256(content).hexdigest()


def test_a_text_file_named_pdf_is_refused():
    message = refused(b"Bonjour, je suis un fichier texte.\n" * 20, name="guide.pdf")

    assert "n'est pas un PDF" in message


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,  # an image
        b"PK\x03\x04" + b"\x00" * 200,  # a ZIP (or an office document)
        b"<html><body>%PDF-1.7</body></html>",  # the header, but not at the start
    ],
)
def test_other_formats_are_refused(content):
    assert "n'est pas un PDF" in refused(content)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_truncated_pdf_is_refused(keep):
    content = pdf_bytes(pages=2)

    message = refused(content[: int(len(content) * keep)])

    assert "incomplet ou endommagé" in message


def test_a_pdf_with_a_damaged_body_is_refused():
    content = pdf_bytes(pages=2)
    # Header and end kept, the objects in between replaced by noise.
    damaged = content[:20] + b"\x00garbage" * ((len(content) - 60) // 8) + content[-40:]

    assert "incomplet ou endommagé" in refused(damaged)


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_an_encrypted_pdf_is_refused(user_password):
    # Even with an empty user password (a PDF "protected" against printing or copying).
    message = refused(encrypted_pdf_bytes(user_password=user_password))

    assert "protégé par un mot de passe ou chiffré" in message


def test_an_oversized_file_is_refused_before_being_read(monkeypatch):
    content = pdf_bytes()
    monkeypatch.setattr(validators, "TAILLE_MAX", len(content) - 1)

    message = refused(content)

    assert message.startswith("Le fichier pèse")
    assert "ne peut pas dépasser" in message


def test_the_limit_is_20_mo_and_a_file_of_exactly_the_limit_passes_the_size_check(monkeypatch):
    assert validators.TAILLE_MAX == 20 * 1024 * 1024
    content = pdf_bytes()
    monkeypatch.setattr(validators, "TAILLE_MAX", len(content))

    assert pdf_check(upload(content)).taille == len(content)


def test_an_empty_file_is_refused():
    assert refused(b"") == "Le fichier est vide."


@pytest.mark.parametrize(
    "content, message",
    [
        (b"just text", "n'est pas un PDF"),
        (encrypted_pdf_bytes(), "chiffré"),
        (pdf_bytes()[:100], "incomplet"),
    ],
)
def test_the_service_refuses_and_stores_nothing(db, content, message):
    before = stored()

    with pytest.raises(ValidationError) as error:
        services.document_create(
            titre="Guide", categorie=Categorie.COURRIEL, fichier=ContentFile(content, name="guide.pdf")
        )

    assert message in " ".join(error.value.message_dict["fichier"])
    assert not Document.objects.exists()
    assert stored() == before
