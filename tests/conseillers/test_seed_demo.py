import datetime
import logging
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.models import Role, User
from conseillers.demo import seed_demo
from conseillers.demo.data import DEMO_PASSWORD, DEMO_STRUCTURE
from conseillers.enums import StatutConseiller
from conseillers.models import Conseiller, Contrat, Permanence, PermanenceConseiller
from conseillers.services import conseiller_situation_refresh
from structures.enums import StatutStructure
from structures.models import Hub, Structure
from structures.validators import LA_POSTE_SIREN

DEMO_EMAILS = [
    "conseiller@demo.test",
    "coordinateur@demo.test",
    "structure@demo.test",
    "prefet@demo.test",
    "hub@demo.test",
    "admin@demo.test",
]
# Every table the demo writes, the many-to-many ones included.
SNAPSHOT_MODELS = [
    Structure,
    Conseiller,
    Conseiller.conseillers_coordonnes.through,
    Conseiller.departements_coordonnes.through,
    Conseiller.regions_coordonnees.through,
    Contrat,
    Permanence,
    PermanenceConseiller,
    User,
    Role,
]


def _snapshot():
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS}


@pytest.fixture
def demo(db):
    seed_demo(stdout=StringIO())  # the demo's CRAs are tested in tests/cra/test_generation.py


def _demo_structure():
    return Structure.objects.select_related("departement__region").get(nom=DEMO_STRUCTURE)


def test_counts_are_those_of_a_realistic_demo(demo):
    conseillers = Conseiller.objects.all()
    total = conseillers.count()

    assert 35 <= Structure.objects.count() <= 50
    regions = set(Structure.objects.values_list("departement__region", flat=True))
    assert len(regions) >= 6
    assert "84" in regions
    assert set(Structure.objects.values_list("statut", flat=True)) == {
        StatutStructure.VALIDATION_COSELEC,
        StatutStructure.CREEE,
        StatutStructure.ABANDON,
    }
    assert Structure.objects.validees().count() >= 35
    assert 130 <= total <= 180
    assert 8 <= conseillers.filter(statut=StatutConseiller.RUPTURE).count() <= 12
    assert 0.7 <= conseillers.actives().count() / total <= 0.9
    assert 0.65 <= conseillers.filter(date_certification__isnull=False).count() / total <= 0.85
    assert conseillers.filter(est_coordinateur=True).count() == 3
    movers = [c for c in conseillers.prefetch_related("contrats") if len(c.contrats.all()) == 2]
    assert len(movers) >= 3
    assert all(c.statut == StatutConseiller.RECRUTE for c in movers)


def test_structures_are_valid_and_consistent(demo):
    structures = list(Structure.objects.select_related("departement"))

    for structure in structures:
        structure.full_clean()  # the SIRET's Luhn key among the rest
        assert structure.code_postal.startswith(structure.departement.code[:2])
        assert structure.code_commune[:2] == structure.departement.code[:2]
        assert 0 <= structure.dotation <= 6
        # No structure employs more conseillers than the posts it was given.
        assert structure.conseillers.recrutes().count() <= structure.dotation
    assert any(structure.siret.startswith(LA_POSTE_SIREN) for structure in structures)
    assert len({structure.nom for structure in structures}) == len(structures)


def test_employment_history_matches_the_current_situation(demo):
    today = timezone.localdate()

    for conseiller in Conseiller.objects.prefetch_related("contrats"):
        current = list(Contrat.objects.filter(conseiller=conseiller).en_cours_le(today))
        if conseiller.statut == StatutConseiller.RECRUTE:
            assert [contrat.structure_id for contrat in current] == [conseiller.structure_id]
            assert conseiller.structure_id is not None
        else:
            assert conseiller.statut == StatutConseiller.RUPTURE
            assert conseiller.structure_id is None
            assert current == []
            assert any(
                contrat.date_rupture and contrat.motif_rupture for contrat in conseiller.contrats.all()
            )
        for contrat in conseiller.contrats.all():
            assert today - datetime.timedelta(days=31 * 31) <= contrat.date_debut <= today
            contrat.full_clean()
        # The employment service derives the same situation from the history.
        structure_id, statut = conseiller.structure_id, conseiller.statut
        conseiller_situation_refresh(conseiller=conseiller, today=today)
        assert (conseiller.structure_id, conseiller.statut) == (structure_id, statut)


def test_only_activated_conseillers_have_an_account(demo):
    for conseiller in Conseiller.objects.select_related("user"):
        if conseiller.date_activation is None:
            assert conseiller.user is None
        else:
            assert conseiller.user.roles.filter(kind=RoleKind.CONSEILLER).exists()
            assert (
                conseiller.user.roles.filter(kind=RoleKind.COORDINATEUR).exists()
                == conseiller.est_coordinateur
            )
        assert conseiller.email_pro.endswith("@conseiller-numerique.fr")
    emails = [email.lower() for email in Conseiller.objects.values_list("email_pro", flat=True)]
    assert len(set(emails)) == len(emails)


def test_demo_accounts_have_their_role_and_scope(demo):
    structure = _demo_structure()
    users = {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}

    assert set(users) == set(DEMO_EMAILS)
    assert all(user.first_name and user.last_name for user in users.values())

    conseiller = users["conseiller@demo.test"].conseiller
    assert conseiller.structure == structure
    assert conseiller.est_active and conseiller.est_certifie
    assert conseiller.email_pro.endswith("@conseiller-numerique.fr")
    assert set(users["conseiller@demo.test"].roles.values_list("kind", flat=True)) == {RoleKind.CONSEILLER}

    role = users["structure@demo.test"].roles.get()
    assert (role.kind, role.structure) == (RoleKind.STRUCTURE, structure)

    role = users["prefet@demo.test"].roles.get()
    assert (role.kind, role.departement, role.region) == (RoleKind.PREFET, structure.departement, None)
    assert structure.departement_id == "69"

    role = users["hub@demo.test"].roles.get()
    assert role.kind == RoleKind.HUB
    assert role.hub.departements.filter(pk=structure.departement_id).exists()
    assert set(role.hub.departements.values_list("region", flat=True)) == {structure.region.code} == {"84"}

    admin = users["admin@demo.test"]
    assert admin.roles.get().kind == RoleKind.ADMIN
    assert admin.is_staff and admin.is_superuser


def test_demo_coordinator_covers_conseillers_and_a_departement(demo):
    structure = _demo_structure()
    user = User.objects.get(email="coordinateur@demo.test")
    coordinateur = user.conseiller

    assert coordinateur.est_coordinateur
    assert coordinateur.structure.region.code == "84"
    assert set(user.roles.values_list("kind", flat=True)) == {RoleKind.CONSEILLER, RoleKind.COORDINATEUR}
    coordonnes = coordinateur.conseillers_coordonnes.all()
    assert coordonnes.count() >= 4
    assert 2 <= coordonnes.filter(structure=structure).count() < coordonnes.count()
    assert coordinateur.departements_coordonnes.count() == 1
    # The two other coordinators each cover an explicit list or départements.
    others = Conseiller.objects.filter(est_coordinateur=True).exclude(pk=coordinateur.pk)
    for other in others:
        assert other.conseillers_coordonnes.exists() or other.departements_coordonnes.exists()


def test_demo_structure_has_every_kind_of_conseiller_and_lieux(demo):
    structure = _demo_structure()
    current = list(structure.conseillers.recrutes())
    former = Conseiller.objects.filter(contrats__structure=structure).exclude(structure=structure).distinct()

    assert len(current) + former.count() >= 5
    assert any(not conseiller.est_active for conseiller in current)
    assert any(not conseiller.est_certifie for conseiller in current)
    assert former.filter(statut=StatutConseiller.RUPTURE, contrats__date_rupture__isnull=False).exists()
    assert structure.permanences.count() >= 2
    for conseiller in current:
        links = PermanenceConseiller.objects.filter(conseiller=conseiller)
        assert links.filter(principale=True).count() == 1
        assert all(link.permanence.structure_id == structure.pk for link in links)


def test_every_demo_account_logs_in_with_the_demo_password(demo, client):
    for email in DEMO_EMAILS:
        assert authenticate(request=None, email=email, password=DEMO_PASSWORD) is not None, email
        assert authenticate(request=None, email=email, password="autre-mot-de-passe") is None
    assert client.login(email="conseiller@demo.test", password=DEMO_PASSWORD)


def test_a_second_run_changes_nothing(demo):
    before = _snapshot()
    output = StringIO()

    seed_demo(stdout=output)

    assert _snapshot() == before
    assert "structures" in output.getvalue()
    assert "demo-cnfs-2026" in output.getvalue()


def test_a_run_on_another_day_moves_the_dates_without_adding_rows(demo):
    counts = {model._meta.label: model.objects.count() for model in SNAPSHOT_MODELS}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    julien = Contrat.objects.get(conseiller__user__email="conseiller@demo.test")

    seed_demo(today=tomorrow)

    assert {model._meta.label: model.objects.count() for model in SNAPSHOT_MODELS} == counts
    julien_moved = Contrat.objects.get(pk=julien.pk)
    assert julien_moved.date_debut == julien.date_debut + datetime.timedelta(days=1)


def test_without_the_referentiel_the_command_fails_and_writes_nothing(db):
    Hub.objects.all().delete()

    with pytest.raises(CommandError, match="hub"):
        call_command("seed_demo", stdout=StringIO())

    assert not Structure.objects.exists()
    assert not User.objects.exists()


def test_without_weasyprint_the_demo_loads_everything_but_the_documents(db, monkeypatch):
    def no_pango(**options):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("cnfs.management.commands.seed_demo.demo_documents_load", no_pango)
    output, errors = StringIO(), StringIO()

    call_command("seed_demo", "--cras", "0", stdout=output, stderr=errors)

    assert "ressourcerie de démonstration non chargée" in errors.getvalue()
    assert "libpango" in errors.getvalue()
    assert User.objects.filter(email="structure@demo.test").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the referentiel is back afterwards
def test_the_command_prints_its_report_and_no_log_of_celery(caplog):
    """The demo's ZIP of the ressourcerie is built by a task run in the process (no broker): neither kombu's
    « No hostname was supplied » nor Celery's « Task … succeeded » comes with the report."""
    output = StringIO()

    # (A transactional test: the build, asked for on commit, runs inside the command as it does for real.)
    with caplog.at_level(logging.INFO):
        call_command("seed_demo", "--cras", "0", stdout=output, stderr=output)

    assert "documents dans la ressourcerie" in output.getvalue()
    assert [
        record.getMessage() for record in caplog.records if record.name.startswith(("celery", "kombu"))
    ] == []
