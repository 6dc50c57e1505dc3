"""`structures` -> structures.Structure (SPEC §15: DOUBLON left aside, TOM codes, dotation of the COSELEC)."""

from collections.abc import Iterable

from cnfs.import_v1.common import (
    CollectionReport,
    Rejects,
    batches,
    flag,
    moment,
    readable_documents,
    rows_upsert,
    text,
)
from cnfs.import_v1.reader import Line
from structures.enums import StatutStructure, TypeStructure
from structures.models import Departement, Structure

DOUBLON = "DOUBLON"


def departement_code(document: dict) -> str:
    """The département: `codeDepartement`, except the overseas collectivities filed under "00" in the first
    system, whose code is the start of the commune's (975…988; Saint-Martin 978)."""
    code = text(document.get("codeDepartement"))
    commune = text(document.get("codeCommune"))
    if code in ("", "00") and commune[:2] in ("97", "98"):
        return commune[:3]
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


def dotation(document: dict) -> int:
    """`nombreConseillersCoselec` of the latest positive COSELEC decision (0 when none)."""
    positives = [
        entry
        for entry in document.get("coselec") or []
        if isinstance(entry, dict) and text(entry.get("avisCoselec")).upper() == "POSITIF"
    ]
    if not positives:
        return 0
    dated = [entry for entry in positives if moment(entry.get("insertedAt"))]
    latest = max(dated, key=lambda e: e["insertedAt"]) if dated else positives[-1]
    value = latest.get("nombreConseillersCoselec")
    return value if isinstance(value, int) and value >= 0 else 0


def _fields(document: dict, departements: set[str]) -> dict:
    """The Structure fields of a document; raises ValueError with the reason when it cannot be read."""
    siret = text(document.get("siret")).replace(" ", "")
    if not (len(siret) == 14 and siret.isdigit()):
        raise ValueError("SIRET absent ou illisible")
    type_ = text(document.get("type")).upper()
    if type_ not in TypeStructure.values:
        raise ValueError(f"type de structure inconnu : {type_ or 'absent'}")
    statut = text(document.get("statut")).upper()
    if statut not in StatutStructure.values:
        raise ValueError(f"statut inconnu : {statut or 'absent'}")
    departement = departement_code(document)
    if departement not in departements:
        raise ValueError(f"département inconnu : {departement or 'absent'}")
    contact = document.get("contact") if isinstance(document.get("contact"), dict) else {}
    return {
        "siret": siret,
        "nom": text(document.get("nom"), 255) or siret,
        "type": type_,
        "adresse": text(document.get("adresse"), 255),
        "code_postal": text(document.get("codePostal"), 5),
        "code_commune": text(document.get("codeCommune"), 5),
        "nom_commune": text(document.get("nomCommune"), 150),
        "departement_id": departement,
        "contact_prenom": text(contact.get("prenom"), 100),
        "contact_nom": text(contact.get("nom"), 100),
        "contact_fonction": text(contact.get("fonction"), 150),
        "contact_email": text(contact.get("email"), 254).lower(),
        "contact_telephone": text(contact.get("telephone"), 20),
        "statut": statut,
        "dotation": dotation(document),
        "labellisee_france_services": flag(document.get("estLabelliseFranceServices")),
        "zone_rurale_revitalisation": flag(document.get("estZRR")),
        "qpv": flag(document.get("qpvStatut")),
        "reseau": text(document.get("reseau"), 100),
    }


def structures_import(lines: Iterable[Line], report: CollectionReport, rejects: Rejects) -> dict[str, int]:
    """Writes the structures; returns source id -> pk of every structure known by a source id."""
    departements = set(Departement.objects.values_list("code", flat=True))
    # A SIRET is unique: taken by a structure created here, or by an earlier document of the export.
    sirets = dict(Structure.objects.values_list("siret", "source_id"))
    mapping: dict[str, int] = {}

    def rows():
        for document in readable_documents(lines, report, rejects):
            source_id = document["_id"]
            if text(document.get("statut")).upper() == DOUBLON:
                report.ignored["doublons"] += 1
                continue
            try:
                fields = _fields(document, departements)
            except ValueError as error:
                rejects.add(report, source_id, str(error))
                continue
            owner = sirets.setdefault(fields["siret"], source_id)
            if owner != source_id:
                rejects.add(report, source_id, f"SIRET {fields['siret']} déjà pris par une autre structure")
                continue
            yield source_id, fields

    for batch in batches(rows()):
        mapping.update(rows_upsert(Structure, dict(batch), report))
    return mapping
