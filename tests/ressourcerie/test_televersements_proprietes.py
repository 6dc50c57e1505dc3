"""Random bytes, damaged PDFs and hostile file names thrown at the ressourcerie's upload check, service and
admin form (SPEC §8): either refused with a French message and nothing stored, or accepted as a readable
PDF and stored under a generated name inside the ressourcerie's folder, whatever the name it came with."""

import hashlib
import io
import re
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from ressourcerie import services
from ressourcerie.enums import Categorie
from ressourcerie.models import Document
from ressourcerie.validators import pdf_check
from tests.ressourcerie.factories import encrypted_pdf_bytes, pdf_bytes
from tests.utils import en_francais, examples

RAPIDE = settings(max_examples=examples(200), deadline=None)
PAGES = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DOSSIER = re.compile(r"ressourcerie/documents/[0-9a-f]{32}\.pdf")


def sans_page() -> bytes:
    stream = io.BytesIO()
    PdfWriter().write(stream)
    return stream.getvalue()


PDFS = [pdf_bytes(pages=1), pdf_bytes(pages=3)]
PDF = PDFS[0]


# --- Contents --------------------------------------------------------------------------------------------


@st.composite
def pdf_abime(draw):
    """A valid PDF cut, with bytes flipped, inserted, removed or repeated."""
    content = bytearray(draw(st.sampled_from(PDFS)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content) - 1))
        mutation = draw(st.sampled_from(["coupe", "octet", "insere", "retire", "repete", "fin"]))
        if mutation == "coupe":
            content = content[:position]
        elif mutation == "octet":
            content[position] = draw(st.integers(0, 255))
        elif mutation == "insere":
            content[position:position] = draw(st.binary(min_size=1, max_size=20))
        elif mutation == "retire":
            del content[position : position + draw(st.integers(1, 50))]
        elif mutation == "repete":
            content[position:position] = content[position : position + draw(st.integers(1, 200))]
        else:  # the end kept, the middle replaced: header and %%EOF still there
            content = content[:20] + draw(st.binary(max_size=200)) + content[-40:]
        if not content:
            break
    return bytes(content)


CONTENUS = st.one_of(
    st.sampled_from([*PDFS, encrypted_pdf_bytes(), encrypted_pdf_bytes(user_password=""), sans_page(), b""]),
    pdf_abime(),
    pdf_abime(),
    st.binary(max_size=500),
    st.binary(max_size=300).map(lambda body: b"%PDF-1.7\n" + body + b"\n%%EOF\n"),
    st.sampled_from([b"%PDF-", b"%PDF-%%EOF", b"<html>%PDF-1.7</html>", b"PK\x03\x04" + b"\x00" * 50]),
)
NOMS = st.one_of(
    st.sampled_from(
        [
            "../../etc/passwd.pdf",
            "../../../../../../../../tmp/evil.pdf",
            "/etc/passwd.pdf",
            "/absolu/document.pdf",
            "..\\..\\windows\\system32\\document.pdf",
            "C:\\Users\\document.pdf",
            "ressourcerie/../../../settings.py",
            "docu\x00ment.pdf",
            "document.pdf\x00.exe",
            "",
            ".pdf",
            "..",
            ".",
            "x" * 300 + ".pdf",
            "document.PDF",
            "document.pdf.exe",
            "document.exe",
            "%2e%2e%2fetc%2fpasswd.pdf",
            "nom avec espaces (1).pdf",
            "<script>alert(1)</script>.pdf",
            "😀.pdf",
        ]
    ),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
)
TYPES = st.sampled_from(
    ["application/pdf", "text/plain", "application/octet-stream", "image/png", "application/x-msdownload", ""]
)


def assert_pdf_lisible(content: bytes, pages: int):
    """What « a valid PDF » means here: pypdf opens it, unencrypted, with its pages."""
    reader = PdfReader(io.BytesIO(content))
    assert not reader.is_encrypted
    assert len(reader.pages) == pages > 0
    for page in reader.pages:
        assert page.mediabox.width >= 0


# --- The check -------------------------------------------------------------------------------------------


@RAPIDE
@given(content=CONTENUS, nom=NOMS)
def test_the_check_accepts_a_readable_pdf_or_refuses_in_french(content, nom):
    fichier = ContentFile(content, name=nom)
    try:
        info = pdf_check(fichier)
    except ValidationError as error:
        event(f"refusé : {error.code}")
        assert error.messages and all(en_francais(message) for message in error.messages), error.messages
    else:
        event("accepté")
        assert_pdf_lisible(content, info.nombre_pages)
        assert (info.taille, info.empreinte) == (len(content), hashlib.sha256(content).hexdigest())
        assert fichier.tell() == 0  # left at its start, for the storage to read it all


# --- Stored on a real disk -------------------------------------------------------------------------------


@pytest.fixture
def disque(tmp_path, monkeypatch):
    """The documents' storage on a real folder, to see where every byte lands."""
    racine = tmp_path / "media"
    storage = FileSystemStorage(location=racine)
    monkeypatch.setattr(Document._meta.get_field("fichier"), "storage", storage)
    return racine


def fichiers_sur(racine) -> list[str]:
    return sorted(str(path.relative_to(racine)) for path in racine.rglob("*") if path.is_file())


def assert_stocke_dans_le_dossier(racine, document, content):
    """One file, under a generated name, inside the ressourcerie's folder once every « .. » is resolved."""
    assert DOSSIER.fullmatch(document.fichier.name), document.fichier.name
    chemin = (racine / document.fichier.name).resolve()
    assert chemin.is_relative_to((racine / "ressourcerie" / "documents").resolve())
    assert fichiers_sur(racine) == [document.fichier.name]
    assert chemin.read_bytes() == content
    assert_pdf_lisible(content, document.nombre_pages)


def vider(racine):
    shutil.rmtree(racine, ignore_errors=True)


@PAGES
@given(content=CONTENUS, nom=NOMS)
@example(content=PDF, nom="../../etc/passwd.pdf")
@example(content=PDF, nom="/etc/passwd.pdf")
def test_the_service_stores_a_checked_pdf_inside_its_folder_or_nothing(db, disque, content, nom):
    vider(disque)
    with transaction.atomic():
        try:
            document = services.document_create(
                titre="Guide", categorie=Categorie.COURRIEL, fichier=ContentFile(content, name=nom)
            )
        except ValidationError as error:
            event("refusé")
            messages = error.message_dict["fichier"]
            assert messages and all(en_francais(message) for message in messages), messages
            assert not Document.objects.exists()
            assert fichiers_sur(disque) == []
        else:
            event("accepté")
            assert_stocke_dans_le_dossier(disque, document, content)
        transaction.set_rollback(True)


def multipart(champs: dict, nom: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    """A form with a file, written by hand: the test client would send the name's last component only,
    a hostile browser sends any name (quotes and line ends escaped as browsers do)."""
    limite = "----cnfs-frontiere-7MA4YWxkTrZu0gW"
    nom = nom.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parties = [
        f'--{limite}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in champs.items()
    ]
    parties.append(
        f'--{limite}\r\nContent-Disposition: form-data; name="fichier"; filename="{nom}"\r\n'
        f"Content-Type: {content_type or 'application/octet-stream'}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parties.append(f"--{limite}--\r\n".encode())
    return b"".join(parties), f"multipart/form-data; boundary={limite}"


@pytest.fixture
def admin_client(world, client):
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.raise_request_exception  # an exception in the view fails the example, never a hidden 500
    return client


@PAGES
@given(content=CONTENUS, nom=NOMS, content_type=TYPES)
@example(content=PDF, nom="../../etc/passwd.pdf", content_type="application/pdf")
@example(content=b"#!/bin/sh\nrm -rf /\n", nom="document.pdf", content_type="application/pdf")
def test_the_admin_form_stores_a_checked_pdf_inside_its_folder_or_nothing(
    admin_client, disque, content, nom, content_type
):
    vider(disque)
    champs = {"titre": "Guide", "categorie": Categorie.COURRIEL}
    corps, type_mime = multipart(champs, nom, content, content_type)

    with transaction.atomic():
        response = admin_client.post("/admin/ressourcerie/document/add/", corps, content_type=type_mime)

        if response.status_code == 302:
            event("accepté")
            assert_stocke_dans_le_dossier(disque, Document.objects.get(), content)
        else:
            assert response.status_code == 200
            form = response.context["adminform"].form
            messages = [message for messages in form.errors.values() for message in messages]
            event("refusé")
            assert messages and all(en_francais(message) for message in messages), messages
            assert not Document.objects.exists()
            assert fichiers_sur(disque) == []
        transaction.set_rollback(True)
