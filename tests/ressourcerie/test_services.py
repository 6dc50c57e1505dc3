"""Documents and tags: generated file names, files deleted with their document, tags unique whatever the
case and accents, the search text kept up to date."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ressourcerie import services
from ressourcerie.enums import Categorie
from ressourcerie.models import Document, Tag
from tests.ressourcerie.factories import make_document, make_tag, pdf_bytes, stored

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"ressourcerie/documents/[0-9a-f]{32}\.pdf")


def test_the_stored_name_is_generated_never_the_uploaded_one():
    content = pdf_bytes(pages=2)

    document = services.document_create(
        titre="Guide",
        categorie=Categorie.BUREAUTIQUE,
        fichier=ContentFile(content, name="../../etc/passwd mon guide.pdf"),
    )

    assert GENERATED.fullmatch(document.fichier.name)
    assert default_storage.open(document.fichier.name).read() == content
    assert (document.taille, document.nombre_pages) == (len(content), 2)


def test_the_download_name_is_the_slugified_title():
    document = make_document("Démarches : l'ANTS, pas à pas !")

    assert document.nom_fichier == "demarches-l-ants-pas-a-pas.pdf"
    assert make_document("???").nom_fichier == f"document-{Document.objects.get(titre='???').pk}.pdf"


def test_replacing_the_file_deletes_the_old_one_after_the_commit(django_capture_on_commit_callbacks):
    document = make_document("Guide")
    old = document.fichier.name
    new_content = pdf_bytes(pages=4)

    with django_capture_on_commit_callbacks(execute=True):
        services.document_update(document, fichier=ContentFile(new_content, name="v2.pdf"))

    document.refresh_from_db()
    assert document.fichier.name != old and GENERATED.fullmatch(document.fichier.name)
    assert document.nombre_pages == 4
    assert old not in stored() and document.fichier.name in stored()


def test_a_change_without_a_file_keeps_the_file_and_checks_nothing_again(monkeypatch):
    document = make_document("Guide", tags=["Débutant"])
    name, empreinte = document.fichier.name, document.empreinte
    monkeypatch.setattr(services, "pdf_check", None)  # not called

    services.document_update(document, titre="Guide complet", description="Pour les débutants")

    document.refresh_from_db()
    assert (document.fichier.name, document.empreinte, document.titre) == (name, empreinte, "Guide complet")
    assert "debutant" in document.recherche  # the tag kept in the search text


def test_deleting_documents_deletes_their_files_after_the_commit(django_capture_on_commit_callbacks):
    kept, first, second = make_document(), make_document(), make_document()

    with django_capture_on_commit_callbacks(execute=True):
        count = services.documents_delete(Document.objects.exclude(pk=kept.pk))

    assert count == 2
    assert list(Document.objects.all()) == [kept]
    assert {first.fichier.name, second.fichier.name}.isdisjoint(stored())
    assert kept.fichier.name in stored()


def test_a_document_needs_a_title_and_a_known_category():
    with pytest.raises(ValidationError) as error:
        services.document_create(
            titre="", categorie="astrologie", fichier=ContentFile(pdf_bytes(), name="a.pdf")
        )

    assert set(error.value.message_dict) == {"titre", "categorie"}
    assert not Document.objects.exists()


# --- Tags ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["sécurité", "SECURITE", "  Sécurité  ", "Securite"])
def test_a_tag_is_unique_whatever_the_case_and_accents(other):
    tag = make_tag("Sécurité")

    assert make_tag(other) == tag
    with pytest.raises(ValidationError, match="Cette étiquette existe déjà : « Sécurité »"):
        services.tag_save(Tag(nom=other))
    assert Tag.objects.count() == 1


def test_a_tag_needs_a_letter_or_a_digit():
    with pytest.raises(ValidationError, match="au moins une lettre ou un chiffre"):
        services.tag_save(Tag(nom=" ?! "))


def test_the_search_text_follows_the_tags():
    document = make_document("Guide", description="Un guide", tags=["Débutant"])
    other = make_document("Autre")
    tag = Tag.objects.get(nom="Débutant")

    tag.nom = "Grand débutant"
    services.tag_save(tag)
    assert Document.objects.recherche("grand").get() == document

    services.documents_tag_add(documents=[document, other], tag=make_tag("Atelier"))
    assert set(Document.objects.recherche("atelier")) == {document, other}

    assert (
        services.documents_tag_remove(documents=Document.objects.all(), tag=Tag.objects.get(nom="Atelier"))
        == 2
    )
    assert not Document.objects.recherche("atelier").exists()

    services.tags_delete(Tag.objects.filter(nom="Grand débutant"))
    assert not Document.objects.recherche("debutant").exists()
    assert document.tags.count() == 0


def test_bulk_tagging_counts_only_the_documents_that_change():
    tagged, untagged = make_document(tags=["Seniors"]), make_document()
    tag = Tag.objects.get(nom="Seniors")

    assert services.documents_tag_add(documents=[tagged, untagged], tag=tag) == 1
    assert services.documents_tag_add(documents=[tagged, untagged], tag=tag) == 0
    assert set(tag.documents.all()) == {tagged, untagged}
