"""The demo documents of seed_demo (SPEC §9): about thirty real PDFs made by WeasyPrint, across the
categories, with tags; a second run changes nothing."""

import io

import pytest
from pypdf import PdfReader

from ressourcerie.demo import DEMO_DOCUMENTS, demo_documents_load
from ressourcerie.enums import Categorie
from ressourcerie.models import Archive, Document, Tag


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_documents_load()


def _snapshot():
    return (
        list(Document.objects.order_by("pk").values()),
        list(Document.tags.through.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
        list(Archive.objects.values("empreinte", "fichier")),
    )


def test_about_thirty_documents_across_every_category(demo):
    documents = list(Document.objects.prefetch_related("tags"))

    assert 28 <= len(documents) <= 35
    assert len(documents) == len(DEMO_DOCUMENTS)
    assert {document.categorie for document in documents} == set(Categorie.values)
    assert all(document.tags.all() for document in documents)
    assert Tag.objects.count() >= 15
    # The latest four are the first of the list, added on different days.
    assert [d.titre for d in Document.objects.all()[:4]] == [row[1] for row in DEMO_DOCUMENTS[:4]]
    assert len({d.created_at.date() for d in documents}) == len(documents)


def test_the_demo_pdfs_are_real_pdfs_holding_their_title(demo):
    for document in Document.objects.all()[:5]:
        reader = PdfReader(io.BytesIO(document.fichier.open("rb").read()))
        assert len(reader.pages) == document.nombre_pages >= 1
        text = reader.pages[0].extract_text()
        assert document.titre.split(" ")[0] in text


def test_the_zip_holds_every_demo_document(demo):
    archive = Archive.objects.get()

    assert archive.nombre_documents == Document.objects.count()


def test_a_second_run_changes_nothing(demo, django_capture_on_commit_callbacks):
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        count = demo_documents_load()

    assert count == len(DEMO_DOCUMENTS)
    assert _snapshot() == before


def test_a_second_run_puts_back_what_was_changed_without_a_new_pdf(demo, django_capture_on_commit_callbacks):
    document = Document.objects.get(titre=DEMO_DOCUMENTS[0][1])
    name = document.fichier.name
    document.tags.clear()
    Document.objects.filter(pk=document.pk).update(description="Modifiée")

    with django_capture_on_commit_callbacks(execute=True):
        demo_documents_load()

    document.refresh_from_db()
    assert document.description == DEMO_DOCUMENTS[0][2]
    assert sorted(tag.nom for tag in document.tags.all()) == sorted(DEMO_DOCUMENTS[0][3])
    assert document.fichier.name == name
