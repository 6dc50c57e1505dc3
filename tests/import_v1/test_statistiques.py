"""Statistical equality (SPEC §5, §15): a generated export imported by import_v1 gives, through the
service's aggregates, exactly the statistics computed straight from its documents by the test's own
reading of the mapping rules (tests/import_v1/reference.py)."""

import io
from decimal import ROUND_HALF_UP, Decimal

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
from tests.import_v1.reference import documents, export_sums

pytestmark = pytest.mark.django_db

SEED, COUNT = 5, 2500
AGES = ("age_moins_12", "age_12_18", "age_18_35", "age_35_60", "age_plus_60")
STATUTS = (
    "statut_etudiant",
    "statut_sans_emploi",
    "statut_en_emploi",
    "statut_retraite",
    "statut_heterogene",
)


@pytest.fixture
def imported(tmp_path):
    """The export, imported: its directory, its plan (who is who) and the reference sums of its documents."""
    export_write(tmp_path, count=COUNT, seed=SEED)
    call_command("import_v1", str(tmp_path), stdout=io.StringIO())
    return tmp_path, Plan(COUNT, SEED, Encoder(SEED, False)), export_sums(tmp_path)


def _percent(value: int, total: int) -> Decimal:
    return (Decimal(value * 100) / total).quantize(Decimal("0.1"), ROUND_HALF_UP) if total else Decimal("0.0")


def _same(scope: StatsScope, sums) -> None:
    request = StatsRequest(scope, DATE_LANCEMENT, timezone.localdate())
    expected = derive(sums, du=request.du, au=request.au)
    assert statistiques(request) == expected  # every indicator, label, percentage and month
    assert statistiques(request, source="reference") == expected


def test_statistiques_nationales_egales_au_calcul_sur_les_documents(imported):
    _directory, _plan, reference = imported
    _same(StatsScope.national(), reference.national)
    stats = statistiques(StatsRequest(StatsScope.national(), DATE_LANCEMENT, timezone.localdate()))
    # Every readable CRA counts, the unreadable and the deleted ones do not.
    assert stats["cra"] == COUNT - reference.rejected
    assert 0 < reference.rejected < COUNT / 100
    # The §5 definitions written out once more, on the reference's counts.
    ref = reference.national
    accompagnements = ref["participants_ateliers"] + ref["activite:individuel"] + ref["activite:ponctuel"]
    assert stats["accompagnements"] == accompagnements
    assert stats["personnes"] == accompagnements - ref["recurrents"]
    suivis = ref["suivi_individuel"] + ref["suivi_atelier"] + ref["redirections"]
    assert stats["taux_suivi"] == _percent(suivis, accompagnements)
    # Sums that did not match are kept: ages and statuts are shares of their own totals.
    for rows, keys in ((stats.ages, AGES), (stats.statuts, STATUTS)):
        total = sum(ref[key] for key in keys)
        assert [(row.key, row.value, row.percent) for row in rows] == [
            (key, ref[key], _percent(ref[key], total)) for key in keys
        ]
    assert sum(row.value for row in stats.ages) != stats["accompagnements"]
    assert {row.key for row in stats.redirections_detail} >= {"FRANCE_TRAVAIL", "AUTRE"}


def test_statistiques_d_une_structure_et_d_un_conseiller_qui_a_change_d_employeur(imported):
    directory, plan, reference = imported
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
    # His first contract ended in June 2022: most of its CRAs lack their `structure` DBRef and count for
    # the employer of their day.
    assert reference.employments[moved.oid, first]["cra"] > 0
    assert reference.employments[moved.oid, second]["cra"] > 0
    assert any(
        d is not None and d.get("conseiller") == moved.oid and "structure" not in d
        for d in documents(directory, "cras")
    )
