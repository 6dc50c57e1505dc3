"""The pages of the layout: public pages, error pages, allauth's pages and the homes of the roles.

The test settings fail on any template variable missing from the context, so rendering a page here also
checks that its template only uses what its view and the context processors give.
"""

import datetime
import re

import pytest
from django.template.loader import get_template

from accounts.enums import RoleKind
from accounts.models import Role, User
from tests.stats.factories import make_atelier, make_cra, recompute_once

PASSWORD = "un-mot-de-passe-solide-2026"


def h1_of(response):
    """The text of the page's single <h1> (fails when there is none or several)."""
    html = response.content.decode()
    titles = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.DOTALL)
    assert len(titles) == 1, f"{len(titles)} <h1> dans la page"
    return " ".join(re.sub(r"<[^>]+>", "", titles[0]).split())


def assert_no_inline_script_or_style(response):
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "script en ligne"
    assert not re.search(r"<style\b", html), "bloc <style>"
    assert not re.search(r"\sstyle=", html), "attribut style"
    assert not re.search(r"\son[a-z]+=", html), "gestionnaire d'événement en ligne"


@pytest.fixture
def admin_user():
    user = User.objects.create_user(email="alice@anct.example", password=PASSWORD)
    Role.objects.create(user=user, kind="admin")
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "Suivi d'activité et pilotage des Conseillers numériques France Services"),
        ("/accessibilite/", "Déclaration d'accessibilité"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/aide/", "Aide"),
        ("/accounts/login/", "Connexion"),
        ("/accounts/password/reset/", "Mot de passe oublié"),
    ],
)
def test_public_page_answers_anonymously(client, url, title):
    response = client.get(url)

    assert response.status_code == 200
    assert h1_of(response) == title
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert re.search(r"<title>\s*\S.* — Conseiller numérique</title>", html)
    assert 'href="#content"' in html and 'id="content"' in html and 'id="footer"' in html
    assert "Accessibilité : non conforme" in html
    assert_no_inline_script_or_style(response)


@pytest.mark.django_db
def test_every_page_links_to_the_help_in_its_header_and_footer(client, admin_user):
    for html in (
        client.get("/").content.decode(),
        _logged_in(client, admin_user).get("/pilotage/").content.decode(),
    ):
        assert html.count('href="/aide/"') == 2  # the header's tools, the footer


@pytest.mark.django_db
def test_help_has_a_faq_per_role_the_definitions_and_the_contacts(client, admin_user):
    html = client.get("/aide/").content.decode()

    for kind in RoleKind.values:
        assert f'id="faq-{kind}"' in html
    for indicator in ("cra", "personnes", "accompagnements", "avec_suivi", "themes", "taux_activation"):
        assert f'id="indicateur-{indicator}"' in html
    assert 'href="mailto:conseiller-numerique@anct.gouv.fr"' in html
    assert 'href="https://www.demarches-simplifiees.fr/"' in html
    assert "voir les questions de ce rôle" not in html

    html = _logged_in(client, admin_user).get("/aide/").content.decode()

    assert '<a href="#faq-admin">voir les questions de ce rôle</a>' in html
    # The statistics pages lead to the definitions.
    assert 'href="/aide/#indicateurs"' in client.get("/pilotage/national/").content.decode()
    assert 'href="/aide/#indicateurs-territoires"' in client.get("/pilotage/territoires/").content.decode()


def _logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_home_invites_to_log_in_when_anonymous(client):
    html = client.get("/").content.decode()

    assert 'href="/accounts/login/"' in html
    assert "Accéder à mon espace" not in html


@pytest.mark.django_db
def test_home_leads_to_the_space_when_logged_in(client, admin_user):
    client.force_login(admin_user)

    html = client.get("/").content.decode()

    assert "Accéder à mon espace" in html
    assert 'href="/accounts/accueil/"' in html


@pytest.mark.django_db
def test_login_page_has_no_sign_up_link_and_a_reset_link(client):
    html = client.get("/accounts/login/").content.decode()

    assert "/accounts/signup/" not in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'name="login"' in html and 'name="password"' in html


@pytest.mark.django_db
def test_login_error_is_summarised_in_french(client, admin_user):
    response = client.post("/accounts/login/", {"login": admin_user.email, "password": "faux"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "fr-alert--error" in html
    assert "mot de passe sont incorrects" in html
    assert "<title>Erreur : Connexion" in html


@pytest.mark.django_db
def test_missing_page_renders_the_dsfr_404(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert h1_of(response) == "Page non trouvée"
    assert "Erreur 404" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_renders_the_dsfr_403(client):
    user = User.objects.create_user(email="bob@conseiller.example", password=PASSWORD)
    Role.objects.create(user=user, kind="conseiller")
    client.force_login(user)

    response = client.get("/accounts/inviter/")

    assert response.status_code == 403
    assert h1_of(response) == "Accès refusé"
    assert "Votre rôle ne donne pas accès à cette page." in response.content.decode()


def test_500_renders_without_any_context():
    html = get_template("500.html").render({})

    assert '<html lang="fr"' in html
    assert "<title>Erreur inattendue — Conseiller numérique</title>" in html
    assert "Erreur 500" in html
    assert "dsfr/dist/dsfr/dsfr.min.css" in html
    assert "<script" not in html


@pytest.mark.django_db
def test_csrf_failure_is_explained_in_french():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x@example.org"})

    assert response.status_code == 403
    assert h1_of(response) == "Formulaire expiré"


@pytest.mark.django_db
def test_pilotage_home_for_an_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/pilotage/")

    assert response.status_code == 200
    assert h1_of(response) == "Tableau de pilotage"
    html = response.content.decode()
    assert "alice@anct.example" in html
    assert 'aria-current="page"' in html
    assert "Aucun conseiller dans votre périmètre" in html
    assert_no_inline_script_or_style(response)


@pytest.mark.django_db
def test_invitation_form_for_an_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/accounts/inviter/")

    assert response.status_code == 200
    assert h1_of(response) == "Inviter une personne"
    html = response.content.decode()
    for name in ("email", "first_name", "last_name", "kind", "structure", "departement", "region", "hub"):
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_invitation_errors_are_listed_with_links_to_the_fields(client, admin_user):
    client.force_login(admin_user)

    response = client.post("/accounts/inviter/", {"kind": "structure"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_structure"' in html
    assert "fr-select-group--error" in html


@pytest.mark.django_db
def test_password_change_page(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/accounts/password/change/")

    assert response.status_code == 200
    assert h1_of(response) == "Modifier le mot de passe"
    html = response.content.decode()
    assert 'name="oldpassword"' in html and 'name="password1"' in html
    assert "fr-input" in html


@pytest.mark.django_db
def test_logout_confirmation_posts(client, admin_user):
    client.force_login(admin_user)

    html = client.get("/accounts/logout/").content.decode()

    assert re.search(r'<form method="post" action="/accounts/logout/"', html)


@pytest.mark.django_db
def test_role_switcher_only_for_several_roles(client, admin_user):
    client.force_login(admin_user)
    assert "Changer de rôle" not in client.get("/pilotage/").content.decode()

    user = User.objects.create_user(email="charlie@structure.example", password=PASSWORD)
    Role.objects.create(user=user, kind="admin")
    hub_role = Role.objects.create(user=user, kind="hub", hub=_hub())
    client.force_login(user)

    html = client.get("/pilotage/").content.decode()

    assert "Changer de rôle" in html
    assert 'action="/accounts/role/"' in html
    assert f'<option value="{hub_role.pk}"' in html
    assert re.search(r'<option value="\d+" selected>Équipe nationale', html)


@pytest.mark.django_db
def test_account_without_role_is_told_what_to_do(client):
    user = User.objects.create_user(email="dora@example.org", password=PASSWORD)
    client.force_login(user)

    response = client.get("/accounts/accueil/")

    assert response.status_code == 403
    assert h1_of(response) == "Aucun rôle n'est associé à votre compte"
    assert "conseiller-numerique@anct.gouv.fr" in response.content.decode()


def _hub():
    from structures.models import Hub

    return Hub.objects.get_or_create(nom="Hub du Sud")[0]


@pytest.mark.django_db
def test_invitation_email_and_pages(client, admin_user, mailoutbox):
    from accounts import services

    admin_user.first_name, admin_user.last_name = "Alice", "Martin"
    admin_user.save()
    invitee = services.user_get_or_create(email="eve@structure.example", first_name="Ève")

    services.invitation_send(user=invitee, invited_by=admin_user)

    message = mailoutbox[0]
    assert message.subject == "[Conseiller numérique] Votre invitation : choisissez votre mot de passe"
    assert message.body.startswith("Bonjour « Ève »,")
    assert "« Alice Martin » (« alice@anct.example ») vous invite" in message.body
    assert re.search(r"expire le \w+ \d{1,2} \w+ 20\d\d à \d\dh\d\d", message.body)
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    url = re.search(r"http\S+/accounts/invitation/\S+/", message.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]

    response = client.get("/" + path)
    assert response.status_code == 200
    assert h1_of(response) == "Choisissez votre mot de passe"
    assert "eve@structure.example" in response.content.decode()

    response = client.post("/" + path, {"password1": "court", "password2": "court"})
    assert response.status_code == 200
    assert "<title>Erreur : " in response.content.decode()

    response = client.get("/accounts/invitation/lien-inconnu/")
    assert response.status_code == 410
    assert h1_of(response) == "Ce lien d'invitation n'est plus valide"


def test_invitation_email_without_inviter_nor_first_name():
    from django.template.loader import render_to_string
    from django.utils import timezone

    user = User(email="frank@example.org")
    context = {
        "user": user,
        "invited_by": None,
        "url": "https://pilotage.example.org/accounts/invitation/abc/",
        "expires_at": timezone.now(),
        "site_name": "Conseiller numérique",
    }

    body = render_to_string("accounts/email/invitation_message.txt", context)

    assert body.startswith("Bonjour,")
    assert "Vous êtes invité à utiliser le service Conseiller numérique" in body


def test_the_public_home_shows_the_national_figures_cached(world, client, django_assert_num_queries):
    with recompute_once():
        make_cra(world.alice, date=datetime.date(2024, 2, 1))
        make_atelier(
            world.chloe, participants=8, nb_participants_recurrents=3, date=datetime.date(2024, 3, 1)
        )

    html = client.get("/").content.decode()
    figures = re.findall(r'cnfs-key-figure__value">([^<]*)<', html)
    # 1 + 8 accompaniments, 3 already met; 2 CRAs; Alice, Bruno, Chloé, Denis, Emma in post; 3 structures.
    assert figures == ["6", "9", "2", "5", "3"]
    assert "Données mises à jour le" in html

    make_cra(world.alice, date=datetime.date(2024, 2, 2))
    with django_assert_num_queries(0):  # anonymous and cached: no query at all
        html = client.get("/").content.decode()
    assert re.findall(r'cnfs-key-figure__value">([^<]*)<', html)[2] == "2"
