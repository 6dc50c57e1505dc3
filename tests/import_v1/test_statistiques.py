"""Statistical equality (SPEC §5, §15): a generated export imported by import_v1 gives, through the
service's aggregates, exactly the statistics computed straight from its documents by the test's own
reading of the mapping rules (tests/import_v1/reference.py)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cnfs.import_v1.generation import Encoder, Plan, export_write
from cnfs.socle.periode import DATE_LANCEMENT
from conseillers.models import Conseiller
from stats.request import StatsRequest, StatsScope
from stats.results import derive
from stats.selectors import statistiques
from structures.models import Structure
from tests.import_v1.reference import export_sums

pytestmark = pytest.mark.django_db

SEED, COUNT = 5, 2500


@pytest.fixture
def imported(tmp_path):
    """The export, imported; its plan (who is who) and the reference sums of its documents."""
    export_write(tmp_path, count=COUNT, seed=SEED)
    call_command("import_v1", str(tmp_path), stdout=io.StringIO())
    return Plan(COUNT, SEED, Encoder(SEED, False)), export_sums(tmp_path)


def _same(scope: StatsScope, sums) -> None:
    request = StatsRequest(scope, DATE_LANCEMENT, timezone.localdate())
    expected = derive(sums, du=request.du, au=request.au)
    assert statistiques(request) == expected  # every indicator, label, percentage and month
    assert statistiques(request, source="reference") == expected


def test_statistiques_nationales_egales_au_calcul_sur_les_documents(imported):
    _plan, reference = imported
    _same(StatsScope.national(), reference.national)
    stats = statistiques(StatsRequest(StatsScope.national(), DATE_LANCEMENT, timezone.localdate()))
    # Every readable CRA counts, the unreadable and the deleted ones do not.
    assert stats["cra"] == COUNT - reference.rejected
    assert 0 < reference.rejected < COUNT / 100
    # Sums that did not match are kept: ages and statuts are shares of their own totals.
    assert sum(row.value for row in stats.ages) != stats["accompagnements"]
    assert {row.key for row in stats.redirections_detail} >= {"FRANCE_TRAVAIL", "AUTRE"}


def test_statistiques_d_une_structure_et_d_un_conseiller_qui_a_change_d_employeur(imported):
    plan, reference = imported
    moved = plan.conseillers[1]  # employed by structure 1, then by structure 0
    first, second = (plan.structures[k.structure].oid for k in moved.contracts)
    structure = Structure.objects.get(source_id=second)
    conseiller = Conseiller.objects.get(source_id=moved.oid)
    _same(StatsScope.structure(structure.pk), reference.structures[second])
    _same(StatsScope.conseiller(conseiller.pk), reference.conseillers[moved.oid])
    former = Structure.objects.get(source_id=first)
    _same(
        StatsScope.conseiller(conseiller.pk, structure_id=former.pk), reference.employments[moved.oid, first]
    )
    # The CRAs entered before November 2022 without their structure went to the employer of their day.
    assert reference.employments[moved.oid, first]["cra"] > 0
    assert reference.employments[moved.oid, second]["cra"] > 0
