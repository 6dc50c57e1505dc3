"""A generator of first-system exports (SPEC §15): what `mongoexport` gives of the collections structures,
conseillers, misesEnRelation, permanences, users, cras and cras_deleted, one JSON document per line, in
relaxed or canonical Extended JSON, optionally gzip-compressed, with every shape and quirk of the first
system. Used by the tests of import_v1 and by the benchmark.

Deterministic for a seed. Only the plan (structures, conseillers, their contracts) is held in memory; the
CRAs are drawn conseiller by conseiller and written as they are drawn, so memory does not grow with the
count. The plain password of `users` line i is `password_for(seed, i)`.
"""

import contextlib
import datetime
import functools
import gzip
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import bcrypt
import orjson

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
EPOCH = datetime.date(1970, 1, 1)
COLLECTIONS = ("structures", "conseillers", "misesEnRelation", "permanences", "users", "cras", "cras_deleted")

# The eras of the CRA form (the shape follows the day the CRA was entered).
CRA_FROM = datetime.date(2021, 4, 1)
V2_FROM = datetime.date(2022, 2, 15)
V3_FROM = datetime.date(2023, 3, 15)
CRA_TO = datetime.date(2024, 11, 30)
STRUCTURE_REF_FROM = datetime.date(2022, 11, 1)  # CRAs entered before mostly lack their `structure` DBRef
MARGIN = datetime.timedelta(days=3)  # CRAs keep off the first and last days of a contract

# (code postal, code commune, commune, codeDepartement as the first system wrote it, real département)
COMMUNES = (
    ("75011", "75111", "Paris 11e Arrondissement", "75", "75"),
    ("97150", "97801", "Saint-Martin", "971", "978"),  # Saint-Martin's postal codes are Guadeloupe's
    ("69001", "69381", "Lyon 1er Arrondissement", "69", "69"),
    ("98714", "98735", "Papeete", "00", "987"),
    ("13001", "13201", "Marseille 1er Arrondissement", "13", "13"),
    ("97110", "97120", "Pointe-à-Pitre", "971", "971"),
    ("33000", "33063", "Bordeaux", "33", "33"),
    ("98800", "98818", "Nouméa", "00", "988"),
    ("59000", "59350", "Lille", "59", "59"),
    ("20000", "2A004", "Ajaccio", "2A", "2A"),
    ("35000", "35238", "Rennes", "35", "35"),
    ("97500", "97502", "Saint-Pierre", "00", "975"),
    ("31000", "31555", "Toulouse", "31", "31"),
    ("20200", "2B033", "Bastia", "2B", "2B"),
    ("44000", "44109", "Nantes", "44", "44"),
    ("97200", "97209", "Fort-de-France", "972", "972"),
    ("63000", "63113", "Clermont-Ferrand", "63", "63"),
    ("97400", "97411", "Saint-Denis", "974", "974"),
    ("21000", "21231", "Dijon", "21", "21"),
    ("97600", "97611", "Mamoudzou", "976", "976"),
)
REGIONS = {"75": "11", "69": "84", "63": "84", "13": "93", "33": "75", "59": "32", "35": "53", "31": "76"}
REGIONS |= {
    "44": "52",
    "21": "27",
    "2A": "94",
    "2B": "94",
    "971": "01",
    "972": "02",
    "974": "04",
    "976": "06",
}
TYPES = ("PRIVATE", "COMMUNE", "EPCI", "DEPARTEMENT", "REGION", "COLLECTIVITE", "GIP")
RESEAUX = (None, None, None, "La Poste", "Croix-Rouge", "Emmaüs Connect")
HUBS = ("Hinaura", "Hub du Sud", "Francil-in", "Les Assembleurs", "Hub Bretagne")
PRENOMS = ("Camille", "Dominique", "Claude", "Sacha", "Alix", "Maxime", "Yannick", "Morgan", "Lou", "Noa")
NOMS = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")

# The CRA values as the first system stored them.
THEMES = (
    "diagnostic", "equipement informatique", "budget", "vocabulaire", "internet", "trouver emploi",
    "courriel", "echanger", "tpe/pme", "securite", "contenus numeriques", "accompagner enfant",
    "fraude et harcelement", "traitement texte", "scolaire", "sante", "demarche en ligne",
)  # fmt: skip
LEGACY_THEMES = ("smartphone", "autre")
SOUS_THEMES = {
    "equipement informatique": ("ordinateur", "tablette", "telephone"),
    "accompagner enfant": ("parent", "social", "enseignant"),
    "sante": ("espace-sante",),
    "traitement texte": ("fourniture",),
}
V1_AGES = ("-12", "12-18", "18-35", "35-60", "+60")
AGES = ("moins12ans", "de12a18ans", "de18a35ans", "de35a60ans", "plus60ans")
V1_STATUTS = ("etudiant", "sans emploi", "en emploi", "retraite", "heterogene")
STATUTS = ("etudiant", "sansEmploi", "enEmploi", "retraite", "heterogene")
ORGANISMES = (
    "ANTS", "Assistante sociale", "CAF", "CARSAT", "CCAS", "CEFS", "CIP", "CPAM", "DGFIP", "France Services",
    "Mairie", "Médiathèque", "Mission locale", "France Travail", "Préfecture", "Sous-préfecture",
    "Service de police", "Gendarmerie", "Revendeur informatique", "Tiers-lieu / Fablab",
)  # fmt: skip
FREE_ORGANISMES = (
    "Pôle emploi",
    "Secours populaire",
    "Banque de France",
    "Notaire",
    "Association du quartier",
)
ANNOTATIONS = ("Atelier tablettes", "Permanence mairie", "Public senior", "Sortie de crise")
MOTIFS_RUPTURE = ("démission", "licenciement", "nouvelleEmbauche", "CDIisation", "fin de contrat")

# One CRA line in REJECT_PERIOD (at most) cannot be read; the kinds follow each other in this order.
REJECT_PERIOD = 997
REJECT_KINDS = ("sans_conseiller", "conseiller_inconnu", "canal_inconnu", "json_illisible")
BCRYPT_ROUNDS = 4  # the lowest bcrypt accepts: the hashes are real, and quick to make
BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def password_for(seed: int, index: int) -> str:
    """The plain password of the users line `index` of the export of `seed` (for the tests)."""
    return f"Ancien-{seed}-{index}!"


@dataclass
class Contract:
    structure: int  # index in Plan.structures
    start: datetime.date
    end: datetime.date | None  # dateRupture, or the last day of a contract that ended
    statut: str  # of the mise en relation
    motif: str | None = None


@dataclass
class Conseiller:
    index: int
    oid: str
    prenom: str
    nom: str
    contracts: list[Contract]
    weight: float
    permanences: list[str] = field(default_factory=list)
    subordonnes: tuple[str, list] | None = None  # (type, liste) of a coordinator
    statut: str | None = "RECRUTE"
    cras: int = 0


@dataclass
class Structure:
    index: int
    oid: str
    commune: tuple
    statut: str
    siret: str
    permanences: list[str] = field(default_factory=list)


class Encoder:
    """Extended JSON, relaxed or canonical, as mongoexport writes it; ObjectIds made from a counter."""

    def __init__(self, seed: int, canonical: bool):
        self.canonical = canonical
        self.seed_hex = f"{seed & 0xFFFFFFFF:08x}"
        self.counters: dict[int, int] = {}

    def new_oid(self, tag: int, at: datetime.datetime | int) -> str:
        """A new ObjectId whose time is `at` (a datetime or epoch seconds)."""
        counter = self.counters[tag] = self.counters.get(tag, 0) + 1
        return f"{_epoch(at):08x}{tag:02x}{self.seed_hex}{counter:06x}"

    @staticmethod
    def oid(hex_id: str) -> dict:
        return {"$oid": hex_id}

    def ref(self, collection: str, hex_id: str) -> dict:
        return {"$ref": collection, "$id": {"$oid": hex_id}}

    def date(self, moment: datetime.datetime | int) -> dict:
        """A date at `moment` (a datetime or epoch seconds), in milliseconds as mongoexport writes it."""
        seconds = _epoch(moment)
        if self.canonical:
            return {"$date": {"$numberLong": str(seconds * 1000)}}
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        return {"$date": f"{_utc_day(days)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000Z"}

    def line(self, document: dict) -> bytes:
        if self.canonical:
            document = _canonical(document)
        return orjson.dumps(document) + b"\n"


def _epoch(moment: datetime.datetime | int) -> int:
    return moment if isinstance(moment, int) else int(moment.timestamp())


@functools.cache
def _utc_day(days: int) -> str:
    """Days since 1970-01-01 -> "YYYY-MM-DD" (cached: the CRAs span about 1,300 days)."""
    return (EPOCH + datetime.timedelta(days=days)).isoformat()


@functools.cache
def paris_midnight(day: datetime.date) -> int:
    """Epoch seconds of 00:00 in Paris on `day` (22:00 or 23:00 UTC the day before)."""
    return int(paris(day).timestamp())


def utc_midnight(day: datetime.date) -> int:
    return (day - EPOCH).days * 86400


def _canonical(value):
    """Numbers as canonical Extended JSON types them ($numberInt, $numberLong beyond 32 bits)."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return {"$numberInt" if -(2**31) <= value < 2**31 else "$numberLong": str(value)}
    return value


def paris(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _siret(rng: random.Random) -> str:
    """14 digits with a valid Luhn key."""
    digits = [rng.randrange(10) for _ in range(13)]
    for check in range(10):
        number = [*digits, check]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(number))
        )
        if total % 10 == 0:
            return "".join(map(str, number))
    raise AssertionError("unreachable")


class Plan:
    """Structures, conseillers, contracts, permanences of an export; how the CRAs are shared out."""

    def __init__(self, count: int, seed: int, encoder: Encoder):
        self.count, self.seed, self.enc = count, seed, encoder
        rng = self.rng = random.Random(seed)
        launch = paris(datetime.date(2020, 11, 17), 10)
        n_conseillers = max(12, count // 1000)
        self.structures = [
            Structure(
                i,
                encoder.new_oid(1, launch),
                COMMUNES[i % len(COMMUNES)] if i < len(COMMUNES) else rng.choice(COMMUNES),
                "VALIDATION_COSELEC",
                _siret(rng),
            )
            for i in range(max(len(COMMUNES), n_conseillers * 2 // 3))
        ]
        # Duplicates of validated structures, and structures that never hired.
        for i, statut in enumerate(
            ["DOUBLON"] * max(1, len(self.structures) // 40) + ["CREEE", "REFUS_COSELEC"]
        ):
            twin = self.structures[i]
            siret = twin.siret if statut == "DOUBLON" else _siret(rng)
            self.structures.append(
                Structure(len(self.structures), encoder.new_oid(1, launch), twin.commune, statut, siret)
            )
        self.valid = [s for s in self.structures if s.statut == "VALIDATION_COSELEC"]
        for s in self.valid:
            s.permanences = [encoder.new_oid(4, launch) for _ in range(rng.randint(1, 2))]
        self.conseillers = [self._conseiller(i) for i in range(n_conseillers)]
        self.candidats = [
            Conseiller(
                n_conseillers + i, encoder.new_oid(2, launch), rng.choice(PRENOMS), rng.choice(NOMS), [], 0
            )
            for i in range(max(2, n_conseillers // 5))
        ]
        for candidat in self.candidats:
            candidat.statut = None
        by_oid = [c.oid for c in self.conseillers]
        self.conseillers[0].subordonnes = ("conseillers", by_oid[1:4])
        self.conseillers[2].subordonnes = ("codeDepartement", ["69", "13"])
        self.conseillers[3].subordonnes = ("codeRegion", ["84"])
        self.conseillers[6].statut = None  # recruited (a finalisee mise en relation) but without a statut
        self._share_cras()

    def _conseiller(self, i: int) -> Conseiller:
        rng, valid = self.rng, self.valid
        first = valid[i % len(valid)].index
        if i == 0:  # employed from the start to the end of the first system
            contracts = [Contract(0, datetime.date(2021, 1, 4), None, "finalisee")]
        elif i == 1:  # moved: a rupture, then another employer
            contracts = [
                Contract(
                    1, datetime.date(2021, 2, 1), datetime.date(2022, 6, 30), "finalisee_rupture", "démission"
                ),
                Contract(0, datetime.date(2022, 7, 15), None, "finalisee"),
            ]
        elif i == 4:  # a rupture under way
            contracts = [
                Contract(first, datetime.date(2021, 3, 1), datetime.date(2024, 3, 31), "nouvelle_rupture")
            ]
        elif i == 5:  # a contract that came to its end
            contracts = [Contract(first, datetime.date(2021, 6, 1), datetime.date(2023, 5, 31), "terminee")]
        else:
            start = _day(rng, datetime.date(2020, 12, 1), datetime.date(2023, 1, 31))
            contracts = [Contract(first, start, None, "finalisee")]
            if rng.random() < 0.25:
                end = start + datetime.timedelta(days=rng.randint(180, 720))
                contracts[0] = Contract(first, start, end, "finalisee_rupture", rng.choice(MOTIFS_RUPTURE))
                if rng.random() < 0.5:
                    other = rng.choice(valid).index
                    if other != first:
                        contracts.append(
                            Contract(
                                other, end + datetime.timedelta(days=rng.randint(15, 60)), None, "finalisee"
                            )
                        )
        at = paris(contracts[0].start, 9)
        conseiller = Conseiller(
            i,
            self.enc.new_oid(2, at),
            rng.choice(PRENOMS),
            rng.choice(NOMS),
            contracts,
            rng.uniform(0.3, 1.7),
        )
        if contracts[-1].end is not None and contracts[-1].statut != "nouvelle_rupture":
            conseiller.statut = "RUPTURE"
        for contract in contracts:
            structure = self.structures[contract.structure]
            conseiller.permanences += rng.sample(structure.permanences, 1)
        return conseiller

    def windows(self, conseiller: Conseiller) -> list[tuple[Contract, datetime.date, datetime.date]]:
        """The days on which the conseiller's CRAs fall, contract by contract."""
        result = []
        for contract in conseiller.contracts:
            start = max(contract.start + MARGIN, CRA_FROM)
            end = min((contract.end or CRA_TO) - MARGIN, CRA_TO)
            if start <= end:
                result.append((contract, start, end))
        return result

    def _share_cras(self) -> None:
        """Shares `count` CRAs between the conseillers, by weight × days worked (largest remainders)."""
        weights = [c.weight * sum((e - s).days + 1 for _c, s, e in self.windows(c)) for c in self.conseillers]
        total = sum(weights)
        exact = [self.count * w / total for w in weights]
        for conseiller, share in zip(self.conseillers, exact, strict=True):
            conseiller.cras = int(share)
        missing = self.count - sum(c.cras for c in self.conseillers)
        for i in sorted(range(len(exact)), key=lambda i: int(exact[i]) - exact[i])[:missing]:
            self.conseillers[i].cras += 1


def structure_documents(plan: Plan) -> Iterator[dict]:
    enc, rng = plan.enc, random.Random(plan.seed + 1)
    for s in plan.structures:
        code_postal, code_commune, nom_commune, code_departement, departement = s.commune
        created = paris(datetime.date(2020, 11, 17) + datetime.timedelta(days=s.index % 60), 11)
        coselec = []
        if s.statut == "VALIDATION_COSELEC":
            # History: the latest positive decision gives the dotation; a later negative one does not.
            for numero in range(1, rng.randint(2, 4)):
                avis = "POSITIF" if numero == 1 or rng.random() < 0.7 else "NÉGATIF"
                coselec.append(
                    {
                        "numero": f"COSELEC {numero}",
                        "avisCoselec": avis,
                        "nombreConseillersCoselec": rng.randint(1, 6) if avis == "POSITIF" else 0,
                        "insertedAt": enc.date(created + datetime.timedelta(days=90 * numero)),
                    }
                )
        yield {
            "_id": enc.oid(s.oid),
            "idPG": s.index + 1,
            "type": TYPES[s.index % len(TYPES)],
            "statut": s.statut,
            "nom": f"Structure {nom_commune} n° {s.index + 1}",
            "siret": s.siret,
            "contact": {
                "prenom": rng.choice(PRENOMS),
                "nom": rng.choice(NOMS),
                "fonction": "Directrice",
                "email": f"contact{s.index}@structure.example.org",
                "telephone": f"+3314{s.index % 1000:03d}0000",
            },
            "codePostal": code_postal,
            "nomCommune": nom_commune,
            "codeCommune": code_commune,
            "codeDepartement": code_departement,
            "codeRegion": REGIONS.get(code_departement, "00"),
            "nombreConseillersSouhaites": rng.randint(1, 5),
            "estLabelliseFranceServices": rng.choice(("OUI", "NON")),
            "estZRR": rng.random() < 0.2,
            "qpvStatut": rng.choice(("Oui", "Non", "Sans objet")),
            "reseau": rng.choice(RESEAUX),
            "coselec": coselec,
            "createdAt": enc.date(created),
            "updatedAt": enc.date(created + datetime.timedelta(days=200)),
        }


def conseiller_documents(plan: Plan) -> Iterator[dict]:
    enc, rng = plan.enc, random.Random(plan.seed + 2)
    for c in [*plan.conseillers, *plan.candidats]:
        code_postal, code_commune, nom_commune, code_departement, _dep = COMMUNES[c.index % len(COMMUNES)]
        email = f"{c.prenom}.{c.nom}{c.index}".lower()
        document = {
            "_id": enc.oid(c.oid),
            "idPG": c.index + 1,
            "prenom": c.prenom,
            "nom": c.nom,
            "email": f"{email}@example.org",
            "telephone": f"+336{c.index:08d}",
            "codePostal": code_postal,
            "nomCommune": nom_commune,
            "codeCommune": code_commune,
            "codeDepartement": code_departement,
            "disponible": c.statut is None,
            "createdAt": enc.date(paris(datetime.date(2020, 11, 20), 8)),
        }
        if c.contracts:
            current = c.contracts[-1]
            document |= {
                "structureId": enc.oid(plan.structures[current.structure].oid),
                "emailPro": f"{email}@structure.example.org" if c.index % 3 else None,
                "telephonePro": 33600000000 + c.index,  # a number: a $numberLong in canonical JSON
                "emailCN": {"address": f"{email}@conseiller-numerique.fr"},
                "certifie": rng.random() < 0.6,
                "datePrisePoste": enc.date(paris(c.contracts[0].start)),
                "dateFinFormation": enc.date(paris(c.contracts[0].start + datetime.timedelta(days=100))),
                "supHierarchique": {
                    "nom": rng.choice(NOMS),
                    "prenom": rng.choice(PRENOMS),
                    "fonction": "Responsable",
                    "email": f"chef{c.index}@structure.example.org",
                    "numeroTelephone": "0102030405",
                },
                "estCoordinateur": c.subordonnes is not None,
                "ruptures": [
                    {
                        "structureId": enc.oid(plan.structures[k.structure].oid),
                        "dateRupture": enc.date(paris(k.end)),
                        "motifRupture": k.motif,
                    }
                    for k in c.contracts
                    if k.statut == "finalisee_rupture"
                ],
            }
            if c.statut is not None:
                document["statut"] = c.statut
            if c.subordonnes is not None:
                kind, liste = c.subordonnes
                document["listeSubordonnes"] = {
                    "type": kind,
                    "liste": [enc.oid(x) for x in liste] if kind == "conseillers" else liste,
                }
        yield document


def mise_en_relation_documents(plan: Plan) -> Iterator[dict]:
    enc, rng = plan.enc, random.Random(plan.seed + 3)
    for c in plan.conseillers:
        for k in c.contracts:
            created = paris(k.start - datetime.timedelta(days=20), 10)
            document = {
                "_id": enc.oid(enc.new_oid(3, created)),
                "conseiller": enc.ref("conseillers", c.oid),
                "structure": enc.ref("structures", plan.structures[k.structure].oid),
                "statut": k.statut,
                "createdAt": enc.date(created),
                "dateRecrutement": enc.date(paris(k.start)),
                "typeDeContrat": rng.choice(("CDD", "CDI", "contrat_de_projet")),
                "dateDebutDeContrat": enc.date(paris(k.start)),
            }
            if k.statut in ("finalisee_rupture", "nouvelle_rupture"):
                document |= {"dateRupture": enc.date(paris(k.end)), "motifRupture": k.motif or "démission"}
            elif k.statut == "terminee":
                document["dateFinDeContrat"] = enc.date(paris(k.end))
            yield document
    for c in plan.candidats:  # candidacies that led nowhere
        for statut in ("nouvelle", "interessee", "nonInteressee"):
            yield {
                "_id": enc.oid(enc.new_oid(3, paris(datetime.date(2021, 1, 5)))),
                "conseiller": enc.ref("conseillers", c.oid),
                "structure": enc.ref("structures", rng.choice(plan.valid).oid),
                "statut": statut,
                "createdAt": enc.date(paris(datetime.date(2021, 1, 5), 10)),
            }


def permanence_documents(plan: Plan) -> Iterator[dict]:
    enc, rng = plan.enc, random.Random(plan.seed + 4)
    attached = defaultdict(list)
    for c in plan.conseillers:
        for oid in dict.fromkeys(c.permanences):
            attached[oid].append(c)
    for s in plan.structures:
        code_postal, code_commune, nom_commune, _code, _dep = s.commune
        for number, oid in enumerate(s.permanences):
            conseillers = attached[oid]
            yield {
                "_id": enc.oid(oid),
                "estStructure": number == 0,
                "nomEnseigne": f"Lieu {number + 1} de la structure n° {s.index + 1}",
                "numeroTelephone": "0102030405" if number == 0 else None,
                "email": f"lieu{s.index}-{number}@structure.example.org",
                "siteWeb": "https://structure.example.org" if rng.random() < 0.5 else None,
                "siret": s.siret,
                "adresse": {
                    "numeroRue": str(rng.randint(1, 120)),
                    "rue": "rue de la République",
                    "codePostal": code_postal,
                    "ville": nom_commune,
                    "codeCommune": code_commune,
                },
                "location": {"type": "Point", "coordinates": [2.35, 48.85]},
                "horaires": [
                    {
                        "matin": ["09:00", "12:00"],
                        "apresMidi": ["14:00", "17:30"] if day < 5 else ["Fermé", "Fermé"],
                    }
                    for day in range(7)
                ],
                "typeAcces": rng.choice((["libre"], ["rdv"], ["libre", "rdv"], ["prive"])),
                "conseillers": [enc.oid(c.oid) for c in conseillers],
                "lieuPrincipalPour": [enc.oid(c.oid) for c in conseillers if c.permanences[0] == oid],
                "conseillersItinerants": [enc.oid(c.oid) for c in conseillers if c.index % 4 == 0],
                "structure": enc.ref("structures", s.oid),
                "createdAt": enc.date(paris(datetime.date(2021, 9, 1), 10)),
                "updatedAt": enc.date(paris(datetime.date(2022, 3, 1), 10)),
            }


def _bcrypt(rng: random.Random, password: str, prefix: str) -> str:
    salt = f"{prefix}{BCRYPT_ROUNDS:02d}$" + "".join(rng.choice(BCRYPT_ALPHABET) for _ in range(21)) + "."
    return bcrypt.hashpw(password.encode(), salt.encode()).decode()


def user_documents(plan: Plan) -> Iterator[dict]:
    """Accounts of every role; some never created their password. Line i's password: password_for(seed, i)."""
    enc, rng = plan.enc, random.Random(plan.seed + 5)
    accounts = []  # (name, roles, entity, extra)
    for c in plan.conseillers:
        roles = ["conseiller", "coordinateur_coop"] if c.subordonnes else ["conseiller"]
        name = f"{c.prenom}.{c.nom}{c.index}@conseiller-numerique.fr"
        accounts.append((name if c.index % 5 else name.upper(), roles, ("conseillers", c.oid), {}))
    for c in plan.candidats:
        accounts.append(
            (f"{c.prenom}.{c.nom}{c.index}@example.org".lower(), ["candidat"], ("conseillers", c.oid), {})
        )
    for s in plan.structures:
        if s.statut != "DOUBLON":
            roles = ["structure", "structure_coop"] if s.index % 2 else ["structure"]
            accounts.append((f"Contact{s.index}@Structure.example.org", roles, ("structures", s.oid), {}))
    accounts += [
        ("prefet75@paris.gouv.fr", ["prefet"], None, {"departement": "75"}),
        ("prefet971@guadeloupe.gouv.fr", ["prefet"], None, {"departement": "971"}),
        ("prefet-region84@ara.gouv.fr", ["prefet"], None, {"region": "84"}),
        ("hub-sud@hub.example.org", ["hub_coop"], None, {"hub": HUBS[1]}),
        ("hinaura@hub.example.org", ["hub_coop"], None, {"hub": HUBS[0]}),
        ("admin@anct.gouv.fr", ["admin"], None, {}),
        ("national@anct.gouv.fr", ["admin", "admin_coop"], None, {}),
    ]
    for index, (name, roles, entity, extra) in enumerate(accounts):
        created = paris(datetime.date(2021, 1, 1) + datetime.timedelta(days=index % 300), 9)
        document = {
            "_id": enc.oid(enc.new_oid(5, created)),
            "name": name,
            "roles": roles,
            "passwordCreated": index % 7 != 3,
            "createdAt": enc.date(created),
            **extra,
        }
        if entity is not None:
            document["entity"] = enc.ref(*entity)
        if document["passwordCreated"]:
            document["password"] = _bcrypt(
                rng, password_for(plan.seed, index), "$2a$" if index % 3 else "$2b$"
            )
            document["lastLogin"] = enc.date(created + datetime.timedelta(days=30))
        elif index % 2:
            document["password"] = None
        yield document


class CraDrawer:
    """Draws CRA documents in the shape of the form of the day they were entered (V1, V2, V3).

    `rng.random()` and arithmetic rather than randint, choice or sample: five times cheaper, and the
    generator must write millions of lines."""

    def __init__(self, plan: Plan):
        self.plan, self.enc = plan, plan.enc

    def document(self, rng: random.Random, c: Conseiller, k: int, day: datetime.date, tag: int) -> dict:
        enc, rnd, contract = self.enc, rng.random, c.contracts[k]
        structure = self.plan.structures[contract.structure]
        without_date = day < V2_FROM and rnd() < 0.04
        entered = day
        if not without_date and rnd() >= 0.8:
            entered = min(day + datetime.timedelta(days=1 + int(rnd() * 3)), CRA_TO)
        version = 1 if entered < V2_FROM else 2 if entered < V3_FROM else 3
        created = paris_midnight(entered) + 28800 + int(rnd() * 780) * 60  # 8:00 to 21:00 in Paris
        r = rnd()
        activite = "individuel" if r < 0.55 else "collectif" if r < 0.7 else "ponctuel"
        n = 2 + int(rnd() * 24) if activite == "collectif" else 1
        r = rnd()
        canal = (
            "rattachement" if r < 0.45
            else ("autre lieu" if version == 3 else "autre") if r < 0.6
            else "distance" if r < 0.8
            else "domicile"
        )  # fmt: skip
        cra = {"canal": canal, "activite": activite}
        cra["nbParticipants"] = None if version == 1 and activite == "individuel" and rnd() < 0.7 else n
        r = rnd()
        if version == 1:
            if r < 0.3:
                cra["nbParticipantsRecurrents"] = None
            elif r < 0.5:
                cra["nbParticipantsRecurrents"] = int(rnd() * (n + 1))
            cra["age"], cra["statut"] = V1_AGES[int(rnd() * 5)], V1_STATUTS[int(rnd() * 5)]
        else:
            cra["nbParticipantsRecurrents"] = (
                None if r < 0.1 else n + 1 + int(rnd() * 3) if r < 0.15 else int(rnd() * (n + 1))
            )
            cra["age"], cra["statut"] = _buckets(rnd, AGES, n), _buckets(rnd, STATUTS, n)
        r = rnd()
        themes = [THEMES[int(rnd() * len(THEMES))]]
        if r >= 0.6:
            themes += [
                t
                for t in (THEMES[int(rnd() * len(THEMES))] for _ in range(1 if r < 0.9 else 2))
                if t not in themes
            ]
        if version < 3 and rnd() < 0.08:
            themes.append(LEGACY_THEMES[int(rnd() * 2)])
        cra["themes"] = themes
        if version > 1:
            sous_themes = [
                {t: [SOUS_THEMES[t][int(rnd() * len(SOUS_THEMES[t]))]]}
                for t in themes
                if t in SOUS_THEMES and rnd() < 0.6
            ]
            if rnd() < 0.05:
                sous_themes.append({"annotation": [ANNOTATIONS[int(rnd() * len(ANNOTATIONS))]]})
            cra["sousThemes"] = sous_themes
        r = rnd()
        cra["duree"] = (
            "0-30" if r < 0.35 else "30-60" if r < 0.7 else "60" if r < 0.76 else 60 if r < 0.8
            else "90" if r < 0.82 else 90 if r < 0.84 else 1 + int(rnd() * 200)
        )  # fmt: skip
        _suite(rnd, cra, version, n)
        commune = structure.commune if rnd() < 0.8 else COMMUNES[int(rnd() * len(COMMUNES))]
        cra["codePostal"], cra["nomCommune"] = commune[0], commune[2]
        if version > 1 or rnd() > 0.05:
            cra["codeCommune"] = commune[1]
        if not without_date:
            # Paris midnight (22:00 or 23:00 UTC the day before), or midnight or noon UTC.
            r = rnd()
            cra["dateAccompagnement"] = enc.date(
                paris_midnight(day) if r < 0.6 else utc_midnight(day) + (0 if r < 0.9 else 43200)
            )
        document = {
            "_id": enc.oid(enc.new_oid(tag, created)),
            "cra": cra,
            "conseiller": enc.ref("conseillers", c.oid),
        }
        if entered >= STRUCTURE_REF_FROM or rnd() < 0.15:
            document["structure"] = enc.ref("structures", structure.oid)
        if version > 1 and canal == "rattachement":
            document["permanence"] = enc.ref("permanences", c.permanences[k])
        document["createdAt"] = enc.date(created)
        document["updatedAt"] = enc.date(created if rnd() < 0.85 else created + 86400 * (1 + int(rnd() * 20)))
        return document


def _buckets(rnd, keys: tuple[str, ...], n: int) -> dict:
    """n people shared out between the buckets; a few sums that do not match (never checked then)."""
    counts = [0] * len(keys)
    for _ in range(n):
        counts[int(rnd() * len(keys))] += 1
    r = rnd()
    if r < 0.04:
        counts[int(rnd() * len(keys))] += 1 + int(rnd() * 2)
    elif r < 0.06 and n > 1:
        counts[counts.index(max(counts))] -= 1
    if rnd() < 0.1:
        return {key: count for key, count in zip(keys, counts, strict=True) if count}
    return dict(zip(keys, counts, strict=True))


SUITES = ("individuel", "atelier", "redirection")


def _suite(rnd, cra: dict, version: int, n: int) -> None:
    """accompagnement (the follow-ups), and organisme (V2) or organismes (V3) for the redirections."""
    if version == 1:
        cra["accompagnement"] = SUITES[int(rnd() * 3)] if rnd() < 0.3 else None
        return
    suite = {"individuel": 0, "atelier": 0, "redirection": 0}
    r = rnd()
    if r < 0.3:
        suite[SUITES[int(rnd() * 3)]] = 1 + int(rnd() * n)
    elif r < 0.33:  # more follow-ups than participants
        suite["individuel"], suite["redirection"] = n, 1
    redirection = suite["redirection"]
    names = [
        ORGANISMES[int(rnd() * len(ORGANISMES))]
        if rnd() < 0.75
        else FREE_ORGANISMES[int(rnd() * len(FREE_ORGANISMES))]
        for _ in range(2)
    ]
    if version == 2:
        cra["organisme"] = names[0] if redirection else None
        if redirection == 1 and rnd() < 0.3:
            del suite["redirection"]  # absent: one person redirected
    elif redirection:
        first = 1 + int(rnd() * redirection) if names[0] != names[1] else redirection
        cra["organismes"] = [{names[0]: first}] + (
            [{names[1]: redirection - first}] if redirection > first else []
        )
    else:
        cra["organismes"] = None
    cra["accompagnement"] = suite


def cra_lines(plan: Plan) -> Iterator[bytes]:
    """The `cras` lines, conseiller by conseiller; one in REJECT_PERIOD (or fewer) cannot be read."""
    drawer, enc = CraDrawer(plan), plan.enc
    period = min(REJECT_PERIOD, max(2, plan.count // 8))
    position = 0
    for c in plan.conseillers:
        rng = random.Random((plan.seed << 24) + c.index)
        windows = plan.windows(c)
        spans = [(e - s).days + 1 for _k, s, e in windows]
        ks = [c.contracts.index(k) for k, _s, _e in windows]
        for _ in range(c.cras):
            w = rng.choices(range(len(windows)), weights=spans)[0] if len(windows) > 1 else 0
            day = windows[w][1] + datetime.timedelta(days=rng.randrange(spans[w]))
            document = drawer.document(rng, c, ks[w], day, 6)
            position += 1
            if position % period:
                yield enc.line(document)
                continue
            kind = REJECT_KINDS[(position // period - 1) % len(REJECT_KINDS)]
            if kind == "sans_conseiller":
                del document["conseiller"]
            elif kind == "conseiller_inconnu":
                document["conseiller"] = enc.ref("conseillers", enc.new_oid(9, paris(day)))
            elif kind == "canal_inconnu":
                document["cra"]["canal"] = "telephone"
            line = enc.line(document)
            yield line[: len(line) // 2] + b"\n" if kind == "json_illisible" else line


def cra_deleted_lines(plan: Plan) -> Iterator[bytes]:
    """`cras_deleted`: CRAs deleted in the first system, kept whole in `craObj` with their `deletedAt`."""
    drawer, enc, rng = CraDrawer(plan), plan.enc, random.Random(plan.seed + 7)
    working = [c for c in plan.conseillers if c.cras]
    for _ in range(max(8, plan.count // 100)):
        c = rng.choice(working)
        windows = plan.windows(c)
        k, start, end = rng.choice(windows)
        day = _day(rng, start, end)
        document = drawer.document(rng, c, c.contracts.index(k), day, 7)
        deleted = paris(day + datetime.timedelta(days=rng.randint(5, 90)), 18)  # after its entry
        yield enc.line(
            {"_id": enc.oid(enc.new_oid(8, deleted)), "craObj": document, "deletedAt": enc.date(deleted)}
        )


def _lines(plan: Plan, name: str) -> Iterator[bytes]:
    documents = {
        "structures": structure_documents,
        "conseillers": conseiller_documents,
        "misesEnRelation": mise_en_relation_documents,
        "permanences": permanence_documents,
        "users": user_documents,
    }
    if name == "cras":
        return cra_lines(plan)
    if name == "cras_deleted":
        return cra_deleted_lines(plan)
    return (plan.enc.line(document) for document in documents[name](plan))


@contextlib.contextmanager
def _output(path: Path, compress: bool) -> Iterator:
    with path.open("wb") as raw:
        if not compress:
            yield raw
            return
        # The fastest level (the default one takes longer than drawing the lines), and no time in the
        # header: the same seed gives the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as out:
            yield out


def export_write(
    directory: Path, *, count: int, seed: int, compress: bool = False, canonical: bool = False
) -> dict[str, int]:
    """Writes the export of `count` CRAs in `directory`; returns the lines written per collection."""
    directory.mkdir(parents=True, exist_ok=True)
    plan = Plan(count, seed, Encoder(seed, canonical))
    written = {}
    for name in COLLECTIONS:
        path = directory / f"{name}.json{'.gz' if compress else ''}"
        written[name] = 0
        with _output(path, compress) as out:
            batch = []
            for line in _lines(plan, name):
                batch.append(line)
                if len(batch) == 2000:
                    out.write(b"".join(batch))
                    written[name] += len(batch)
                    batch.clear()
            out.write(b"".join(batch))
            written[name] += len(batch)
    return written
