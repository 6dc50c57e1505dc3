"""The whole import on a small hand-written export: the rows written, idempotence, rows of this service left
alone, dry run, rejects, report, accounts, statistics, provenance in the pages."""

import datetime
import io

import bcrypt
import orjson
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.enums import RoleKind
from accounts.models import Role, User
from cnfs.import_v1.runner import import_run
from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller
from cra.models import Cra, CraRedirection
from cra.services import cra_create
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from structures.models import Structure
from tests.cra.factories import cra_data
from tests.import_v1 import export as e

pytestmark = pytest.mark.django_db
MODELS = (Structure, Conseiller, Contrat, User, Role, Permanence, PermanenceConseiller, Cra, CraRedirection)


def documents() -> dict[str, list]:
    collections = e.world_documents()
    collections["cras"] = [e.cra_v1(1), e.cra_v2(2), e.cra_v3(3), e.cra_v2(5, age={"moins12ans": 9})]
    collections["cras_deleted"] = [
        {"_id": e.oid(0x900), "craObj": e.cra_v3(4), "deletedAt": e.date("2024-04-01T10:00:00Z")}
    ]
    return collections


@pytest.fixture
def export(tmp_path):
    return e.export_write(tmp_path / "export", documents())


def snapshot() -> dict:
    """Every row of the imported models, by model (what a second run must leave as it is)."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


def test_the_export_writes_structures_conseillers_accounts_and_lieux(export):
    report = import_run(export)

    structure = Structure.objects.get()
    assert structure.source_id == e.sid(e.STRUCTURE)
    assert (structure.siret, structure.nom, structure.type, structure.statut) == (
        "35600000000048",
        "Mairie de Lyon",
        "COMMUNE",
        "VALIDATION_COSELEC",
    )
    assert structure.departement_id == "69"
    assert structure.dotation == 3  # the latest positive COSELEC (March), not the negative one of June
    assert (structure.labellisee_france_services, structure.zone_rurale_revitalisation, structure.qpv) == (
        True,
        False,
        True,
    )
    assert structure.contact_email == "a.durand@lyon.fr"
    assert report.collections["structures"].ignored == {"doublons": 1}

    conseiller = Conseiller.objects.get()
    assert conseiller.source_id == e.sid(e.CONSEILLER)
    assert (conseiller.email_pro, conseiller.email_perso) == (
        "camille.martin@conseiller-numerique.fr",
        "camille.martin@example.org",
    )
    assert conseiller.structure == structure
    assert conseiller.statut == "RECRUTE"
    assert conseiller.date_certification == datetime.date(2021, 5, 20)
    assert conseiller.superieur_email == "a.durand@lyon.fr"
    assert report.collections["conseillers"].ignored == {"candidats": 1}

    contrat = Contrat.objects.get()
    assert (
        contrat.source_id,
        contrat.structure,
        contrat.type_contrat,
        contrat.date_debut,
        contrat.date_fin,
    ) == (
        e.sid(e.MISE_EN_RELATION),
        structure,
        "CDD",
        datetime.date(2021, 3, 1),
        None,
    )

    user = User.objects.get()
    assert user.email == "camille.martin@conseiller-numerique.fr"
    assert list(user.roles.values_list("kind", flat=True)) == [RoleKind.CONSEILLER]
    assert conseiller.user == user
    assert conseiller.date_activation == datetime.datetime(2021, 3, 2, 9, tzinfo=datetime.UTC)
    assert not user.has_usable_password()  # no hash in the document

    permanence = Permanence.objects.get()
    assert (permanence.nom, permanence.adresse, permanence.code_postal, permanence.code_commune) == (
        "Médiathèque du centre",
        "30 boulevard Vivier-Merle",
        "69003",
        "69383",
    )
    assert (permanence.type_acces, permanence.horaires, permanence.site_web, permanence.email) == (
        "rdv",
        "Lundi : 09:00-12:00, 14:00-18:00",
        "https://bm-lyon.fr",
        "mediatheque@lyon.fr",
    )
    assert list(PermanenceConseiller.objects.values_list("conseiller", "principale")) == [
        (conseiller.pk, True)
    ]


def test_cras_are_marked_and_deleted_ones_imported_as_deleted(export):
    report = import_run(export)

    cras = {cra.source_id: cra for cra in Cra.objects.all()}
    assert set(cras) == {e.sid(n) for n in (1, 2, 3, 4, 5)}
    assert {cra.source for cra in cras.values()} == {"coop_v1"}
    assert cras[e.sid(4)].deleted_at == datetime.datetime(2024, 4, 1, 10, tzinfo=datetime.UTC)
    assert cras[e.sid(5)].anomalies == ["somme_ages"]
    assert report.collections["cras"].anomalies == {"somme_ages": 1}
    assert (report.collections["cras"].created, report.collections["cras_deleted"].created) == (4, 1)


def test_a_second_run_changes_nothing(export):
    import_run(export)
    before = snapshot()

    report = import_run(export)

    assert snapshot() == before
    for name, collection in report.collections.items():
        assert (collection.created, collection.updated, collection.rejected) == (0, 0, 0), name
    assert report.collections["cras"].unchanged == 4


def test_a_changed_document_updates_its_row_only(export):
    import_run(export)
    collections = documents()
    collections["cras"][1]["cra"]["organisme"] = "CAF"
    collections["cras"][0]["cra"]["duree"] = 70
    e.export_write(export, collections)

    report = import_run(export)

    assert (report.collections["cras"].updated, report.collections["cras"].unchanged) == (2, 2)
    assert list(Cra.objects.get(source_id=e.sid(2)).redirections.values_list("organisme", "nombre")) == [
        ("CAF", 2)
    ]
    assert Cra.objects.get(source_id=e.sid(1)).anomalies == ["duree_hors_grille"]


def test_rows_created_here_are_never_touched(export, world):
    entered = cra_create(
        conseiller=world.alice,
        user=world.alice.user,
        data=cra_data(
            date_accompagnement=datetime.date(2025, 3, 12),
            canal="domicile",
            permanence=None,
            code_postal="69100",
            code_commune="69266",
            nom_commune="Villeurbanne",
        ),
    )
    world.villeurbanne.siret = "35600000000048"  # the SIRET of the export's structure
    world.villeurbanne.save()
    before = {model.__name__: sorted(map(repr, model.objects.values_list())) for model in (Cra, Structure)}
    rejets = io.BytesIO()

    import_run(export, rejects_stream=rejets)

    assert Cra.objects.get(pk=entered.pk).source == "saisie"
    assert sorted(map(repr, Cra.objects.filter(source_id=None).values_list())) == before["Cra"]
    assert sorted(map(repr, Structure.objects.filter(source_id=None).values_list())) == before["Structure"]
    lines = [orjson.loads(line) for line in rejets.getvalue().splitlines()]
    assert lines[0] == {
        "source_id": e.sid(e.STRUCTURE),
        "collection": "structures",
        "reason": "SIRET 35600000000048 déjà pris par une autre structure",
    }


def test_a_dry_run_writes_nothing_and_reports_what_it_would(export):
    before = snapshot()

    report = import_run(export, dry_run=True)

    assert snapshot() == before
    assert report.collections["cras"].created == 4
    assert report.aggregates_seconds is None


def test_the_command_reports_and_writes_the_rejects(export, tmp_path):
    collections = documents()
    collections["cras"] += [
        e.cra_v1(6, canal="téléphone"),
        {"_id": e.oid(7), "conseiller": e.ref("conseillers", 0x777), "cra": {}},
    ]
    e.export_write(export, collections)
    (export / "cras.json").write_bytes((export / "cras.json").read_bytes() + b"{pas du json\n")
    rejets, out = tmp_path / "rejets.jsonl", io.StringIO()

    call_command("import_v1", str(export), "--rejets", str(rejets), stdout=out)

    assert [orjson.loads(line) for line in rejets.read_bytes().splitlines()] == [
        {"source_id": e.sid(6), "collection": "cras", "reason": "canal inconnu : téléphone"},
        {"source_id": e.sid(7), "collection": "cras", "reason": "conseiller inconnu ou non importé"},
        {"source_id": None, "collection": "cras", "reason": "ligne 7 illisible (JSON invalide)"},
    ]
    text = out.getvalue()
    assert "cras : 7 lus, 4 créés, 0 modifiés, 0 inchangés, 3 rejetés." in text
    assert "anomalie somme_ages (la somme des tranches d'âge diffère du nombre de participants) : 1" in text
    assert "structures : 2 lus, 1 créés, 0 modifiés, 0 inchangés, 0 rejetés." in text
    assert "laissés de côté (doublons) : 1" in text
    assert "Agrégats reconstruits" in text
    assert "\r" not in text  # no progress bar when the output is not a terminal


def test_the_command_refuses_a_missing_directory_and_an_empty_batch(tmp_path):
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("import_v1", str(tmp_path / "absent"))
    with pytest.raises(CommandError, match="--lot doit être au moins 1"):
        call_command("import_v1", str(tmp_path), "--lot", "0")


def test_absent_collections_are_said(tmp_path):
    export = e.export_write(tmp_path / "export", {"structures": [e.structure()]})
    out = io.StringIO()

    call_command("import_v1", str(export), stdout=out)

    assert "cras : fichier absent." in out.getvalue()
    assert Structure.objects.filter(source_id=e.sid(e.STRUCTURE)).exists()


def test_an_imported_account_logs_in_with_its_old_password_then_gets_the_current_hasher(tmp_path):
    collections = documents()
    old_hash = bcrypt.hashpw(b"ancien mot de passe", bcrypt.gensalt(rounds=4)).decode()
    collections["users"][0]["password"] = old_hash
    import_run(e.export_write(tmp_path / "export", collections))
    assert User.objects.get().password == f"bcrypt${old_hash}"

    user = authenticate(email="camille.martin@conseiller-numerique.fr", password="ancien mot de passe")

    assert user is not None
    assert not user.password.startswith("bcrypt$")  # upgraded at this first login
    assert authenticate(email="camille.martin@conseiller-numerique.fr", password="autre chose") is None
    # A later run keeps the password the person now has.
    import_run(e.export_write(tmp_path / "export", collections))
    assert User.objects.get().password == user.password


@pytest.mark.parametrize(
    ("roles", "fields", "expected"),
    [
        (["structure_coop"], {"entity": e.ref("structures", e.STRUCTURE)}, [("structure", "structure")]),
        (["prefet"], {"departement": "69"}, [("prefet", "departement")]),
        (["prefet"], {"region": "84"}, [("prefet", "region")]),
        (["hub_coop"], {"hub": "hinaura"}, [("hub", "hub")]),
        (["admin_coop", "coordinateur_coop"], {}, [("admin", None), ("coordinateur", None)]),
    ],
)
def test_roles_are_mapped_with_their_scope(tmp_path, roles, fields, expected):
    collections = documents()
    collections["users"] = [e.user(name="Quelqu.un@example.org", roles=roles, **fields)]

    import_run(e.export_write(tmp_path / "export", collections))

    granted = [
        (
            role.kind,
            next(
                (
                    name
                    for name in ("structure", "departement", "region", "hub")
                    if getattr(role, f"{name}_id")
                ),
                None,
            ),
        )
        for role in Role.objects.order_by("kind")
    ]
    assert granted == expected


def test_a_conseiller_role_needs_an_imported_fiche(tmp_path):
    collections = documents()
    collections["users"].append(
        e.user(
            0x402, name="candidat@example.org", roles=["conseiller"], entity=e.ref("conseillers", e.CANDIDAT)
        )
    )

    report = import_run(e.export_write(tmp_path / "export", collections))

    assert not User.objects.filter(email="candidat@example.org").exists()
    assert report.collections["users"].ignored == {"sans rôle dans ce service": 1}


def test_an_overseas_structure_takes_its_departement_from_the_commune(tmp_path):
    collections = {"structures": [e.structure(codeDepartement="00", codeCommune="97801", codePostal="97150")]}

    import_run(e.export_write(tmp_path / "export", collections))

    assert Structure.objects.get().departement_id == "978"


def test_the_database_binds_the_cras_entered_here_not_the_imported_ones(export):
    import_run(export)
    imported = Cra.objects.get(source_id=e.sid(5))

    imported.pk, imported.source_id, imported.source = None, None, "saisie"
    with pytest.raises(IntegrityError), transaction.atomic():
        imported.save()


def test_statistics_count_the_recorded_values_and_check_stats_passes(export):
    import_run(export)
    out = io.StringIO()

    call_command("check_stats", "--graine", "1", "--echantillon", "2", stdout=out)

    assert "0 différence(s)" in out.getvalue()
    stats = statistiques(
        StatsRequest(StatsScope.national(), datetime.date(2020, 11, 17), datetime.date.today())
    )
    # 4 CRAs (the deleted one aside): 1 individual + 3 workshops of 4.
    assert (stats["cra"], stats["ateliers"], stats["participants_ateliers"], stats["individuels"]) == (
        4,
        3,
        12,
        1,
    )
    assert stats["recurrents"] == 3
    assert stats["redirections"] == 6


def test_the_history_shows_imported_cras_read_only(export, client):
    import_run(export)
    client.force_login(User.objects.get())
    imported = Cra.objects.get(source_id=e.sid(2))

    html = client.get("/coop/cra/").content.decode()

    assert html.count("Importé de la première version") == 4
    assert f"/coop/cra/{imported.pk}/modifier/" not in html
    for action in ("modifier", "supprimer"):
        response = client.post(f"/coop/cra/{imported.pk}/{action}/", follow=True)
        assert "il se consulte, mais ne se modifie pas et ne se supprime pas" in response.content.decode()
    assert Cra.objects.get(pk=imported.pk).deleted_at is None
