"""The documents and tags in the Django admin: list, search, filters, the same PDF check as everywhere, the
bulk tag actions; every write through the services."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ressourcerie.models import Archive, Document, Tag
from tests.ressourcerie.factories import (
    encrypted_pdf_bytes,
    make_document,
    make_tag,
    pdf_bytes,
    stored,
    upload,
)

CHANGELIST = "/admin/ressourcerie/document/"


@pytest.fixture
def admin_client(world, client):
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    return client


def listed(response) -> list[str]:
    return re.findall(r'<th class="field-titre"><a href="[^"]+">(.*?)</a>', response.content.decode())


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_shows_category_tags_size_and_date_in_bounded_queries(admin_client):
    for index in range(3):
        make_document(f"Guide {index}", tags=["Débutant", f"Tag {index}"])
    few = _queries(admin_client, CHANGELIST)

    for index in range(15):
        make_document(f"Fiche {index}", tags=["Seniors", f"Autre {index}", "Atelier"])
    many = _queries(admin_client, CHANGELIST)

    # The page, its counts, the tags of the page's documents (one query) and the tag filter: not per row.
    assert many == few <= 12
    content = admin_client.get(CHANGELIST).content.decode()
    assert '<td class="field-categorie">Courriel</td>' in content
    assert '<td class="field-etiquettes">Atelier, Autre 3, Seniors</td>' in content
    assert re.search(r'<td class="field-taille_lisible">\d+\xa0octets</td>', content)
    assert "field-created_at" in content


def test_the_search_ignores_accents_and_reads_descriptions_and_tags(admin_client):
    make_document("Sécuriser ses mots de passe")
    make_document("Créer une adresse", description="Une messagerie sécurisée")
    make_document("Le Wi-Fi", tags=["Sécurité"])
    make_document("Autre chose")

    assert sorted(listed(admin_client.get(CHANGELIST, {"q": "SECURI"}))) == [
        "Créer une adresse",
        "Le Wi-Fi",
        "Sécuriser ses mots de passe",
    ]


def test_the_filters_by_category_and_tag(admin_client):
    make_document("Guide", categorie="emploi", tags=["Jeunes"])
    make_document("Fiche", categorie="courriel", tags=["Jeunes"])
    make_document("Autre", categorie="emploi")
    jeunes = Tag.objects.get(nom="Jeunes")

    assert sorted(listed(admin_client.get(CHANGELIST, {"categorie__exact": "emploi"}))) == ["Autre", "Guide"]
    assert listed(
        admin_client.get(CHANGELIST, {"categorie__exact": "emploi", "tags__id__exact": jeunes.pk})
    ) == ["Guide"]


def test_an_admin_adds_a_document_and_it_is_in_the_next_zip(admin_client, django_capture_on_commit_callbacks):
    tag = make_tag("Débutant")
    content = pdf_bytes(pages=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/ressourcerie/document/add/",
            {
                "titre": "Créer une adresse e-mail",
                "description": "Pas à pas",
                "categorie": "courriel",
                "tags": [tag.pk],
                "fichier": upload(content, name="mon document final (2).pdf"),
            },
        )

    assert response.status_code == 302
    document = Document.objects.get()
    assert re.fullmatch(r"ressourcerie/documents/[0-9a-f]{32}\.pdf", document.fichier.name)
    assert (document.taille, document.nombre_pages) == (len(content), 2)
    assert list(document.tags.all()) == [tag]
    assert document.recherche == "creer une adresse e mail pas a pas debutant"
    assert Archive.objects.get().nombre_documents == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Ceci est un texte.", "Ce fichier n&#x27;est pas un PDF"),
        (pdf_bytes()[:200], "Ce fichier PDF est incomplet ou endommagé"),
        (encrypted_pdf_bytes(), "Ce PDF est protégé par un mot de passe ou chiffré"),
    ],
)
def test_the_admin_form_refuses_what_is_not_a_readable_pdf_and_stores_nothing(admin_client, content, message):
    before = stored()

    response = admin_client.post(
        "/admin/ressourcerie/document/add/",
        {"titre": "Guide", "categorie": "courriel", "fichier": upload(content, name="guide.pdf")},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored() == before


def test_a_change_without_a_new_file_keeps_the_file(admin_client):
    document = make_document("Guide", tags=["Débutant"])

    response = admin_client.post(
        f"/admin/ressourcerie/document/{document.pk}/change/",
        {"titre": "Guide complet", "description": "", "categorie": "emploi", "tags": []},
    )

    assert response.status_code == 302
    changed = Document.objects.get()
    assert (changed.titre, changed.categorie, changed.fichier.name) == (
        "Guide complet",
        "emploi",
        document.fichier.name,
    )
    assert not changed.tags.exists()
    assert changed.recherche == "guide complet"


def _action(client, action, documents, etiquette=""):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [d.pk for d in documents], "etiquette": etiquette},
        follow=True,
    )


def test_the_bulk_actions_add_and_remove_a_tag(admin_client):
    first, second, third = (
        make_document("Un"),
        make_document("Deux", tags=["Seniors"]),
        make_document("Trois"),
    )

    response = _action(admin_client, "ajouter_etiquette", [first, second], etiquette="  seniors ")
    assert "Étiquette « Seniors » ajoutée à 1 document." in response.content.decode()
    assert set(Tag.objects.get(nom="Seniors").documents.all()) == {first, second}

    response = _action(admin_client, "ajouter_etiquette", [first, third], etiquette="Atelier collectif")
    assert "Étiquette « Atelier collectif » ajoutée à 2 documents." in response.content.decode()
    assert set(Document.objects.recherche("atelier")) == {first, third}

    response = _action(admin_client, "retirer_etiquette", [first, second, third], etiquette="SENIORS")
    assert "Étiquette « Seniors » retirée de 2 documents." in response.content.decode()
    assert not Tag.objects.get(nom="Seniors").documents.exists()


@pytest.mark.parametrize(
    "action, etiquette, message",
    [
        ("ajouter_etiquette", "", "Saisissez le nom de l&#x27;étiquette à ajouter."),
        ("ajouter_etiquette", "!!", "au moins une lettre ou un chiffre"),
        ("retirer_etiquette", "Inconnue", "Aucune étiquette ne s&#x27;appelle « Inconnue »."),
    ],
)
def test_the_bulk_actions_say_what_is_wrong(admin_client, action, etiquette, message):
    document = make_document("Un")

    response = _action(admin_client, action, [document], etiquette=etiquette)

    assert message in response.content.decode()
    assert not document.tags.exists()


def test_deleting_from_the_admin_deletes_the_files(admin_client, django_capture_on_commit_callbacks):
    documents = [make_document("Un"), make_document("Deux")]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [d.pk for d in documents], "post": "yes"},
        )

    assert not Document.objects.exists()
    assert {d.fichier.name for d in documents}.isdisjoint(stored())


def test_renaming_a_tag_in_the_admin_updates_the_search(admin_client):
    document = make_document("Guide", tags=["Débutant"])
    tag = Tag.objects.get()

    response = admin_client.post(f"/admin/ressourcerie/tag/{tag.pk}/change/", {"nom": "Premiers pas"})

    assert response.status_code == 302
    assert Document.objects.recherche("premiers pas").get() == document
    assert not Document.objects.recherche("debutant").exists()


def test_a_duplicate_tag_is_refused_in_the_admin(admin_client):
    make_tag("Sécurité")

    response = admin_client.post("/admin/ressourcerie/tag/add/", {"nom": "securite"})

    assert "Cette étiquette existe déjà : « Sécurité »." in response.content.decode()
    assert Tag.objects.count() == 1


def test_the_tag_list_counts_documents(admin_client):
    make_document("Un", tags=["Seniors"])
    make_document("Deux", tags=["Seniors"])

    content = admin_client.get("/admin/ressourcerie/tag/").content.decode()

    assert '<td class="field-nombre_documents">2</td>' in content
