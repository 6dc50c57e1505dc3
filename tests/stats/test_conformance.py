"""Every case of shared/conformance/stats-cases.json (SPEC §5), through every source of the sums.

The file's world is loaded as its README says: its structures (any SIRET, in the given départements), its
conseillers employed by `structures[0]` from 2023-01-01 until the eve of `move`, then by `structures[-1]`,
and its CRAs stored as they are (legacy themes and soft deletions included, not through the form's rules).
"""

import datetime
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conseillers.models import Contrat
from cra.enums import Organisme
from cra.models import Cra, CraRedirection, sous_themes_to_bits, themes_to_bits
from stats.definitions import ORGANISMES
from stats.request import StatsRequest, StatsScope
from stats.selectors import statistiques
from stats.services import aggregates_rebuild
from structures.models import Departement
from tests.conseillers.factories import ConseillerFactory
from tests.stats.factories import COMMUNES, as_expected
from tests.structures.factories import StructureFactory

CASES_FILE = Path("shared") / "conformance" / "stats-cases.json"


def _cases_path() -> Path:
    """shared/ stands beside the repository — or, in a fresh clone (CI clones main anywhere), beside the
    repository it was cloned from."""
    base = Path(settings.BASE_DIR)
    folders = [base.parent]
    origin = subprocess.run(
        ["git", "config", "--get", "remote.origin.url"], cwd=base, capture_output=True, text=True
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        folders.append(Path(origin).resolve().parent)
    return next(
        (folder / CASES_FILE for folder in folders if (folder / CASES_FILE).exists()), folders[0] / CASES_FILE
    )


CASES_PATH = _cases_path()
# The file names the organismes by their statistics label, and the free ones "Autre" (with their `nom`).
ORGANISME_BY_LABEL = {label: key for key, label in ORGANISMES} | {Organisme.AUTRE.label: Organisme.AUTRE}


def _load() -> dict | None:
    return json.loads(CASES_PATH.read_text(encoding="utf-8")) if CASES_PATH.exists() else None


DATA = _load()
CASES = DATA["cases"] if DATA else []


def _case_id(index: int) -> str:
    case = CASES[index]
    scope = case["scope"]
    return f"{index:02d}-{scope['kind']}-{scope['id'] or 'fr'}-{case['du']}..{case['au']}"


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _employer(conseiller: dict, day: datetime.date) -> str:
    return conseiller["structures"][0] if day < _date(conseiller["move"]) else conseiller["structures"][-1]


def _load_world(data: dict) -> tuple[dict, dict]:
    structures = {
        s["id"]: StructureFactory(
            nom=f"Structure {s['id']}", departement=Departement.objects.get(code=s["departement"])
        )
        for s in data["structures"]
    }
    for s in data["structures"]:
        assert structures[s["id"]].departement.region_id == s["region"], s
    conseillers = {}
    for c in data["conseillers"]:
        first, last = structures[c["structures"][0]], structures[c["structures"][-1]]
        conseiller = ConseillerFactory(structure=last, contrat=False)
        move = _date(c["move"])
        if first == last:
            Contrat.objects.create(
                conseiller=conseiller, structure=first, date_debut=datetime.date(2023, 1, 1)
            )
        else:
            Contrat.objects.create(
                conseiller=conseiller,
                structure=first,
                date_debut=datetime.date(2023, 1, 1),
                date_fin=move - datetime.timedelta(days=1),
            )
            Contrat.objects.create(conseiller=conseiller, structure=last, date_debut=move)
        conseillers[c["id"]] = conseiller
    by_id = {c["id"]: c for c in data["conseillers"]}
    now = timezone.now()
    cras = []
    for row in data["cras"]:
        day = _date(row["date"])
        # The file's CRAs follow the employment it describes.
        assert row["structure"] == _employer(by_id[row["conseiller"]], day), row["id"]
        code_commune, nom_commune = COMMUNES[row["code_postal"]]
        cras.append(
            Cra(
                conseiller=conseillers[row["conseiller"]],
                structure=structures[row["structure"]],
                date_accompagnement=day,
                canal=row["canal"],
                code_postal=row["code_postal"],
                code_commune=code_commune,
                nom_commune=nom_commune,
                activite=row["activite"],
                nb_participants=row["nb_participants"],
                nb_participants_recurrents=row["nb_participants_recurrents"],
                themes=themes_to_bits(row["themes"]),
                sous_themes=sous_themes_to_bits(row["sous_themes"]),
                duree=row["duree"],
                duree_minutes=row["duree_minutes"],
                suivi_individuel=row["suivi_individuel"],
                suivi_atelier=row["suivi_atelier"],
                nb_redirections=sum(r["nombre"] for r in row["redirections"]),
                deleted_at=now if row["deleted"] else None,
                **{name: row[name] for name in row if name.startswith(("age_", "statut_"))},
            )
        )
    created = Cra.objects.bulk_create(cras)
    CraRedirection.objects.bulk_create(
        CraRedirection(
            cra=cra,
            organisme=ORGANISME_BY_LABEL[r["organisme"]],
            nom_autre=r["nom"] if ORGANISME_BY_LABEL[r["organisme"]] == Organisme.AUTRE else "",
            nombre=r["nombre"],
        )
        for cra, row in zip(created, data["cras"], strict=True)
        for r in row["redirections"]
    )
    return structures, conseillers


def _scope(scope: dict, structures: dict, conseillers: dict) -> StatsScope:
    match scope["kind"]:
        case "national":
            return StatsScope.national()
        case "departement":
            return StatsScope.departement(scope["id"])
        case "region":
            return StatsScope.region(scope["id"])
        case "structure":
            return StatsScope.structure(structures[scope["id"]].pk)
        case "conseiller":
            return StatsScope.conseiller(conseillers[scope["id"]].pk)
    raise AssertionError(f"Portée inconnue dans le fichier de conformité : {scope}")


def test_conformance_file_is_there():
    assert DATA is not None, (
        f"Fichier de conformité introuvable : {CASES_PATH}. Les statistiques doivent être vérifiées sur "
        "shared/conformance/stats-cases.json (SPEC §5), à côté du dépôt."
    )
    assert CASES, "Le fichier de conformité ne contient aucun cas."


# Every implementation of the sums (stats.selectors.SOURCES) must pass every case.
@pytest.mark.parametrize("source", ["reference", "aggregats"])
@pytest.mark.parametrize("index", range(len(CASES)) if CASES else [None], ids=_case_id if CASES else None)
def test_every_expected_figure(db, index, source):
    if index is None:
        pytest.fail(f"Fichier de conformité introuvable ou vide : {CASES_PATH}")
    structures, conseillers = _load_world(DATA)
    if source == "aggregats":
        aggregates_rebuild()  # the world is stored directly, as generate_cras or an import would
    case = CASES[index]
    request = StatsRequest(
        scope=_scope(case["scope"], structures, conseillers), du=_date(case["du"]), au=_date(case["au"])
    )

    actual = as_expected(statistiques(request, source=source))

    mismatches = {
        key: {"attendu": expected, "obtenu": actual.get(key)}
        for key, expected in case["expected"].items()
        if actual.get(key) != expected
    }
    assert not mismatches, json.dumps(mismatches, ensure_ascii=False, indent=1)
