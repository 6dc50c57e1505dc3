"""The generator of first-system exports (generate_v1_export): determinism, every shape and quirk of SPEC
§15 present at a modest count, the gzip and canonical variants, streaming with bounded memory."""

import datetime
import gzip
import inspect
import tracemalloc
from collections import Counter
from pathlib import Path

import bcrypt
import orjson
import pytest
from django.core.management import CommandError, call_command

from cnfs.import_v1.generation import (
    COLLECTIONS,
    STRUCTURE_REF_FROM,
    V2_FROM,
    V3_FROM,
    Encoder,
    Plan,
    cra_lines,
    export_write,
    password_for,
)
from tests.import_v1.reference import PARIS, documents, paris_date, plain

SEED = 1
COUNT = 3000


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("export")
    export_write(directory, count=COUNT, seed=SEED)
    return directory


def _read(directory: Path, collection: str) -> list[dict | None]:
    return list(documents(directory, collection))


@pytest.mark.parametrize("compress", [False, True])
def test_meme_graine_meme_export_et_autre_graine_autre_export(tmp_path, compress):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        export_write(tmp_path / name, count=400, seed=seed, compress=compress)
    suffix = ".gz" if compress else ""
    for collection in COLLECTIONS:
        file = f"{collection}.json{suffix}"
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), collection
    cras = f"cras.json{suffix}"
    assert (tmp_path / "a" / cras).read_bytes() != (tmp_path / "c" / cras).read_bytes()


def test_la_commande_ecrit_les_sept_fichiers(tmp_path):
    call_command("generate_v1_export", "--count", "120", "--seed", "3", str(tmp_path / "sortie"))
    written = {path.name for path in (tmp_path / "sortie").iterdir()}
    assert written == {f"{collection}.json" for collection in COLLECTIONS}
    assert len((tmp_path / "sortie" / "cras.json").read_bytes().splitlines()) == 120


def test_la_commande_refuse_un_nombre_negatif(tmp_path):
    with pytest.raises(CommandError, match="--count doit être positif ou nul"):
        call_command("generate_v1_export", "--count", "-1", str(tmp_path / "sortie"))
    assert not (tmp_path / "sortie").exists()


def _version(cra: dict) -> int:
    if isinstance(cra["age"], str):
        return 1
    return 2 if "organisme" in cra else 3


def test_les_trois_formes_de_cra_et_leurs_bizarreries(export):
    lines = _read(export, "cras")
    assert len(lines) == COUNT
    cras = [document for document in lines if document is not None]
    versions = Counter(_version(document["cra"]) for document in cras)
    assert set(versions) == {1, 2, 3}
    for document in cras:
        created = paris_date(document["createdAt"])
        expected = 1 if created < V2_FROM else 2 if created < V3_FROM else 3
        assert _version(document["cra"]) == expected  # the shape follows the day of entry
    v1 = [d["cra"] for d in cras if _version(d["cra"]) == 1]
    v2 = [d["cra"] for d in cras if _version(d["cra"]) == 2]
    v3 = [d["cra"] for d in cras if _version(d["cra"]) == 3]
    every = [d["cra"] for d in cras]

    # V1: single-bucket strings, string follow-ups, a null nbParticipants, no date, no codeCommune.
    assert {c["age"] for c in v1} == {"-12", "12-18", "18-35", "35-60", "+60"}
    assert {c["statut"] for c in v1} == {"etudiant", "sans emploi", "en emploi", "retraite", "heterogene"}
    assert {c["accompagnement"] for c in v1} == {None, "individuel", "atelier", "redirection"}
    assert any(c["activite"] == "individuel" and c["nbParticipants"] is None for c in v1)
    assert any("dateAccompagnement" not in c for c in v1)
    assert any("codeCommune" not in c for c in v1)
    assert any(c.get("nbParticipantsRecurrents", 0) is None for c in v1)
    # Canal `autre` (V1, V2) and `autre lieu` (V3).
    assert {c["canal"] for c in v1 + v2} >= {"rattachement", "autre", "distance", "domicile"}
    assert {c["canal"] for c in v3} >= {"rattachement", "autre lieu", "distance", "domicile"}
    # Durations: strings, the number and the string 60, "90", numbers below and above an hour.
    durees = [c["duree"] for c in every]
    assert {"0-30", "30-60", "60", 60, "90", 90} <= set(durees)
    numbers = [d for d in durees if isinstance(d, int) and d != 60]
    assert (
        any(d <= 30 for d in numbers) and any(30 < d < 60 for d in numbers) and any(d > 120 for d in numbers)
    )
    assert all(1 <= d <= 200 for d in numbers)
    # Sums the first system did not check: ages, statuts, récurrents and follow-ups against participants.
    for bucket in ("age", "statut"):
        assert any(sum(c[bucket].values()) != c["nbParticipants"] for c in v2 + v3)
    assert any(
        c["nbParticipantsRecurrents"] is not None and c["nbParticipantsRecurrents"] > c["nbParticipants"]
        for c in v2 + v3
    )
    assert any(sum(v or 0 for v in c["accompagnement"].values()) > c["nbParticipants"] for c in v2 + v3)
    assert any(len(c["age"]) < 5 for c in v2 + v3)  # zero buckets left out
    # Redirections: V2 `organisme` (with or without its count), V3 `organismes`; free names, Pôle emploi.
    assert any(c["organisme"] and "redirection" not in c["accompagnement"] for c in v2)
    names = {c["organisme"] for c in v2} | {n for c in v3 for e in c["organismes"] or [] for n in e}
    assert {"Pôle emploi", "Secours populaire", "CAF", "France Travail"} <= names
    assert any(len(c["organismes"] or []) == 2 for c in v3)
    # Themes: legacy ones, sub-themes with the first system's spelling, the annotation entry.
    themes = {t for c in every for t in c["themes"]}
    assert {"tpe/pme", "fraude et harcelement", "smartphone", "autre", "equipement informatique"} <= themes
    sous_themes = [entry for c in v2 + v3 for entry in c["sousThemes"]]
    assert {"sante": ["espace-sante"]} in sous_themes
    assert any("annotation" in entry for entry in sous_themes)


def test_dates_et_references_des_cra(export):
    cras = [document for document in _read(export, "cras") if document is not None]
    dates = [d["cra"]["dateAccompagnement"] for d in cras if "dateAccompagnement" in d["cra"]]
    # Paris midnight is the day before in UTC: only the Paris calendar date is right.
    assert any(moment.astimezone(PARIS).date() != moment.date() for moment in dates)
    assert any(moment.hour == 0 and moment.astimezone(PARIS).date() == moment.date() for moment in dates)
    before = [d for d in cras if paris_date(d["createdAt"]) < STRUCTURE_REF_FROM]
    assert any("structure" not in d for d in before) and any("structure" in d for d in before)
    assert all("structure" in d for d in cras if paris_date(d["createdAt"]) >= STRUCTURE_REF_FROM)
    assert any("permanence" in d for d in cras)
    assert all(d["updatedAt"] >= d["createdAt"] for d in cras)
    dates = [d["cra"].get("dateAccompagnement", d["createdAt"]) for d in cras]
    assert min(dates).date() >= datetime.date(2021, 3, 31) and max(dates).date() <= datetime.date(
        2024, 11, 30
    )


def test_documents_illisibles_pour_les_rejets(export):
    lines = _read(export, "cras")
    conseillers = {c["_id"] for c in _read(export, "conseillers")}
    cras = [d for d in lines if d is not None]
    assert lines.count(None) >= 1  # a line that is not JSON
    assert any("conseiller" not in d for d in cras)
    assert any("conseiller" in d and d["conseiller"] not in conseillers for d in cras)
    assert any(d["cra"]["canal"] == "telephone" for d in cras)
    assert sum(1 for d in cras if "conseiller" not in d) < COUNT / 100  # a small share


def test_cra_supprimes(export):
    deleted = _read(export, "cras_deleted")
    assert len(deleted) == COUNT // 100
    ids = {d["_id"] for d in _read(export, "cras") if d is not None}
    for document in deleted:
        assert document["craObj"]["_id"] not in ids
        assert document["deletedAt"] > document["craObj"]["createdAt"]
        assert {"cra", "conseiller", "createdAt"} <= set(document["craObj"])


def test_structures_tom_doublons_et_coselec(export):
    structures = _read(export, "structures")
    by_statut = Counter(s["statut"] for s in structures)
    assert by_statut["DOUBLON"] >= 1 and by_statut["CREEE"] == 1 and by_statut["REFUS_COSELEC"] == 1
    sirets = Counter(s["siret"] for s in structures)
    assert all(
        sirets[s["siret"]] == (2 if s["statut"] == "DOUBLON" else 1)
        for s in structures
        if s["statut"] != "VALIDATION_COSELEC"
    )
    assert any(s["codeDepartement"] == "00" and s["codeCommune"].startswith("987") for s in structures)
    assert any(
        s["codeCommune"] == "97801" and s["codeDepartement"] == "971" for s in structures
    )  # Saint-Martin
    histories = [s["coselec"] for s in structures if s["statut"] == "VALIDATION_COSELEC"]
    assert any(len(h) > 1 for h in histories)
    assert any(h[-1]["avisCoselec"] == "NÉGATIF" for h in histories if h)


def test_conseillers_coordinateurs_ruptures_et_candidats(export):
    conseillers = _read(export, "conseillers")
    kinds = {c["listeSubordonnes"]["type"] for c in conseillers if "listeSubordonnes" in c}
    assert kinds == {"conseillers", "codeDepartement", "codeRegion"}
    assert any(c.get("ruptures") for c in conseillers)
    assert {c.get("statut") for c in conseillers} == {"RECRUTE", "RUPTURE", None}
    mises = _read(export, "misesEnRelation")
    statuts = {m["statut"] for m in mises}
    assert {"finalisee", "finalisee_rupture", "nouvelle_rupture", "terminee", "nouvelle"} <= statuts
    recrutes = {m["conseiller"] for m in mises if m["statut"] == "finalisee"}
    assert any("statut" not in c and c["_id"] in recrutes for c in conseillers)  # recruited, no statut
    moved = Counter(m["conseiller"] for m in mises if m["statut"] in ("finalisee", "finalisee_rupture"))
    assert max(moved.values()) >= 2
    permanences = _read(export, "permanences")
    assert any(p["conseillers"] for p in permanences) and any(p["lieuPrincipalPour"] for p in permanences)


def test_comptes_de_tous_les_roles_avec_et_sans_mot_de_passe(export):
    users = _read(export, "users")
    roles = {role for user in users for role in user["roles"]}
    assert roles == {
        "conseiller", "coordinateur_coop", "structure", "structure_coop", "prefet", "hub_coop", "admin",
        "admin_coop", "candidat",
    }  # fmt: skip
    assert any(not user["passwordCreated"] and user.get("password", 0) is None for user in users)
    assert any(not user["passwordCreated"] and "password" not in user for user in users)
    assert any(user["name"] != user["name"].lower() for user in users)
    hashed = [(index, user) for index, user in enumerate(users) if user.get("password")]
    assert {user["password"][:4] for _index, user in hashed} == {"$2a$", "$2b$"}
    for index, user in hashed[:3]:
        assert bcrypt.checkpw(password_for(SEED, index).encode(), user["password"].encode())
        assert not bcrypt.checkpw(password_for(SEED + 1, index).encode(), user["password"].encode())
    prefets = [user for user in users if user["roles"] == ["prefet"]]
    assert {"departement", "region"} <= {key for user in prefets for key in user}


def test_gzip_et_json_canonique_lisibles_ligne_a_ligne(export, tmp_path):
    export_write(tmp_path, count=COUNT, seed=SEED, compress=True, canonical=True)
    for collection in COLLECTIONS:
        assert not (tmp_path / f"{collection}.json").exists()
        with gzip.open(tmp_path / f"{collection}.json.gz", "rb") as lines:
            raw = list(lines)
        assert raw and all(line.endswith(b"\n") for line in raw)
        canonical = [plain(orjson.loads(line)) if _complete(line) else None for line in raw]
        # The same data as the relaxed export of the same seed, typed the canonical way.
        assert canonical == _read(export, collection), collection
    first = (tmp_path / "cras.json.gz").read_bytes()
    assert gzip.decompress(first).count(b'"$numberInt"') > COUNT
    assert b'"$numberLong"' in gzip.decompress((tmp_path / "conseillers.json.gz").read_bytes())


def _complete(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def test_les_cra_sont_tires_au_fil_de_l_ecriture_memoire_bornee():
    plan = Plan(6_000, SEED, Encoder(SEED, False))
    lines = cra_lines(plan)
    assert inspect.isgenerator(lines)
    tracemalloc.start()
    try:
        written = sum(len(line) for line in lines)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written > 3_000_000
    assert peak < 300_000  # a tenth of the lines drawn: none is kept
