"""The structures and the territories in the admin: the team's columns in constant queries, search and
filters, the recompute of a territory's aggregates, a structure moving département, the import page."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cra.models import Cra, themes_to_bits
from stats.models import AgregatDepartementJour, AgregatJour
from structures.models import Structure
from tests.conseillers.factories import ConseillerFactory
from tests.outils_admin import action, colonne, queries
from tests.stats.factories import make_cra, recompute_once
from tests.structures.factories import StructureFactory

STRUCTURES = "/admin/structures/structure/"
DEPARTEMENTS = "/admin/structures/departement/"


@pytest.fixture
def equipe(world, client):
    client.force_login(world.admin)
    return client


def test_the_list_shows_dotation_and_recruited_in_constant_queries(world, equipe):
    few = queries(equipe, STRUCTURES)
    for _ in range(10):
        structure = StructureFactory(departement=world.ain)
        ConseillerFactory(structure=structure, date_activation=timezone.now())
        ConseillerFactory(structure=structure)
    # session, account, roles (middleware), permissions, counts (filtered, total), the page with its two
    # counting subqueries, the régions, départements and réseaux of the filters, the date hierarchy.
    assert queries(equipe, STRUCTURES) == few <= 14

    response = equipe.get(STRUCTURES, {"q": world.villeurbanne.siret})
    assert colonne(response, "nom") == ["Mairie de Villeurbanne"]
    assert colonne(response, "departement_code") == ["69"]
    assert colonne(response, "statut") == ["Validée en comité de sélection"]
    assert colonne(response, "dotation") == ["3"]
    # Alice and Bruno are in post; Alice only activated her Espace Coop.
    assert (colonne(response, "recrutes"), colonne(response, "actives")) == (["2"], ["1"])


def test_the_filters_by_departement_region_statut_and_type(world, equipe):
    def noms(**filtres):
        return sorted(colonne(equipe.get(STRUCTURES, filtres), "nom"))

    StructureFactory(nom="Centre social", type="PRIVATE", statut="CREEE", departement=world.ain)
    assert noms(departement__code__exact="01") == ["Centre social", "Mairie de Bourg-en-Bresse"]
    assert noms(statut__exact="CREEE") == ["Centre social"]
    assert noms(type__exact="PRIVATE") == ["Centre social"]
    assert len(noms(departement__region__code__exact="84")) == 4
    assert noms(q="lyon numérique") == ["Association Lyon Numérique"]


def test_the_change_form_links_to_its_conseillers_and_cras(world, equipe):
    page = f"{STRUCTURES}{world.villeurbanne.pk}/change/"
    assert queries(equipe, page) <= 12
    content = equipe.get(page).content.decode()
    assert f"/admin/conseillers/conseiller/?structure__id__exact={world.villeurbanne.pk}" in content
    assert f"/admin/cra/cra/?structure__id__exact={world.villeurbanne.pk}" in content
    assert "Auvergne-Rhône-Alpes" in content
    listed = equipe.get(f"/admin/conseillers/conseiller/?structure__id__exact={world.villeurbanne.pk}")
    assert sorted(colonne(listed, "nom")) == ["Arnaud", "Blanc"]


def _post_structure(client, structure, **changes):
    fields = [
        "siret",
        "nom",
        "type",
        "statut",
        "reseau",
        "adresse",
        "code_postal",
        "code_commune",
        "nom_commune",
        "contact_prenom",
        "contact_nom",
        "contact_fonction",
        "contact_email",
        "contact_telephone",
        "dotation",
    ]
    data = {name: getattr(structure, name) for name in fields}
    data["departement"] = structure.departement_id
    data.update(changes)
    return client.post(f"{STRUCTURES}{structure.pk}/change/", data)


def test_a_change_is_journaled_with_the_values_before_and_after(world, equipe):
    assert _post_structure(equipe, world.villeurbanne, dotation=4, statut="ABANDON").status_code == 302
    entry = LogEntry.objects.get(object_id=str(world.villeurbanne.pk))
    assert entry.get_change_message() == (
        "Modification de Statut (Validée en comité de sélection → Abandon) et "
        "Nombre de conseillers attribués (3 → 4)."
    )


def test_a_structure_moving_departement_moves_its_statistics(
    world, equipe, django_capture_on_commit_callbacks
):
    make_cra(world.alice, date=datetime.date(2024, 2, 15))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_structure(equipe, world.villeurbanne, departement="01", code_postal="01000")
    assert response.status_code == 302
    assert AgregatJour.objects.get(structure=world.villeurbanne).departement == "01"
    assert AgregatDepartementJour.objects.get(jour=datetime.date(2024, 2, 15), departement="01").cra == 1
    assert not AgregatDepartementJour.objects.filter(departement="69").exists()


def test_recomputing_a_territorys_aggregates(world, equipe, django_capture_on_commit_callbacks):
    with recompute_once():
        make_cra(world.alice, date=datetime.date(2024, 2, 15))
        make_cra(world.chloe, date=datetime.date(2024, 2, 15))
    # Rows gone wrong (rows written behind the services' back, say): the Rhône's are recomputed, the
    # Ain's are not.
    AgregatJour.objects.update(cra=42)
    AgregatDepartementJour.objects.update(cra=42)
    orphan = AgregatJour.objects.create(
        jour=datetime.date(2024, 3, 1),
        structure=world.lyon_asso,
        conseiller=world.denis,
        departement="69",
        region="84",
        computed_at=timezone.now(),
    )
    # 250 CRAs written directly, without aggregates: more keys than one recompute takes.
    Cra.objects.bulk_create(
        Cra(
            conseiller=world.emma,
            structure=world.lyon_asso,
            date_accompagnement=datetime.date(2023, 1, 1) + datetime.timedelta(days=day),
            canal="rattachement",
            code_postal="69003",
            code_commune="69383",
            nom_commune="Lyon",
            activite="individuel",
            nb_participants=1,
            age_35_60=1,
            statut_en_emploi=1,
            themes=themes_to_bits(["courriel"]),
            duree="30-60",
        )
        for day in range(250)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = action(equipe, DEPARTEMENTS, "recalculer_agregats", [world.rhone])
    assert response.status_code == 302
    assert len(callbacks) == 2  # Alice's, Emma's 250 and the orphan row: 252 keys, by batches of 200
    assert AgregatJour.objects.get(conseiller=world.alice).cra == 1
    assert AgregatJour.objects.filter(conseiller=world.emma).count() == 250
    assert not AgregatJour.objects.filter(pk=orphan.pk).exists()
    assert AgregatJour.objects.get(conseiller=world.chloe).cra == 42  # the Ain: untouched
    assert AgregatDepartementJour.objects.get(jour=datetime.date(2024, 2, 15), departement="69").cra == 1
    assert LogEntry.objects.get(object_id="69").get_change_message() == (
        "Recalcul des agrégats des statistiques demandé (252 clés)."
    )

    with django_capture_on_commit_callbacks(execute=True):
        action(equipe, "/admin/structures/region/", "recalculer_agregats", [world.ara])
    assert AgregatJour.objects.get(conseiller=world.chloe).cra == 1


def test_the_support_cannot_recompute(world, client):
    from django.contrib.auth.models import Group

    from accounts.groupes import SUPPORT
    from tests.accounts.factories import UserFactory

    support = UserFactory(email="support@anct.gouv.fr", is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT))
    client.force_login(support)
    assert "recalculer_agregats" not in client.get(DEPARTEMENTS).content.decode()


SAMPLE = (
    "siret;nom;type;code_postal;code_commune;dotation\n"
    "21690259000019;Mairie de Vénissieux;COMMUNE;69200;69259;3\n"
    "12345678901234;Mauvais SIRET;COMMUNE;69200;69259;1\n"
)


def test_the_import_page_simulates_then_imports(world, equipe):
    page = f"{STRUCTURES}importer/"
    assert "Importer un fichier CSV" in equipe.get(STRUCTURES).content.decode()
    assert equipe.get(page).status_code == 200

    def send(**data):
        upload = SimpleUploadedFile("recrutement.csv", SAMPLE.encode("cp1252"), content_type="text/csv")
        return equipe.post(page, {"fichier": upload, "encodage": "auto", **data})

    content = send(mode="simulation").content.decode()
    assert "Simulation, rien n&#x27;a été enregistré." in content
    assert "Windows-1252" in content
    assert "<td>3</td><td>SIRET : « 12345678901234 » : Ce SIRET n&#x27;est pas valide" in content
    assert not Structure.objects.filter(siret="21690259000019").exists()

    content = send(mode="import").content.decode()
    assert "Rien n&#x27;a été enregistré : des lignes sont refusées." in content
    assert not Structure.objects.filter(siret="21690259000019").exists()

    content = send(mode="import", partiel="on").content.decode()
    assert "Import enregistré." in content
    assert Structure.objects.get(siret="21690259000019").nom == "Mairie de Vénissieux"
    entry = LogEntry.objects.get(object_id=str(Structure.objects.get(siret="21690259000019").pk))
    assert (entry.user, entry.get_change_message()) == (
        world.admin,
        "Import du fichier « recrutement.csv », ligne 2 : création.",
    )


def test_the_import_page_refuses_a_file_it_cannot_read(world, equipe):
    upload = SimpleUploadedFile("classeur.xlsx", b"PK\x03\x04binary", content_type="application/vnd.ms-excel")
    content = equipe.post(
        f"{STRUCTURES}importer/", {"fichier": upload, "mode": "simulation", "encodage": "auto"}
    ).content.decode()
    assert "Ce fichier est un classeur Excel (.xlsx)" in content
