import datetime
import re
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import role_grant
from cnfs.exports import production
from cnfs.exports import services as export_services
from cnfs.exports.models import Export
from ressourcerie.archive import archive_build
from stats.request import StatsRequest, StatsScope
from tests.accounts.factories import UserFactory
from tests.exports.test_exports import list_csv
from tests.ressourcerie.factories import make_document
from tests.stats.factories import make_cra
from tests.utils import StrictClient

TODAY = timezone.localdate()


def test_pages_carry_a_strict_csp_with_the_nonce_of_their_scripts(db, client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "the DSFR scripts are expected on every page"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_each_response_gets_its_own_nonce(db, client):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]

    assert first != second


def test_clickjacking_and_referrer_headers(db, client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Permissions-Policy on every response, private downloads (SPEC §18) ----------------------------------

FEATURES_DENIED = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "fullscreen=()")


def _denies_every_feature(response) -> bool:
    policy = response["Permissions-Policy"]
    return all(feature in policy.split(", ") for feature in FEATURES_DENIED)


def test_an_html_page_carries_the_permissions_policy(db, client):
    response = client.get("/")

    assert response.status_code == 200 and _denies_every_feature(response)
    assert "no-store" not in response.get("Cache-Control", "")  # a page, not a download


def test_error_pages_and_the_probe_carry_the_permissions_policy(world, client, login_as):
    assert _denies_every_feature(client.get("/healthz"))
    assert _denies_every_feature(client.get("/accounts/login/"))
    not_found = client.get("/page-qui-n-existe-pas/")
    assert not_found.status_code == 404 and _denies_every_feature(not_found)
    forbidden = login_as(world.alice.user).get("/pilotage/")
    assert forbidden.status_code == 403 and _denies_every_feature(forbidden)


@pytest.mark.django_db
def test_the_503_page_carries_the_permissions_policy():
    user = UserFactory()
    role_grant(user=user, kind=RoleKind.ADMIN)
    client = StrictClient(raise_request_exception=False)  # as in production: the error page, not the error
    client.force_login(user)
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/pilotage/")

    assert response.status_code == 503 and _denies_every_feature(response)


def _statistics_csv(world, login_as):
    url = f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/"
    return login_as(world.gestionnaire_villeurbanne).get(url, {"export": "csv"})


def _territories_csv(world, login_as):
    return login_as(world.hub).get("/pilotage/territoires/", {"export": "csv"})


def _conseillers_csv(world, login_as):
    return list_csv(login_as(world.gestionnaire_villeurbanne), {})


def _cras_csv(world, login_as):
    return login_as(world.alice.user).post("/coop/statistiques/", {"export": "cra"})


def _background_export(world, login_as):
    requete = StatsRequest(StatsScope.structure(world.villeurbanne.pk), datetime.date(2024, 1, 1), TODAY)
    export = export_services.export_request(
        demandeur=world.gestionnaire_villeurbanne,
        role=world.gestionnaire_villeurbanne.roles.get(),
        nature=Export.Nature.CRA_CSV,
        libelle="CRA de Villeurbanne",
        nom_fichier="cra.csv",
        parametres={"requete": requete.as_json(), "titre": "t", "scope_name": "s"},
    )
    production.export_make(export.pk)
    return login_as(world.gestionnaire_villeurbanne).get(f"/exports/{export.pk}/telecharger/")


def _document(world, login_as):
    document = make_document()
    return login_as(world.alice.user).get(f"/ressourcerie/documents/{document.pk}/telecharger/")


def _documents_zip(world, login_as):
    make_document()
    archive_build()
    return login_as(world.alice.user).get("/ressourcerie/tous-les-documents.zip")


DOWNLOADS = {
    "statistiques CSV": _statistics_csv,
    "territoires CSV": _territories_csv,
    "conseillers CSV (en flux)": _conseillers_csv,
    "CRA CSV (en flux)": _cras_csv,
    "export préparé en tâche de fond": _background_export,
    "document de la ressourcerie": _document,
    "ZIP de la ressourcerie": _documents_zip,
}


@pytest.mark.parametrize("download", DOWNLOADS.values(), ids=DOWNLOADS.keys())
def test_every_download_is_kept_by_no_cache(world, login_as, download):
    make_cra(world.alice, date=TODAY)

    response = download(world, login_as)

    assert response.status_code == 200, response.get("Location")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "private, no-store"
    assert _denies_every_feature(response)
