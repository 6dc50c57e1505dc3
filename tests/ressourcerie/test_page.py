"""/ressourcerie/ (SPEC §8): every logged-in role reads it; categories with their counts, search and tags in
the URL, the latest documents, downloads named after their titles; a constant number of queries."""

import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ressourcerie.archive import archive_build
from ressourcerie.enums import Categorie
from ressourcerie.models import Document
from tests.ressourcerie.factories import make_document

ROLES = [
    ("alice", None),  # conseiller
    ("emma", "coordinateur"),
    ("gestionnaire_villeurbanne", None),  # structure
    ("prefet_rhone", None),
    ("hub", None),
    ("admin", None),
]


def account(world, name):
    person = getattr(world, name)
    return getattr(person, "user", person)


@pytest.fixture
def documents(db):
    """Six documents in three categories, added a day apart (the first of the list the latest)."""
    rows = [
        (
            "Sécuriser ses mots de passe",
            Categorie.FICHES_CNIL,
            "Fiche de la CNIL",
            ["Sécurité", "Fiche pratique"],
        ),
        ("Créer une adresse e-mail", Categorie.COURRIEL, "Pas à pas", ["Débutant", "Fiche pratique"]),
        ("Reconnaître l'hameçonnage", Categorie.COURRIEL, "Les courriels frauduleux", ["Sécurité"]),
        ("Déclarer ses revenus", Categorie.DEMARCHES_EN_LIGNE, "Sur impots.gouv.fr", ["Administration"]),
        ("Joindre un document", Categorie.COURRIEL, "Une pièce jointe", ["Débutant"]),
        ("Atelier tablette", Categorie.PRODUCTION_CNFS, "Déroulé d'un atelier pour seniors", []),
    ]
    now = timezone.now()
    made = {}
    for index, (titre, categorie, description, tags) in enumerate(rows):
        document = make_document(titre, categorie=categorie, description=description, tags=tags)
        Document.objects.filter(pk=document.pk).update(created_at=now - datetime.timedelta(days=index))
        made[titre] = document
    archive_build()
    return made


def titles(content: str, section: str | None = None) -> list[str]:
    """The document titles (card titles) of the page, or of one section of it."""
    if section is not None:
        match = re.search(rf'<section[^>]*id="{section}".*?</section>', content, re.S)
        content = match.group(0) if match else ""
    return [
        html.unescape(title.strip())
        for title in re.findall(r'<h3 class="fr-card__title">\s*<a [^>]*>(.*?)</a>', content, re.S)
    ]


def page(client, query: str = "") -> str:
    response = client.get(f"/ressourcerie/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name, kind", ROLES)
def test_every_role_reads_the_ressourcerie(world, documents, login_as, name, kind):
    client = login_as(account(world, name), kind)

    content = page(client)

    assert "<h1>Ressourcerie</h1>" in content
    assert len(titles(content)) == 6 + 4  # the latest four are shown twice
    menu = re.findall(r'<a class="fr-nav__link" href="([^"]+)"( aria-current="page")?>(.*?)</a>', content)
    labels = [label for _href, _current, label in menu]
    assert ("/ressourcerie/", ' aria-current="page"', "Ressourcerie") in menu
    assert labels.index("Ressourcerie") + 1 == labels.index("Mes exports")


def test_anonymous_users_are_sent_to_the_login_page(documents, client):
    document = documents["Créer une adresse e-mail"]
    for path in [
        "/ressourcerie/",
        f"/ressourcerie/documents/{document.pk}/telecharger/",
        "/ressourcerie/tous-les-documents.zip",
    ]:
        response = client.get(path)

        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_files_are_not_reachable_by_a_guessed_media_url(world, documents, client, login_as):
    document = documents["Créer une adresse e-mail"]
    archive = archive_build()

    for name in [document.fichier.name, archive.fichier.name]:
        assert client.get(f"/media/{name}").status_code in (302, 404)
        assert login_as(world.admin).get(f"/media/{name}").status_code == 404
        client.logout()


def test_the_categories_are_anchors_with_their_counts(world, documents, login_as):
    content = page(login_as(world.alice.user))

    summary = re.search(r'<nav class="fr-summary.*?</nav>', content, re.S).group(0)
    links = re.findall(r'<a class="fr-summary__link" href="#([^"]+)">(.*?)</a>', summary)
    assert links == [
        ("categorie-production-cnfs", "Production des CnFS&nbsp;(1)"),
        ("categorie-courriel", "Courriel&nbsp;(3)"),
        ("categorie-demarches-en-ligne", "Démarches en ligne&nbsp;(1)"),
        ("categorie-fiches-cnil", "Fiches CNIL&nbsp;(1)"),
    ]
    # Every category of SPEC §8 is listed, those without documents unlinked.
    assert summary.count("<li>") == len(Categorie.choices)
    assert "Emploi&nbsp;(0)" in summary
    assert titles(content, "categorie-courriel") == [
        "Créer une adresse e-mail",
        "Joindre un document",
        "Reconnaître l&#x27;hameçonnage".replace("&#x27;", "'"),
    ]


def test_the_latest_four_documents_come_first(world, documents, login_as):
    content = page(login_as(world.alice.user))

    latest = re.search(r'<section[^>]*aria-labelledby="derniers-ajouts".*?</section>', content, re.S).group(0)
    assert titles(latest) == [
        "Sécuriser ses mots de passe",
        "Créer une adresse e-mail",
        "Reconnaître l'hameçonnage",
        "Déclarer ses revenus",
    ]


def test_each_document_shows_its_tags_size_pages_date_and_download_link(world, documents, login_as):
    document = documents["Créer une adresse e-mail"]
    content = page(login_as(world.alice.user))

    card = re.search(
        rf'<div class="fr-card fr-card--download[^"]*">(?:(?!<div class="fr-card fr-card--download).)*?'
        rf"ressourcerie/documents/{document.pk}/telecharger/.*?</div>\s*</div>\s*</div>\s*</div>",
        content,
        re.S,
    ).group(0)
    assert f'href="/ressourcerie/documents/{document.pk}/telecharger/" download' in card
    assert ">Courriel</a>" in card  # its category, in the latest documents
    assert re.findall(r'class="fr-tag fr-tag--sm" href="/ressourcerie/\?tag=([a-z-]+)"', card) == [
        "debutant",
        "fiche-pratique",
    ]
    assert f"PDF – {filesizeformat(document.taille)} – 1&nbsp;page – ajouté le" in card
    assert timezone.localtime(document.created_at).strftime("%Y") in card


def test_the_search_ignores_accents_and_case_and_reads_titles_descriptions_and_tags(
    world, documents, login_as
):
    client = login_as(world.alice.user)

    assert titles(page(client, "?q=SECURISER")) == ["Sécuriser ses mots de passe"]
    assert titles(page(client, "?q=hameconnage")) == ["Reconnaître l'hameçonnage"]
    assert titles(page(client, "?q=fraud")) == ["Reconnaître l'hameçonnage"]  # description
    assert set(titles(page(client, "?q=sécurité"))) == {
        "Sécuriser ses mots de passe",
        "Reconnaître l'hameçonnage",
    }
    assert titles(page(client, "?q=seniors atelier")) == ["Atelier tablette"]  # every word
    assert titles(page(client, "?q=administration revenus")) == ["Déclarer ses revenus"]  # tag and title


def test_a_search_says_how_many_documents_match_and_hides_the_latest(world, documents, login_as):
    content = page(login_as(world.alice.user), "?q=courriel")

    assert "<strong>1 document</strong> correspond à vos critères : recherche « courriel »" in content
    assert 'id="derniers-ajouts"' not in content
    assert 'value="courriel"' in content  # kept in the form


def test_several_tags_keep_the_documents_carrying_all_of_them(world, documents, login_as):
    client = login_as(world.alice.user)

    assert set(titles(page(client, "?tag=debutant"))) == {"Créer une adresse e-mail", "Joindre un document"}
    assert titles(page(client, "?tag=debutant&tag=fiche-pratique")) == ["Créer une adresse e-mail"]
    assert titles(page(client, "?tag=securite&tag=debutant")) == []
    content = page(client, "?tag=securite&q=passe")
    assert titles(content) == ["Sécuriser ses mots de passe"]
    assert 'id="tag-securite" checked' in content and 'id="tag-debutant" checked' not in content


def test_the_counts_of_the_categories_follow_the_filters(world, documents, login_as):
    content = page(login_as(world.alice.user), "?tag=debutant")

    assert "Courriel&nbsp;(2)</a>" in content
    assert "Fiches CNIL&nbsp;(0)</span>" in content


def test_an_unknown_tag_is_dropped_with_a_message(world, documents, login_as):
    content = page(login_as(world.alice.user), "?tag=inconnue&tag=debutant")

    assert "Étiquette inconnue ou sans document, ignorée : « inconnue »." in content
    assert set(titles(content)) == {"Créer une adresse e-mail", "Joindre un document"}


def test_at_most_ten_tags_are_taken(world, documents, login_as):
    for index in range(11):
        make_document(f"Guide {index}", tags=[f"Tag {index:02d}"])
    query = "&".join(f"tag=tag-{index:02d}" for index in range(11)) + "&tag=x&tag=y"

    content = page(login_as(world.alice.user), "?" + query)

    assert "Étiquettes inconnues ou sans document, ignorées : « x », « y »." in content
    assert "Au plus 10 étiquettes à la fois : les suivantes ont été ignorées." in content
    assert content.count(" checked>") == 10


@pytest.mark.parametrize("query", [".*", "%", "_", "\\", "(?).+*", "%_%"])
def test_a_search_without_a_word_is_ignored_with_a_message(world, documents, login_as, query):
    client = login_as(world.alice.user)

    content = page(client, "?" + urlencode({"q": query}))

    assert (
        f"La recherche « {html.escape(query)} » ne contient ni lettre ni chiffre : elle est ignorée."
        in content
    )
    assert titles(content) == titles(page(client))


@pytest.mark.parametrize("query", ["' OR 1=1 --", "[a-z]* revenus", "%revenus%x", "revenus_x", "\\x revenus"])
def test_hostile_searches_are_plain_text(world, documents, login_as, query):
    content = page(login_as(world.alice.user), "?" + urlencode({"q": query}))

    # LIKE wildcards, regular expressions and quotes are text to find, never patterns.
    assert titles(content) == []
    assert "Aucun document ne correspond à ces critères" in content


def test_a_script_in_the_search_is_shown_escaped(world, documents, login_as):
    content = page(login_as(world.alice.user), "?q=<script>alert(1)</script>&tag=<img src=x>")

    assert "<script>alert" not in content and "<img src=x>" not in content
    assert "« &lt;script&gt;alert(1)&lt;/script&gt; »" in content
    assert titles(content) == []


def test_a_long_search_is_cut_with_a_message(world, documents, login_as):
    content = page(login_as(world.alice.user), "?q=" + "securite " * 30)

    assert "La recherche est limitée à 100 caractères" in content
    assert len(titles(content)) == 2


def test_without_documents_the_page_says_so(world, login_as):
    content = page(login_as(world.alice.user))

    assert "La ressourcerie est vide pour l'instant" in content
    assert "Télécharger tous les documents" not in content


def test_without_a_match_the_page_says_so(world, documents, login_as):
    content = page(login_as(world.alice.user), "?q=astrologie")

    assert "Aucun document ne correspond à ces critères" in content
    assert "Effacer la recherche et les filtres" in content


@pytest.mark.parametrize("query", ["", "?q=courriel", "?tag=debutant&tag=fiche-pratique&q=adresse"])
def test_the_page_makes_a_constant_number_of_queries(
    world, documents, login_as, django_assert_num_queries, query
):
    client = login_as(world.gestionnaire_villeurbanne)
    # session, user, roles of the user (with their scope); the tags with their counts; the documents
    # matching (one EXISTS per tag); their tags; the fingerprint of every document; the ZIP of that state.
    with django_assert_num_queries(8):
        client.get(f"/ressourcerie/{query}")
    for index in range(12):
        make_document(f"Encore un guide {index}", tags=["Débutant", f"Tag {index}", "Fiche pratique"])
    archive_build()
    with django_assert_num_queries(8):
        content = page(client, query)
    assert len(titles(content)) > 0


# --- Download --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", ROLES)
def test_every_role_downloads_a_document_under_its_title(world, documents, login_as, name, kind):
    document = documents["Reconnaître l'hameçonnage"]
    client = login_as(account(world, name), kind)

    response = client.get(f"/ressourcerie/documents/{document.pk}/telecharger/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="reconnaitre-l-hameconnage.pdf"'
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == document.fichier.open("rb").read()


def test_an_unknown_document_is_a_404(world, documents, login_as):
    assert login_as(world.alice.user).get("/ressourcerie/documents/999999/telecharger/").status_code == 404


def test_a_file_missing_from_the_storage_is_a_404(world, documents, login_as):
    document = documents["Joindre un document"]
    document.fichier.storage.delete(document.fichier.name)

    response = login_as(world.alice.user).get(f"/ressourcerie/documents/{document.pk}/telecharger/")

    assert response.status_code == 404
