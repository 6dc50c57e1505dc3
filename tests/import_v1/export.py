"""Hand-written documents of the first system, in its three CRA shapes, and the files of an export.

The ids are 24-hex ObjectIds written out; dates are relaxed (`{"$date": ISO}`) unless a test wants the
canonical form. `export_write` writes one JSON line per document, gzip-compressed on request."""

import gzip
from pathlib import Path

import orjson


def oid(n: int) -> dict:
    return {"$oid": f"{n:024x}"}


def sid(n: int) -> str:
    """The source id an `oid(n)` is imported under."""
    return f"{n:024x}"


def ref(collection: str, n: int) -> dict:
    return {"$ref": collection, "$id": oid(n)}


def date(iso: str) -> dict:
    return {"$date": iso}


# Source ids by kind, far apart.
STRUCTURE, STRUCTURE_2, STRUCTURE_DOUBLON = 0x100, 0x101, 0x102
CONSEILLER, CONSEILLER_2, CANDIDAT = 0x200, 0x201, 0x202
MISE_EN_RELATION, MISE_EN_RELATION_2 = 0x300, 0x301
USER, USER_STRUCTURE = 0x400, 0x401
PERMANENCE = 0x500


def structure(n=STRUCTURE, **fields) -> dict:
    return {
        "_id": oid(n),
        "siret": "35600000000048",
        "nom": "Mairie de Lyon",
        "type": "COMMUNE",
        "statut": "VALIDATION_COSELEC",
        "codePostal": "69001",
        "codeCommune": "69381",
        "nomCommune": "Lyon",
        "codeDepartement": "69",
        "codeRegion": "84",
        "contact": {"prenom": "Anne", "nom": "Durand", "fonction": "DGS", "email": "A.Durand@lyon.fr"},
        "coselec": [
            {
                "nombreConseillersCoselec": 2,
                "avisCoselec": "POSITIF",
                "insertedAt": date("2021-01-10T10:00:00Z"),
            },
            {
                "nombreConseillersCoselec": 0,
                "avisCoselec": "NÉGATIF",
                "insertedAt": date("2021-06-10T10:00:00Z"),
            },
            {
                "nombreConseillersCoselec": 3,
                "avisCoselec": "POSITIF",
                "insertedAt": date("2021-03-10T10:00:00Z"),
            },
        ],
        "estLabelliseFranceServices": "OUI",
        "estZRR": False,
        "qpvStatut": "Oui",
        "reseau": "",
        **fields,
    }


def mise_en_relation(n=MISE_EN_RELATION, conseiller=CONSEILLER, structure_n=STRUCTURE, **fields) -> dict:
    return {
        "_id": oid(n),
        "conseiller": ref("conseillers", conseiller),
        "structure": ref("structures", structure_n),
        "statut": "finalisee",
        "dateRecrutement": date("2021-03-01T00:00:00Z"),
        "typeDeContrat": "CDD",
        **fields,
    }


def conseiller(n=CONSEILLER, **fields) -> dict:
    return {
        "_id": oid(n),
        "prenom": "Camille",
        "nom": "Martin",
        "email": "camille.martin@example.org",
        "emailCN": {"address": "camille.martin@conseiller-numerique.fr"},
        "telephonePro": "0601020304",
        "statut": "RECRUTE",
        "structureId": oid(STRUCTURE),
        "certifie": True,
        "datePrisePoste": date("2021-03-01T00:00:00Z"),
        "dateFinFormation": date("2021-05-20T00:00:00Z"),
        "supHierarchique": {
            "nom": "Durand",
            "prenom": "Anne",
            "fonction": "DGS",
            "email": "a.durand@lyon.fr",
        },
        **fields,
    }


def user(n=USER, **fields) -> dict:
    return {
        "_id": oid(n),
        "name": "Camille.Martin@conseiller-numerique.fr",
        "roles": ["conseiller"],
        "entity": ref("conseillers", CONSEILLER),
        "passwordCreated": True,
        "passwordCreatedAt": date("2021-03-02T09:00:00Z"),
        "createdAt": date("2021-03-01T09:00:00Z"),
        **fields,
    }


def permanence(n=PERMANENCE, **fields) -> dict:
    return {
        "_id": oid(n),
        "nomEnseigne": "Médiathèque du centre",
        "numeroTelephone": "0478000000",
        "email": "Mediatheque@lyon.fr",
        "siteWeb": "https://bm-lyon.fr",
        "siret": "35600000000048",
        "adresse": {
            "numeroRue": "30",
            "rue": "boulevard Vivier-Merle",
            "codePostal": "69003",
            "ville": "Lyon",
            "codeCommune": "69383",
        },
        "horaires": [{"matin": ["09:00", "12:00"], "apresMidi": ["14:00", "18:00"]}]
        + [{"matin": ["Fermé", "Fermé"], "apresMidi": ["Fermé", "Fermé"]}] * 6,
        "typeAcces": ["rdv", "libre"],
        "conseillers": [oid(CONSEILLER)],
        "lieuPrincipalPour": [oid(CONSEILLER)],
        "conseillersItinerants": [],
        "structure": ref("structures", STRUCTURE),
        **fields,
    }


def cra_v1(n: int, **cra) -> dict:
    """A V1 CRA (Apr 2021–Feb 2022): single age and statut buckets, a suite string, no structure."""
    return {
        "_id": oid(n),
        "conseiller": ref("conseillers", CONSEILLER),
        "cra": {
            "canal": "domicile",
            "activite": "individuel",
            "nbParticipants": None,
            "age": "35-60",
            "statut": "retraite",
            "themes": ["courriel", "tpe/pme"],
            "duree": "0-30",
            "accompagnement": "individuel",
            "codePostal": "69001",
            "nomCommune": "Lyon",
            "codeCommune": "69381",
            "dateAccompagnement": date("2021-06-14T22:30:00Z"),
            **cra,
        },
        "createdAt": date("2021-06-15T08:00:00Z"),
        "updatedAt": date("2021-06-15T08:00:00Z"),
    }


def cra_v2(n: int, **cra) -> dict:
    """A V2 CRA (Feb 2022–Mar 2023): counts by age and statut, suites counted, one `organisme`."""
    return {
        "_id": oid(n),
        "conseiller": ref("conseillers", CONSEILLER),
        "permanence": ref("permanences", PERMANENCE),
        "cra": {
            "canal": "rattachement",
            "activite": "collectif",
            "nbParticipants": 4,
            "nbParticipantsRecurrents": 1,
            "age": {"moins12ans": 0, "de12a18ans": 1, "de18a35ans": 1, "de35a60ans": 1, "plus60ans": 1},
            "statut": {"etudiant": 1, "sansEmploi": 1, "enEmploi": 1, "retraite": 1, "heterogene": 0},
            "themes": ["equipement informatique", "sante"],
            "sousThemes": [
                {"equipement informatique": ["ordinateur", "tablette"]},
                {"sante": ["espace-sante"]},
            ],
            "duree": 90,
            "accompagnement": {"individuel": 1, "atelier": 0, "redirection": 2},
            "organisme": "Pôle emploi",
            "codePostal": "69003",
            "nomCommune": "Lyon",
            "codeCommune": "69383",
            "dateAccompagnement": date("2022-05-02T10:00:00Z"),
            **cra,
        },
        "createdAt": date("2022-05-02T12:00:00Z"),
        "updatedAt": date("2022-05-03T12:00:00Z"),
    }


def cra_v3(n: int, **cra) -> dict:
    """A V3 CRA (Mar 2023–Nov 2024): a `structure` DBRef, `organismes`, an annotation sub-theme entry."""
    document = cra_v2(n, **{"organisme": None, **cra})
    document["structure"] = ref("structures", STRUCTURE)
    document["cra"].pop("organisme")
    document["cra"].setdefault("organismes", [{"CAF": 1}, {"Maison du droit": 1}])
    document["cra"]["sousThemes"] = cra.get("sousThemes", [{"annotation": ["Atelier seniors"]}])
    document["cra"]["dateAccompagnement"] = cra.get("dateAccompagnement", date("2024-03-05T09:00:00Z"))
    return document


def world_documents() -> dict[str, list[dict]]:
    """A small export: one structure (and a duplicate), one conseiller employed since March 2021 (and a
    candidate), his account, his lieu."""
    return {
        "structures": [structure(), structure(STRUCTURE_DOUBLON, statut="DOUBLON", siret="35600000000048")],
        "misesEnRelation": [
            mise_en_relation(),
            mise_en_relation(MISE_EN_RELATION_2, conseiller=CANDIDAT, statut="nouvelle"),
        ],
        "conseillers": [
            conseiller(),
            conseiller(CANDIDAT, statut=None, email="candidat@example.org", emailCN=None),
        ],
        "users": [user()],
        "permanences": [permanence()],
    }


def export_write(directory: Path, collections: dict[str, list], *, compressed: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, documents in collections.items():
        data = b"".join(orjson.dumps(document) + b"\n" for document in documents)
        if compressed:
            (directory / f"{name}.json.gz").write_bytes(gzip.compress(data))
        else:
            (directory / f"{name}.json").write_bytes(data)
    return directory
