"""`permanences` -> conseillers.Permanence (lieux d'activité) and their conseillers, principal place kept."""

from collections.abc import Iterable

from cnfs.import_v1.common import CollectionReport, Rejects, batches, readable_documents, rows_upsert, text
from cnfs.import_v1.reader import Line
from conseillers.enums import TypeAcces
from conseillers.models import Permanence, PermanenceConseiller

JOURS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")


def horaires_text(value) -> str:
    """[{matin: ["09:00", "12:00"], apresMidi: […]} × 7] -> "Lundi : 09:00-12:00, 14:00-18:00" lines."""
    if not isinstance(value, list):
        return text(value)
    lines = []
    for jour, horaire in zip(JOURS, value, strict=False):
        if not isinstance(horaire, dict):
            continue
        plages = []
        for moment in ("matin", "apresMidi"):
            debut_fin = horaire.get(moment)
            if isinstance(debut_fin, list) and len(debut_fin) == 2:
                debut, fin = (text(v) for v in debut_fin)
                if debut and fin and "ferm" not in f"{debut}{fin}".casefold():
                    plages.append(f"{debut}-{fin}")
        if plages:
            lines.append(f"{jour} : {', '.join(plages)}")
    return "\n".join(lines)


def type_acces(value) -> str:
    """`typeAcces` (a list in the first system): the first value this service knows."""
    values = value if isinstance(value, list) else [value]
    known = [text(v).casefold() for v in values if text(v).casefold() in TypeAcces.values]
    return known[0] if known else TypeAcces.LIBRE


def _fields(document: dict, structures: dict[str, int]) -> dict:
    structure = structures.get(document.get("structure"))
    if structure is None:
        raise ValueError("structure inconnue ou non importée")
    adresse = document.get("adresse") if isinstance(document.get("adresse"), dict) else {}
    rue = " ".join(part for part in (text(adresse.get("numeroRue")), text(adresse.get("rue"))) if part)
    return {
        "structure_id": structure,
        "nom": text(document.get("nomEnseigne"), 255) or "Lieu d'activité",
        "adresse": rue[:255],
        "code_postal": text(adresse.get("codePostal"), 5),
        "code_commune": text(adresse.get("codeCommune"), 5),
        "nom_commune": text(adresse.get("ville"), 150),
        "type_acces": type_acces(document.get("typeAcces")),
        "horaires": horaires_text(document.get("horaires")),
        "itinerant": bool(document.get("conseillersItinerants")),
        "siret": text(document.get("siret"), 14),
        "telephone": text(document.get("numeroTelephone"), 20),
        "email": text(document.get("email"), 254).lower(),
        "site_web": text(document.get("siteWeb"), 500),
    }


def _place(fields: dict) -> tuple:
    """The key of permanence_unique_par_structure: the same place cannot be created twice."""
    return fields["structure_id"], fields["nom"].lower(), fields["adresse"].lower(), fields["code_commune"]


def _conseillers_attach(wanted: dict[int, tuple[set[int], set[int]]], principals: set[int]) -> None:
    """Adds the conseillers of each place (never removes one); a conseiller's first principal place wins."""
    present = {
        (row.permanence_id, row.conseiller_id): row
        for row in PermanenceConseiller.objects.filter(permanence_id__in=list(wanted))
    }
    new, promoted = [], []
    for permanence, (conseillers, principal_for) in wanted.items():
        for conseiller in sorted(conseillers):
            principale = conseiller in principal_for and conseiller not in principals
            row = present.get((permanence, conseiller))
            if row is None:
                new.append(
                    PermanenceConseiller(
                        permanence_id=permanence, conseiller_id=conseiller, principale=principale
                    )
                )
            elif principale and not row.principale:
                row.principale = True
                promoted.append(row)
            if principale:
                principals.add(conseiller)
    PermanenceConseiller.objects.bulk_create(new)
    PermanenceConseiller.objects.bulk_update(promoted, ["principale"])


def permanences_import(
    lines: Iterable[Line],
    report: CollectionReport,
    rejects: Rejects,
    structures: dict[str, int],
    conseillers: dict[str, int],
) -> dict[str, int]:
    """Writes the lieux d'activité; returns source id -> pk (a duplicate place -> the first one's pk)."""
    places = {
        (structure, nom.lower(), adresse.lower(), commune): (pk, source_id)
        for pk, structure, nom, adresse, commune, source_id in Permanence.objects.values_list(
            "pk", "structure_id", "nom", "adresse", "code_commune", "source_id"
        )
    }
    principals = set(
        PermanenceConseiller.objects.filter(principale=True).values_list("conseiller_id", flat=True)
    )
    mapping: dict[str, int] = {}
    aliases: dict[str, str] = {}
    people: dict[str, tuple[set[int], set[int]]] = {}

    def rows():
        for document in readable_documents(lines, report, rejects):
            source_id = document["_id"]
            try:
                fields = _fields(document, structures)
            except ValueError as error:
                rejects.add(report, source_id, str(error))
                continue
            people[source_id] = (
                {conseillers[c] for c in document.get("conseillers") or [] if c in conseillers},
                {conseillers[c] for c in document.get("lieuPrincipalPour") or [] if c in conseillers},
            )
            pk, owner = places.setdefault(_place(fields), (None, source_id))
            if owner is None:
                rejects.add(report, source_id, "ce lieu existe déjà dans ce service (même nom et adresse)")
                continue
            if owner != source_id:
                report.ignored["doublons"] += 1
                aliases[source_id] = owner
                continue
            yield source_id, fields

    for batch in batches(rows()):
        mapping.update(rows_upsert(Permanence, dict(batch), report))
    for alias, owner in aliases.items():
        if owner in mapping:
            mapping[alias] = mapping[owner]
    wanted: dict[int, tuple[set[int], set[int]]] = {}
    for source_id, (members, principal_for) in people.items():
        if source_id in mapping:
            entry = wanted.setdefault(mapping[source_id], (set(), set()))
            entry[0].update(members)
            entry[1].update(principal_for)
    _conseillers_attach(wanted, principals)
    return mapping
