"""« Télécharger tous les documents » (SPEC §8): a ZIP made by a Celery task, rebuilt after every addition,
change and removal, and never offered stale — the page says it is being prepared meanwhile."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from ressourcerie import archive as archives
from ressourcerie import services, tasks
from ressourcerie.enums import Categorie
from ressourcerie.models import Archive, Document
from tests.ressourcerie.factories import make_document, pdf_bytes, stored

ZIP_URL = "/ressourcerie/tous-les-documents.zip"


@pytest.fixture
def client_conseiller(world, login_as):
    return login_as(world.alice.user)


def zip_contents(client) -> dict[str, bytes]:
    response = client.get(ZIP_URL)
    assert response.status_code == 200, response.get("Location")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ressourcerie-conseiller-numerique-'
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def content(document: Document) -> bytes:
    return document.fichier.open("rb").read()


def test_the_zip_follows_additions_changes_and_removals(
    client_conseiller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guide = make_document("Créer une adresse e-mail", categorie=Categorie.COURRIEL)
        fiche = make_document("Sécuriser ses mots de passe", categorie=Categorie.FICHES_CNIL)
    assert zip_contents(client_conseiller) == {
        "courriel/creer-une-adresse-e-mail.pdf": content(guide),
        "fiches-cnil/securiser-ses-mots-de-passe.pdf": content(fiche),
    }

    # Added.
    with django_capture_on_commit_callbacks(execute=True):
        cv = make_document("Rédiger son CV", categorie=Categorie.EMPLOI)
    assert set(zip_contents(client_conseiller)) == {
        "courriel/creer-une-adresse-e-mail.pdf",
        "fiches-cnil/securiser-ses-mots-de-passe.pdf",
        "emploi/rediger-son-cv.pdf",
    }

    # Changed: a new file, a new title, another category.
    new_pdf = pdf_bytes(pages=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_update(guide, fichier=ContentFile(new_pdf, name="v2.pdf"))
        services.document_update(cv, titre="Rédiger son CV en ligne", categorie=Categorie.BUREAUTIQUE)
    files = zip_contents(client_conseiller)
    assert files["courriel/creer-une-adresse-e-mail.pdf"] == new_pdf
    assert set(files) == {
        "courriel/creer-une-adresse-e-mail.pdf",
        "fiches-cnil/securiser-ses-mots-de-passe.pdf",
        "bureautique/rediger-son-cv-en-ligne.pdf",
    }

    # Removed.
    previous = Archive.objects.get().fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_delete([fiche])
    assert set(zip_contents(client_conseiller)) == {
        "courriel/creer-une-adresse-e-mail.pdf",
        "bureautique/rediger-son-cv-en-ligne.pdf",
    }
    # Only the current ZIP is kept.
    assert Archive.objects.count() == 1
    assert previous not in stored("ressourcerie/archives")
    assert Archive.objects.get().fichier.name in stored("ressourcerie/archives")


def test_while_the_zip_is_rebuilt_the_page_says_so_and_never_offers_the_old_one(
    client_conseiller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = make_document("Guide gardé")
        removed = make_document("Guide retiré")
    assert "Télécharger tous les documents" in client_conseiller.get("/ressourcerie/").content.decode()

    # Removed, its rebuild not run yet (the worker is busy: the commit callbacks are held).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.documents_delete([removed])
        page = client_conseiller.get("/ressourcerie/").content.decode()
        assert "Archive de tous les documents en préparation" in page
        assert ZIP_URL not in page
        response = client_conseiller.get(ZIP_URL, follow=True)
        assert response.redirect_chain == [("/ressourcerie/", 302)]
        assert "est en cours de préparation" in response.content.decode()
    assert callbacks  # the rebuild was asked

    for callback in callbacks:
        callback()
    assert set(zip_contents(client_conseiller)) == {"courriel/guide-garde.pdf"}
    assert kept.pk in Document.objects.values_list("pk", flat=True)


def test_a_reader_finding_the_zip_missing_asks_for_it_once(
    client_conseiller, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down():
        raise ConnectionError("broker injoignable")

    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(tasks.archive_build, "delay", broker_down)
        make_document("Guide")  # saved, its rebuild lost
    assert not Archive.objects.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        client_conseiller.get("/ressourcerie/")
        client_conseiller.get("/ressourcerie/")
        client_conseiller.get(ZIP_URL)
    assert len(callbacks) == 1  # one request to the workers for this state of the documents

    callbacks[0]()
    assert set(zip_contents(client_conseiller)) == {"courriel/guide.pdf"}


def test_one_rebuild_per_transaction(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for index in range(5):
            make_document(f"Guide {index}")
        services.documents_delete(Document.objects.filter(titre="Guide 0"))

    assert sum(isinstance(callback, services._DemandeConstruction) for callback in callbacks) == 1


def test_titles_alike_get_distinct_names_in_the_zip(client_conseiller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_document("Guide : le courriel")
        second = make_document("Guide – le courriel !")
        make_document("¿?")
    files = zip_contents(client_conseiller)

    assert files["courriel/guide-le-courriel.pdf"] == content(first)
    assert files["courriel/guide-le-courriel-2.pdf"] == content(second)
    assert any(name.startswith("courriel/document-") for name in files)


def test_the_task_is_idempotent(db):
    make_document("Guide")

    first = tasks.archive_build.delay().get()
    archive = Archive.objects.get()
    second = tasks.archive_build.delay().get()

    assert first == second == archive.empreinte
    assert list(Archive.objects.all()) == [archive]


def test_without_documents_there_is_no_zip(client_conseiller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document("Seul guide")
    zip_name = Archive.objects.get().fichier.name

    with django_capture_on_commit_callbacks(execute=True):
        services.documents_delete([document])

    assert not Archive.objects.exists()
    assert zip_name not in stored("ressourcerie/archives")
    response = client_conseiller.get(ZIP_URL, follow=True)
    assert "La ressourcerie ne contient encore aucun document." in response.content.decode()


def test_a_failed_build_leaves_the_document_saved(db, monkeypatch, django_capture_on_commit_callbacks):
    def broken():
        raise OSError("disque plein")

    monkeypatch.setattr(archives, "archive_build", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document("Guide")

    assert Document.objects.filter(pk=document.pk).exists()
    assert not Archive.objects.exists()
