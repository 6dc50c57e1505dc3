"""The statistics of a first-system export computed straight from its documents, by the rules of SPEC §15
read afresh (nothing from the importer): the yardstick of the statistical equality test.

`export_sums(directory)` reads the export once and returns the sums (stats.sums keys: the shared derivation
stats.results.derive turns them into the indicators of SPEC §5) nationally, per structure and per
conseiller (and per conseiller and employer), keyed by the source ObjectIds.
"""

import datetime
import gzip
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

from stats import sums as s

PARIS = ZoneInfo("Europe/Paris")
RECRUITED = {"finalisee", "nouvelle_rupture", "finalisee_rupture", "terminee"}
CANAUX = {"rattachement": "rattachement", "distance": "distance", "domicile": "domicile"}
CANAUX |= {"autre": "autre_lieu", "autre lieu": "autre_lieu"}
ACTIVITES = {"individuel", "collectif", "ponctuel"}
V1_AGES = {"-12": "age_moins_12", "12-18": "age_12_18", "18-35": "age_18_35", "35-60": "age_35_60"}
V1_AGES["+60"] = "age_plus_60"
AGES = {"moins12ans": "age_moins_12", "de12a18ans": "age_12_18", "de18a35ans": "age_18_35"}
AGES |= {"de35a60ans": "age_35_60", "plus60ans": "age_plus_60"}
V1_STATUTS = {"etudiant": "statut_etudiant", "sans emploi": "statut_sans_emploi"}
V1_STATUTS |= {
    "en emploi": "statut_en_emploi",
    "retraite": "statut_retraite",
    "heterogene": "statut_heterogene",
}
STATUTS = {"etudiant": "statut_etudiant", "sansEmploi": "statut_sans_emploi", "enEmploi": "statut_en_emploi"}
STATUTS |= {"retraite": "statut_retraite", "heterogene": "statut_heterogene"}
THEMES_SPECIAUX = {"tpe/pme": "tpe_pme", "fraude et harcelement": "fraude_harcelement"}
SOUS_THEMES_SPECIAUX = {"espace-sante": "espace_sante"}
# SPEC §4.2's list as written there, and the former name of France Travail.
ORGANISMES = {
    "ANTS": "ANTS",
    "Assistante sociale": "ASSISTANTE_SOCIALE",
    "CAF": "CAF",
    "CARSAT": "CARSAT",
    "CCAS": "CCAS",
    "CEFS": "CEFS",
    "CIP": "CIP",
    "CPAM": "CPAM",
    "DGFIP": "DGFIP",
    "France Services": "FRANCE_SERVICES",
    "Mairie": "MAIRIE",
    "Médiathèque": "MEDIATHEQUE",
    "Mission locale": "MISSION_LOCALE",
    "France Travail": "FRANCE_TRAVAIL",
    "Pôle emploi": "FRANCE_TRAVAIL",
    "Préfecture": "PREFECTURE",
    "Sous-préfecture": "SOUS_PREFECTURE",
    "Service de police": "POLICE",
    "Gendarmerie": "GENDARMERIE",
    "Revendeur informatique": "REVENDEUR",
    "Tiers-lieu / Fablab": "TIERS_LIEU",
}


def plain(value):
    """Extended JSON (relaxed or canonical) -> Python: ObjectIds and DBRefs as their hex id, dates as aware
    datetimes, numbers as int."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$oid" in value:
        return value["$oid"]
    if "$id" in value:
        return plain(value["$id"])
    if "$numberInt" in value or "$numberLong" in value:
        return int(value.get("$numberInt") or value["$numberLong"])
    if "$date" in value:
        date = value["$date"]
        if isinstance(date, dict):
            return datetime.datetime.fromtimestamp(int(date["$numberLong"]) / 1000, datetime.UTC)
        return datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
    return {key: plain(item) for key, item in value.items()}


def documents(directory: Path, collection: str) -> Iterator[dict | None]:
    """The documents of a collection file (.json or .json.gz), None for a line that is not JSON."""
    path = directory / f"{collection}.json"
    if not path.exists():
        path = directory / f"{collection}.json.gz"
        if not path.exists():
            return
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as lines:
        for line in lines:
            try:
                yield plain(orjson.loads(line))
            except orjson.JSONDecodeError:
                yield None


def paris_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(PARIS).date()


def duree(value) -> tuple[str, int | None] | None:
    """(duree, minutes) by SPEC §15, None when the value cannot be read."""
    if value in ("0-30", "30-60"):
        return value, None
    if isinstance(value, str):
        if not value.isdigit():
            return None
        value = int(value)
    if not isinstance(value, int) or value < 1:
        return None
    if value >= 60:
        return "60+", value
    return ("0-30", None) if value <= 30 else ("30-60", None)


@dataclass
class ExportSums:
    national: Counter = field(default_factory=Counter)
    structures: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    conseillers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    employments: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))
    rejected: int = 0
    read: int = 0


def _employers(directory: Path) -> tuple[set[str], dict[str, list]]:
    """The conseillers imported (a statut, or a recruitment) and their contracts (start, end, structure)."""
    contracts = defaultdict(list)
    for mer in documents(directory, "misesEnRelation"):
        if mer["statut"] in RECRUITED:
            end = mer.get("dateRupture") or mer.get("dateFinDeContrat")
            contracts[mer["conseiller"]].append(
                (paris_date(mer["dateRecrutement"]), end and paris_date(end), mer["structure"])
            )
    recruited = {
        c["_id"] for c in documents(directory, "conseillers") if c.get("statut") or c["_id"] in contracts
    }
    return recruited, contracts


def cra_sums(cra_document: dict, employer) -> tuple[str, str, Counter] | None:
    """(conseiller, structure, sums) of one `cras` document, None when it cannot be read."""
    cra, conseiller = cra_document["cra"], cra_document.get("conseiller")
    moment = cra.get("dateAccompagnement") or cra_document.get("createdAt")
    canal, activite, temps = CANAUX.get(cra.get("canal")), cra.get("activite"), duree(cra.get("duree"))
    if conseiller is None or moment is None or canal is None or activite not in ACTIVITES or temps is None:
        return None
    day = paris_date(moment)
    structure = cra_document.get("structure") or employer(conseiller, day)
    if structure is None:
        return None
    n = cra.get("nbParticipants") or 1
    sums = Counter({s.CRA: 1, s.activite_key(activite): 1, s.canal_key(canal): 1, s.mois_key(day): 1})
    if activite == "collectif":
        sums[s.PARTICIPANTS_ATELIERS] += n
    sums["recurrents"] += cra.get("nbParticipantsRecurrents") or 0
    for field_name, v1, v2 in (("age", V1_AGES, AGES), ("statut", V1_STATUTS, STATUTS)):
        value = cra.get(field_name)
        if isinstance(value, str):
            sums[v1[value]] += n
        else:
            for key, count in (value or {}).items():
                sums[v2[key]] += count or 0
    for theme in set(cra["themes"]):
        sums[s.theme_key(THEMES_SPECIAUX.get(theme, theme.replace(" ", "_")))] += 1
    sous_themes = {
        SOUS_THEMES_SPECIAUX.get(sous_theme, sous_theme)
        for entry in cra.get("sousThemes") or []
        for key, values in entry.items()
        if key != "annotation"
        for sous_theme in values
    }
    for sous_theme in sous_themes:
        sums[s.sous_theme_key(sous_theme)] += 1
    kind, minutes = temps
    bucket = kind if kind != "60+" else "60-120" if minutes < 120 else "120+"
    sums[s.duree_key(bucket)] += 1
    sums[s.minutes_key(activite)] += {"0-30": 30, "30-60": 60}.get(kind, minutes)
    suite = cra.get("accompagnement")
    redirections = []
    if isinstance(suite, str):
        sums[{"individuel": "suivi_individuel", "atelier": "suivi_atelier"}.get(suite, "redirections")] += n
    elif suite:
        sums["suivi_individuel"] += suite.get("individuel") or 0
        sums["suivi_atelier"] += suite.get("atelier") or 0
        if cra.get("organisme"):
            redirections = [(cra["organisme"], suite.get("redirection") or 1)]
        elif cra.get("organismes"):
            redirections = [item for entry in cra["organismes"] for item in entry.items()]
        else:
            sums["redirections"] += suite.get("redirection") or 0
    for name, count in redirections:
        sums["redirections"] += count
        sums[s.organisme_key(ORGANISMES.get(name, "AUTRE"))] += count
    return conseiller, structure, +sums


def export_sums(directory: Path) -> ExportSums:
    """The sums of the CRAs of an export that an import must count (its deleted CRAs aside)."""
    recruited, contracts = _employers(directory)

    def employer(conseiller: str, day: datetime.date) -> str | None:
        return next(
            (
                structure
                for start, end, structure in contracts[conseiller]
                if start <= day and (end is None or day <= end)
            ),
            None,
        )

    result = ExportSums()
    for document in documents(directory, "cras"):
        result.read += 1
        found = None
        if document is not None and document.get("conseiller") in recruited:
            found = cra_sums(document, employer)
        if found is None:
            result.rejected += 1
            continue
        conseiller, structure, sums = found
        result.national.update(sums)
        result.structures[structure].update(sums)
        result.conseillers[conseiller].update(sums)
        result.employments[conseiller, structure].update(sums)
    return result
