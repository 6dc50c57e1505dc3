"""Exports (SPEC §7): the CSV conventions, the statistics CSV and PDF, the CRA export, the background
exports' life cycle, who may ask for and download what."""

import csv
import datetime
import io
import re
import threading
import tracemalloc
from urllib.parse import urlencode

import pypdf
import pytest
from django.core import mail
from django.utils import timezone

from cnfs.exports import production
from cnfs.exports import services as export_services
from cnfs.exports.cras import HEADERS, cra_lignes
from cnfs.exports.models import Export
from cnfs.exports.tableur import cellule, csv_bytes, neutralise, nom_de_fichier
from cnfs.pages import exports as export_views
from cra.generation import generate_cras
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from tests.stats.factories import make_atelier, make_cra, recompute_once

TODAY = timezone.localdate()
DU, AU = datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)
PERIOD = {"du": DU.isoformat(), "au": AU.isoformat()}


def list_csv(client, params: dict, **kwargs):
    """The CSV of the conseillers list shown with `params`, asked by its button (a POST)."""
    return client.post(f"/pilotage/?{urlencode(params)}", {"export": "csv"}, **kwargs)


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
    text = content.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def cras(world):
    with recompute_once():
        make_cra(
            world.alice, date=datetime.date(2024, 2, 1), themes=("sante",), sous_themes=("espace_sante",)
        )
        make_atelier(
            world.alice,
            participants=3,
            date=datetime.date(2024, 3, 4),
            redirections=(("CAF", 2), ("AUTRE", 1, "Mairie")),
        )
        make_atelier(
            world.alice, participants=9, nb_participants_recurrents=4, date=datetime.date(2024, 3, 5)
        )
        make_cra(world.chloe, date=datetime.date(2024, 3, 5), code_postal="01000")


# CSV conventions.


@pytest.mark.parametrize(
    "text, shown",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6", "'+33 6"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("\rcaché", "'\rcaché"),
        ("Mairie = ici", "Mairie = ici"),
        ("Élodie", "Élodie"),
    ],
)
def test_a_formula_is_neutralised(text, shown):
    assert neutralise(text) == shown == cellule(text)


def test_cells_follow_the_french_conventions():
    assert cellule(datetime.date(2024, 3, 5)) == "05/03/2024"
    assert cellule(1234567) == 1234567
    from decimal import Decimal

    assert cellule(Decimal("12.5")) == "12,5"
    assert cellule(Decimal("1234.5")) == "1234,5"
    assert (cellule(True), cellule(False), cellule(None)) == ("Oui", "Non", "")
    content = csv_bytes([["a;b", 'dit "x"'], [1, 2]])
    assert content == '\ufeff"a;b";"dit ""x"""\r\n1;2\r\n'.encode()


def test_file_names():
    assert (
        nom_de_fichier("statistiques", "Mairie de Villeurbanne", DU, AU)
        == "statistiques_mairie-de-villeurbanne_2024-01-01_2024-06-30.csv"
    )
    assert nom_de_fichier("cra", "../../etc/passwd <script>", DU, AU, "csv").startswith(
        "cra_etcpasswd-script_"
    )


# The statistics CSV.


def test_the_statistics_csv_has_the_pages_numbers(world, cras, login_as):
    client = login_as(world.gestionnaire_villeurbanne)
    url = f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/"

    response = client.get(url, {**PERIOD, "export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="statistiques_mairie-de-villeurbanne_2024-01-01_2024-06-30.csv"'
        in response["Content-Disposition"]
    )
    rows = read_csv(response.content)
    assert rows[0] == ["Statistiques de la structure – Mairie de Villeurbanne", "du 01/01/2024 au 30/06/2024"]
    titles = [row[0] for row, before in zip(rows[1:], rows, strict=False) if before == [] and len(row) == 1]
    assert titles == [
        "Général",
        "Thèmes des accompagnements",
        "Canaux d'accompagnement",
        "Temps en accompagnement",
        "Durée des accompagnements",
        "Tranches d'âge des usagers (en %)",
        "Statut des usagers (en %)",
        "Évolution des comptes rendus d'activité",
        "Usagers réorientés (en %)",
    ]
    values = {row[0]: row[1:] for row in rows if len(row) >= 2}
    stats = statistiques(StatsRequest(StatsScope.structure(world.villeurbanne.pk), DU, AU))
    for row in stats.chiffres.values():
        expected = str(row.value).replace(".", ",")
        assert values[row.label] == [expected], row.label
    assert values["Personnes accompagnées (nouveaux usagers)"] == ["9"]
    assert values["Santé"] == ["1", "33,3"] and values["dont Mon espace santé"] == ["1", "33,3"]
    assert values["CAF"] == ["2", "66,7"] and values["Autres"] == ["1", "33,3"]
    assert values["mars 2024"] == ["2"]


# The statistics PDF, made in the background.


def test_the_statistics_pdf_is_made_in_the_background_and_downloaded(
    world, cras, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.gestionnaire_villeurbanne)
    url = f"/pilotage/conseillers/{world.alice.pk}/statistiques/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}?du={DU}&au={AU}", {"export": "pdf"})

    assert response.status_code == 302 and response.url == "/exports/"
    export = Export.objects.get()
    assert (export.demandeur, export.etat, export.nature) == (
        world.gestionnaire_villeurbanne,
        Export.Etat.TERMINE,
        Export.Nature.STATISTIQUES_PDF,
    )
    assert export.nom_fichier == "statistiques_alice-arnaud_2024-01-01_2024-06-30.pdf"
    assert export.expires_at - export.finished_at == datetime.timedelta(days=7)
    assert mail.outbox[-1].to == ["gestion@villeurbanne.fr"] and "/exports/" in mail.outbox[-1].body

    page = client.get("/exports/").content.decode()
    assert "Statistiques (PDF) – Alice Arnaud – du 01/01/2024 au 30/06/2024" in page
    download = client.get(f"/exports/{export.pk}/telecharger/")
    assert download.status_code == 200
    assert 'filename="statistiques_alice-arnaud_2024-01-01_2024-06-30.pdf"' in download["Content-Disposition"]
    pdf = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    # Words only: a label may wrap in the two columns of key figures.
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for expected in (
        "Récapitulatif de l'activité d'accompagnement",
        "Statistiques du conseiller",
        "Alice Arnaud",
        "du 01/01/2024 au 30/06/2024",
        "CRA comptés : seuls ceux faits pour la structure",
        "Personnes accompagnées (nouveaux usagers) 9",
        "Accompagnements totaux enregistrés (dont récurrents) 13",
        "Thèmes des accompagnements",
        "Usagers réorientés",
        "Données mises à jour le",
        f"Page 1 sur {len(pdf.pages)}",
    ):
        assert expected in text, expected


# The CRA export.


def test_a_conseiller_exports_his_own_cras_at_once(world, cras, login_as):
    make_cra(world.alice, date=datetime.date(2024, 4, 1), annotation="=cmd|' /C calc'!A0")
    make_cra(world.alice, date=datetime.date(2024, 4, 2), deleted=True)
    client = login_as(world.alice.user)

    response = client.post(f"/coop/statistiques/?du={DU}&au={AU}", {"export": "cra"})

    assert response.status_code == 200 and response.streaming
    rows = read_csv(b"".join(response.streaming_content))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 4  # Alice's four CRAs of the period, not the deleted one, not Chloé's
    line = dict(zip(rows[0], rows[2], strict=True))
    assert line["Date de l'accompagnement"] == "04/03/2024"
    assert line["Canal"] == "Lieu d'activité" and line["Activité"] == "Atelier collectif"
    assert line["Participants"] == "3" and line["Plus de 60 ans"] == "3" and line["Durée"] == "30 min à 1 h"
    assert line["Organismes de redirection"] == "CAF (2) ; Autre : Mairie (1)"
    assert line["Structure"] == "Mairie de Villeurbanne"
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Thèmes"] == "Santé" and first["Sous-thèmes"] == "Mon espace santé"
    assert dict(zip(rows[0], rows[4], strict=True))["Annotation"] == "'=cmd|' /C calc'!A0"


def test_many_cras_are_exported_in_the_background(
    world, cras, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(export_views, "CRA_DIRECT_MAX", 2)
    client = login_as(world.prefet_rhone)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pilotage/territoires/departement/69/?du={DU}&au={AU}", {"export": "cra"})

    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.etat, export.lignes, export.progression) == (Export.Etat.TERMINE, 3, 100)
    download = client.get(f"/exports/{export.pk}/telecharger/")
    rows = read_csv(b"".join(download.streaming_content))
    assert len(rows) == 4 and {row[3] for row in rows[1:]} == {"Arnaud"}


@pytest.mark.parametrize(
    "account, path, allowed",
    [
        ("prefet_rhone", "/pilotage/territoires/departement/69/", True),
        ("prefet_rhone", "/pilotage/territoires/departement/01/", False),
        ("prefet_ara", "/pilotage/territoires/region/84/", True),
        ("prefet_rhone", "/pilotage/territoires/region/84/", False),
        ("hub", "/pilotage/territoires/departement/01/", True),
        ("gestionnaire_villeurbanne", "/pilotage/territoires/departement/69/", False),
        ("gestionnaire_villeurbanne", "/pilotage/national/", False),
        ("prefet_rhone", "/pilotage/national/", False),
        ("admin", "/pilotage/national/", True),
        ("admin", "/pilotage/territoires/departement/01/", True),
    ],
)
def test_the_cras_of_a_territory_are_exported_by_its_own_roles_only(
    world, cras, login_as, account, path, allowed
):
    client = login_as(getattr(world, account))

    page = client.get(path).content.decode()
    response = client.post(path, {"export": "cra"})

    assert ('value="cra"' in page) is allowed
    assert response.status_code == (200 if allowed else 403)
    assert "Exporter en PDF" in page


def test_an_unknown_export_is_refused_with_a_message(world, login_as):
    client = login_as(world.admin)

    response = client.post("/pilotage/national/", {"export": "xlsx"}, follow=True)

    assert "Cet export n&#x27;existe pas." in response.content.decode()
    assert not Export.objects.exists()


# The life cycle of a background export.


def _export(world, user=None, **fields) -> Export:
    request = StatsRequest(StatsScope.structure(world.villeurbanne.pk), DU, AU)
    user = user or world.gestionnaire_villeurbanne
    values = {
        "demandeur": user,
        "role": user.roles.get(),
        "nature": Export.Nature.CRA_CSV,
        "libelle": "CRA de Villeurbanne",
        "nom_fichier": "cra_villeurbanne.csv",
        "parametres": {"requete": request.as_json(), "titre": "t", "scope_name": "s", "total": 3},
        **fields,
    }
    return Export.objects.create(**values)


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: not an Exception, nothing handles it."""


def test_an_export_killed_half_way_offers_no_file_and_is_made_again(world, cras, login_as, monkeypatch):
    export = _export(world)
    written = []

    def dying_producer(export, path, progression):
        with open(path, "w") as stream:
            stream.write("partial")
        written.append(path)
        raise WorkerKilled

    # Whatever the database (Python writer or PostgreSQL COPY), the producer of CRA files dies half-way.
    monkeypatch.setitem(production.PRODUCTEURS, Export.Nature.CRA_CSV, ("csv", dying_producer))
    with pytest.raises(WorkerKilled):
        production.export_make(export.pk)
    export.refresh_from_db()
    assert (export.etat, export.tentatives, bool(export.fichier)) == (Export.Etat.EN_COURS, 1, False)
    client = login_as(world.gestionnaire_villeurbanne)
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404
    assert "En préparation" in client.get("/exports/").content.decode()

    # The task comes back (acks_late): the export starts again from the beginning.
    monkeypatch.undo()
    production.export_make(export.pk)
    export.refresh_from_db()
    assert (export.etat, export.tentatives, export.lignes) == (Export.Etat.TERMINE, 2, 3)
    assert len(read_csv(export.fichier.open("rb").read())) == 4


def test_a_failed_export_says_why_and_is_relaunched(
    world, cras, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    export = _export(world)

    def failing_producer(export, path, progression):
        raise OSError("disque plein")

    monkeypatch.setitem(production.PRODUCTEURS, Export.Nature.CRA_CSV, ("csv", failing_producer))
    production.export_make(export.pk)
    export.refresh_from_db()
    assert export.etat == Export.Etat.ECHEC and not export.fichier
    assert "La préparation du fichier a échoué (OSError)" in export.erreur
    client = login_as(world.gestionnaire_villeurbanne)
    page = client.get("/exports/").content.decode()
    assert "La préparation du fichier a échoué (OSError)" in page and "Relancer" in page
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exports/{export.pk}/relancer/")
    assert response.status_code == 302
    export.refresh_from_db()
    assert (export.etat, export.erreur, export.lignes) == (Export.Etat.TERMINE, "", 3)


def test_a_replayed_task_does_nothing_and_repeated_crashes_fail(world, cras):
    export = _export(world)
    production.export_make(export.pk)
    export.refresh_from_db()
    name = export.fichier.name
    assert production.export_make(export.pk) is None
    export.refresh_from_db()
    assert (export.fichier.name, export.tentatives) == (name, 1)

    crashed = _export(world, etat=Export.Etat.EN_COURS, tentatives=production.MAX_TENTATIVES)
    assert production.export_make(crashed.pk) is None
    crashed.refresh_from_db()
    assert crashed.etat == Export.Etat.ECHEC and "interrompu plusieurs fois" in crashed.erreur


def test_exports_expire_after_seven_days_and_stuck_ones_fail(world, cras, login_as):
    export = _export(world)
    production.export_make(export.pk)
    export.refresh_from_db()
    storage, name = export.fichier.storage, export.fichier.name

    assert production.exports_expire(timezone.now() + datetime.timedelta(days=6)) == 0
    assert production.exports_expire(timezone.now() + datetime.timedelta(days=7, minutes=1)) == 1
    export.refresh_from_db()
    assert export.etat == Export.Etat.EXPIRE and not export.fichier and not storage.exists(name)
    client = login_as(world.gestionnaire_villeurbanne)
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404
    assert "Relancer" in client.get("/exports/").content.decode()

    stuck = _export(world, etat=Export.Etat.EN_COURS, started_at=timezone.now() - datetime.timedelta(hours=3))
    running = _export(world, etat=Export.Etat.EN_COURS, started_at=timezone.now())
    assert production.exports_fail_interrupted() == 1
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert (stuck.etat, running.etat) == (Export.Etat.ECHEC, Export.Etat.EN_COURS)


def test_a_broker_error_marks_the_export_failed(world, monkeypatch, django_capture_on_commit_callbacks):
    def down(pk):
        raise ConnectionError("broker")

    monkeypatch.setattr("cnfs.exports.tasks.export_make.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_services.export_request(
            demandeur=world.admin,
            role=world.admin.roles.get(),
            nature=Export.Nature.CRA_CSV,
            libelle="x",
            nom_fichier="x.csv",
            parametres={},
        )
    export.refresh_from_db()
    assert export.etat == Export.Etat.ECHEC and "n'a pas pu être joint" in export.erreur


# Who sees and downloads what.


def test_only_the_requester_or_an_admin_downloads_an_export(world, cras, login_as):
    export = _export(world)
    production.export_make(export.pk)

    for account, status in (
        ("gestionnaire_villeurbanne", 200),
        ("admin", 200),
        ("gestionnaire_bourg", 404),
        ("prefet_rhone", 404),
    ):
        assert (
            login_as(getattr(world, account)).get(f"/exports/{export.pk}/telecharger/").status_code == status
        )
    assert login_as(world.alice.user).get(f"/exports/{export.pk}/telecharger/").status_code == 404
    assert login_as(world.admin).post(f"/exports/{export.pk}/relancer/").status_code == 404
    assert login_as(world.gestionnaire_bourg).post(f"/exports/{export.pk}/relancer/").status_code == 404
    assert login_as(world.gestionnaire_villeurbanne).get(f"/exports/{export.pk}/relancer/").status_code == 405


def test_anonymous_users_are_sent_to_login(world, cras, client):
    export = _export(world)
    production.export_make(export.pk)
    for url in ("/exports/", f"/exports/{export.pk}/telecharger/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_my_exports_lists_mine_only_in_constant_queries(world, login_as, django_assert_num_queries):
    _export(world, libelle="Le mien")
    _export(world, user=world.gestionnaire_bourg, libelle="Celui de Bourg")
    client = login_as(world.gestionnaire_villeurbanne)
    # session, user, roles, count, page of exports
    with django_assert_num_queries(5):
        html = client.get("/exports/").content.decode()
    assert "Le mien" in html and "Celui de Bourg" not in html
    for number in range(10):
        _export(world, libelle=f"Export {number}")
    with django_assert_num_queries(5):
        html = client.get("/exports/").content.decode()
    assert len(re.findall(r"<tr>", html)) == 1 + 11


# Memory.


def _peak_of_cra_export(world, count: int) -> int:
    request = StatsRequest(StatsScope.national(), datetime.date(2020, 11, 17), TODAY)
    from stats.reference import cras_for

    tracemalloc.start()
    try:
        lines = 0
        for _line in cra_lignes(cras_for(request)):
            lines += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == count + 1
    return peak


def test_the_memory_of_a_cra_export_does_not_grow_with_its_size(world):
    generate_cras(count=6_000, seed=5, method="bulk")
    small = _peak_of_cra_export(world, 6_000)
    generate_cras(count=18_000, seed=6, method="bulk")
    large = _peak_of_cra_export(world, 24_000)
    # Rows are read by chunks: four times the rows, about the same peak (one chunk at a time).
    assert large < small * 1.5, (small, large)


def test_the_territory_table_exports_as_shown(world, cras, login_as):
    client = login_as(world.hub)
    page = client.get("/pilotage/territoires/", {"q": "r", "tri": "-cra", **PERIOD}).content.decode()
    href = re.search(r'href="(\?[^"]*export=csv)"', page).group(1).replace("&amp;", "&")

    response = client.get(f"/pilotage/territoires/{href}")

    assert 'filename="territoires_departements_2024-01-01_2024-06-30.csv"' in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert rows[0] == [
        "Code",
        "Nom",
        "CRA enregistrés",
        "Personnes accompagnées",
        "Accompagnements",
        "Dotation de conseillers",
        "Conseillers recrutés",
        "CnFS activés",
        "CnFS en attente d'activation",
        "Taux d'activation",
    ]
    assert rows[1] == ["69", "Rhône", "3", "9", "13", "5", "4", "2", "2", "50"]
    assert all("r" in f"{row[0]} {row[1]}".lower() for row in rows[1:-1])
    assert rows[-1][:3] == ["", "Total France", "4"]  # every territory, whatever the search


# The conseillers list export.

CONSEILLER_HEADERS = [
    "Prénom",
    "Nom",
    "E-mail professionnel",
    "Structure",
    "SIRET",
    "Code postal de la structure",
    "Département",
    "Statut",
    "Date de début de contrat",
    "Date de fin de contrat",
    "Date de fin de formation",
    "Certification",
    "Activé",
    "Coordinateur",
    "CRA saisis (période)",
    "Personnes accompagnées (période)",
    "Date du dernier CRA",
    "Nom du supérieur hiérarchique",
    "Prénom du supérieur hiérarchique",
    "Fonction du supérieur hiérarchique",
    "E-mail du supérieur hiérarchique",
    "Téléphone du supérieur hiérarchique",
]


def _by_name(rows):
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_a_structure_exports_its_conseillers_with_its_own_cras(
    world, cras, login_as, django_assert_max_num_queries
):
    make_cra(world.denis, date=datetime.date(2024, 2, 1), structure=world.villeurbanne)
    make_cra(world.denis, date=datetime.date(2024, 5, 1), structure=world.lyon_asso)
    world.alice.superieur_nom = "=Directeur"
    world.alice.save()
    client = login_as(world.gestionnaire_villeurbanne)

    with django_assert_max_num_queries(6):
        response = list_csv(client, {**PERIOD})
        content = b"".join(response.streaming_content)

    assert 'filename="conseillers_' in response["Content-Disposition"]
    rows = read_csv(content)
    assert rows[0] == CONSEILLER_HEADERS
    lignes = _by_name(rows)
    assert set(lignes) == {"Alice", "Bruno", "Denis"}  # current ones and Denis, who left
    alice = lignes["Alice"]
    assert (alice["CRA saisis (période)"], alice["Personnes accompagnées (période)"]) == ("3", "9")
    assert alice["Date du dernier CRA"] == "05/03/2024" and alice["Structure"] == "Mairie de Villeurbanne"
    assert alice["Date de début de contrat"] == "01/01/2023" and alice["Activé"].startswith("Activé le ")
    assert alice["Nom du supérieur hiérarchique"] == "'=Directeur"
    assert lignes["Bruno"]["Certification"] == "Non" and lignes["Bruno"]["Activé"] == "Non"
    # Denis: only his CRA made for Villeurbanne.
    assert lignes["Denis"]["CRA saisis (période)"] == "1"


def test_the_list_export_is_a_form_that_no_link_triggers(world, cras, login_as):
    client = login_as(world.prefet_ara)

    page = client.get("/pilotage/", {"departement": "01", **PERIOD})
    html = page.content.decode()

    # A POST to the list with its filters in the address (the CSRF token is checked by StrictClient)…
    form = re.search(r'<form method="post" action="\?([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'name="export" value="csv"' in form.group(2)
    assert "departement=01" in form.group(1).replace("&amp;", "&")
    # …and a link, or a page of another site, no longer starts an export.
    response = client.get("/pilotage/", {"export": "csv"})
    assert response["Content-Type"].startswith("text/html") and "Content-Disposition" not in response
    assert not Export.objects.exists()


def test_the_list_export_keeps_the_filters_of_the_list(world, cras, login_as):
    client = login_as(world.prefet_ara)

    rows = read_csv(b"".join(list_csv(client, {"departement": "01"}).streaming_content))

    assert [row[0] for row in rows[1:]] == ["Chloé"]
    rows = read_csv(b"".join(list_csv(client, {"q": "arnaud"}).streaming_content))
    assert [row[1] for row in rows[1:]] == ["Arnaud"]


def test_a_long_list_is_exported_in_the_background_with_the_role_scope(
    world, cras, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(export_views, "CSV_DIRECT_MAX", 1)
    client = login_as(world.prefet_rhone)

    with django_capture_on_commit_callbacks(execute=True):
        response = list_csv(client, {"tri": "-nom"})

    assert response.status_code == 302 and response.url == "/exports/"
    export = Export.objects.get()
    assert (export.nature, export.etat) == (Export.Nature.CONSEILLERS_CSV, Export.Etat.TERMINE)
    rows = read_csv(export.fichier.open("rb").read())
    # The Rhône's conseillers (Denis, Emma, Bruno, Alice), sorted as the list, never Chloé (Ain).
    assert [row[1] for row in rows[1:]] == ["Etienne", "Durand", "Blanc", "Arnaud"]


@pytest.mark.parametrize("background", [False, True], ids=["direct", "background"])
def test_a_structure_sees_nothing_of_the_new_employer_of_a_conseiller_who_left(
    world, cras, login_as, monkeypatch, django_capture_on_commit_callbacks, background
):
    """Denis left Villeurbanne for the association: its list shows what his fiche shows (SPEC §18), his
    contract with Villeurbanne, not the association, its SIRET, his new contract or supérieur."""
    world.denis.superieur_nom, world.denis.superieur_prenom = "Directrice", "Nadia"
    world.denis.superieur_email, world.denis.superieur_telephone = "nadia@lyon-numerique.fr", "0478000000"
    world.denis.save()
    monkeypatch.setattr(export_views, "CSV_DIRECT_MAX", 0 if background else 5000)
    client = login_as(world.gestionnaire_villeurbanne)

    with django_capture_on_commit_callbacks(execute=True):
        response = list_csv(client, {**PERIOD})
    content = Export.objects.get().fichier.read() if background else b"".join(response.streaming_content)

    text = content.decode("utf-8-sig")
    hidden = ("Association Lyon Numérique", world.lyon_asso.siret, "Nadia", "lyon-numerique", "0478000000")
    for value in hidden:
        assert value not in text, value
    denis = _by_name(read_csv(content))["Denis"]
    assert (denis["Structure"], denis["SIRET"], denis["Code postal de la structure"]) == ("", "", "")
    assert denis["Statut"] == "A quitté votre structure"
    # His contract with Villeurbanne, as on his fiche ("Contrats avec votre structure").
    assert (denis["Date de début de contrat"], denis["Date de fin de contrat"]) == ("01/01/2022", "")
    alice = _by_name(read_csv(content))["Alice"]
    assert alice["Structure"] == "Mairie de Villeurbanne" and alice["Statut"] == "En activité"


def test_other_roles_see_a_conseillers_current_employer_as_on_his_fiche(world, cras, login_as):
    client = login_as(world.prefet_rhone)

    rows = read_csv(b"".join(list_csv(client, {"q": "durand"}).streaming_content))

    denis = _by_name(rows)["Denis"]
    assert (denis["Structure"], denis["SIRET"]) == ("Association Lyon Numérique", world.lyon_asso.siret)
    assert denis["Date de début de contrat"] == "01/03/2024"


# The structures list export.


def structures_csv(client, params: dict, **kwargs):
    """The CSV of the structures list shown with `params`, asked by its button (a POST)."""
    return client.post(f"/pilotage/structures/?{urlencode(params)}", {"export": "csv"}, **kwargs)


def test_the_structures_list_is_exported_as_shown_in_constant_queries(
    world, cras, login_as, django_assert_max_num_queries
):
    client = login_as(world.prefet_ara)
    html = client.get("/pilotage/structures/", PERIOD).content.decode()
    form = re.search(r'<form method="post" action="\?([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'name="export" value="csv"' in form.group(2)

    # session, user, roles; the count; the structures with their figures; the filters' territories
    with django_assert_max_num_queries(7):
        response = structures_csv(client, {**PERIOD, "tri": "-cra"})
        content = b"".join(response.streaming_content)

    assert 'filename="structures_' in response["Content-Disposition"]
    rows = read_csv(content)
    assert rows[0] == [
        "Nom",
        "SIRET",
        "Commune",
        "Code postal",
        "Département",
        "Région",
        "Type",
        "Statut",
        "Dotation",
        "Conseillers recrutés",
        "CRA saisis (période)",
        "Personnes accompagnées (période)",
    ]
    villeurbanne = dict(zip(rows[0], rows[1], strict=True))
    assert (
        villeurbanne["Nom"] == "Mairie de Villeurbanne" and villeurbanne["SIRET"] == world.villeurbanne.siret
    )
    assert (villeurbanne["Département"], villeurbanne["Région"], villeurbanne["Dotation"]) == (
        "69",
        "84",
        "3",
    )
    # Alice's CRA, workshop of 3, workshop of 9 (4 came before): 3 CRAs, 1 + 3 + 5 people.
    assert (villeurbanne["CRA saisis (période)"], villeurbanne["Personnes accompagnées (période)"]) == (
        "3",
        "9",
    )
    assert [row[0] for row in rows[1:]] == [
        "Mairie de Villeurbanne",
        "Mairie de Bourg-en-Bresse",
        "Association Lyon Numérique",
    ]

    rows = read_csv(b"".join(structures_csv(client, {"departement": "01"}).streaming_content))
    assert [row[0] for row in rows[1:]] == ["Mairie de Bourg-en-Bresse"]


def test_a_long_structures_list_is_exported_in_the_background_with_the_role_scope(
    world, cras, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(export_views, "CSV_DIRECT_MAX", 1)
    client = login_as(world.prefet_rhone)

    with django_capture_on_commit_callbacks(execute=True):
        response = structures_csv(client, {"tri": "-nom"})

    assert response.status_code == 302 and response.url == "/exports/"
    export = Export.objects.get()
    assert (export.nature, export.etat) == (Export.Nature.STRUCTURES_CSV, Export.Etat.TERMINE)
    assert export.libelle.startswith("Liste de structures – ")
    rows = read_csv(export.fichier.open("rb").read())
    # The Rhône's structures, sorted as the list, never Bourg (Ain).
    assert [row[0] for row in rows[1:]] == ["Mairie de Villeurbanne", "Association Lyon Numérique"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export is made by another thread
def test_without_a_broker_the_pdf_is_made_beside_the_page_not_before_it(world, login_as, settings):
    settings.EXPORTS_WITHOUT_BROKER_IN_A_THREAD = True
    # The export thread is kept busy: the page must answer without waiting for it.
    occupe = threading.Event()
    export_services.sans_broker.submit(occupe.wait, 30)
    client = login_as(world.gestionnaire_villeurbanne)

    response = client.post(
        f"/pilotage/conseillers/{world.alice.pk}/statistiques/?du={DU}&au={AU}", {"export": "pdf"}
    )

    assert response.status_code == 302 and response.url == "/exports/"
    assert Export.objects.get().etat == Export.Etat.EN_ATTENTE
    assert "est en préparation" in client.get("/exports/").content.decode()

    occupe.set()
    export_services.sans_broker.submit(lambda: None).result(timeout=120)  # the queue has run
    export = Export.objects.get()
    assert export.etat == Export.Etat.TERMINE and export.fichier.size > 0
