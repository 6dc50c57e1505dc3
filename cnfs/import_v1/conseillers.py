"""`misesEnRelation` + `conseillers` -> conseillers.Conseiller and their Contrat history, coordinated scopes.

The mises en relation that made an employment (finalisee, nouvelle_rupture, finalisee_rupture, terminee)
are read first, grouped by conseiller: they tell which `conseillers` documents are conseillers (the others
are candidates, SPEC §13) and give each his history. `ruptures[]` of a conseiller completes it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from cnfs.import_v1.common import (
    CollectionReport,
    Rejects,
    batches,
    flag,
    paris_date,
    readable_documents,
    rows_upsert,
    text,
)
from cnfs.import_v1.reader import Line
from cnfs.socle.texte import replie
from conseillers.enums import MotifRupture, StatutConseiller, TypeContrat
from conseillers.models import Conseiller, Contrat
from structures.models import Departement, Region

EMPLOYMENT_STATUTS = frozenset({"finalisee", "nouvelle_rupture", "finalisee_rupture", "terminee"})


@dataclass
class Conseillers:
    """What the later collections need: source id -> pk, and each conseiller's employments."""

    pks: dict[str, int] = field(default_factory=dict)
    # conseiller pk -> [(structure pk, first day, last day worked or None)]
    emplois: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = field(default_factory=dict)
    current_structure: dict[int, int | None] = field(default_factory=dict)


def type_contrat(value) -> str:
    """The first system's contract types ("CDD", "contrat_de_projet_public"…) in §3's list; "" if unknown."""
    value = replie(text(value))
    if "projet" in value:
        return TypeContrat.CONTRAT_PROJET
    for kind in (TypeContrat.CDI, TypeContrat.CDD):
        if value == kind.lower():
            return kind
    return TypeContrat.PUBLIC if "public" in value else ""


def motif_rupture(value) -> str:
    value = replie(text(value)).replace(" ", "")
    if not value:
        return ""
    for needle, motif in (
        ("licenci", MotifRupture.LICENCIEMENT),
        ("demission", MotifRupture.DEMISSION),
        ("conventionnel", MotifRupture.RUPTURE_CONVENTIONNELLE),
        ("essai", MotifRupture.FIN_PERIODE_ESSAI),
        ("embauche", MotifRupture.NOUVEL_EMPLOI),
        ("emploi", MotifRupture.NOUVEL_EMPLOI),
    ):
        if needle in value:
            return motif
    return MotifRupture.AUTRE


def _contrat_fields(document: dict, structures: dict[str, int]) -> dict:
    structure = structures.get(document.get("structure"))
    if structure is None:
        raise ValueError("structure inconnue ou non importée")
    debut = paris_date(document.get("dateDebutDeContrat")) or paris_date(document.get("dateRecrutement"))
    debut = debut or paris_date(document.get("createdAt"))
    if debut is None:
        raise ValueError("date de début du contrat absente")
    fin = paris_date(document.get("dateFinDeContrat"))
    rupture = paris_date(document.get("dateRupture"))
    if (fin and fin < debut) or (rupture and rupture < debut):
        raise ValueError("dates du contrat incohérentes (fin ou rupture avant le début)")
    return {
        "structure_id": structure,
        "type_contrat": type_contrat(document.get("typeDeContrat")),
        "date_debut": debut,
        "date_fin": fin,
        "date_rupture": rupture,
        "motif_rupture": motif_rupture(document.get("motifRupture")) if rupture else "",
    }


def misesenrelation_read(
    lines: Iterable[Line], report: CollectionReport, rejects: Rejects, structures: dict[str, int]
) -> dict[str, dict[str, dict]]:
    """Conseiller source id -> {mise en relation source id: Contrat fields} of the employments."""
    contrats: dict[str, dict[str, dict]] = defaultdict(dict)
    for document in readable_documents(lines, report, rejects):
        source_id = document["_id"]
        if text(document.get("statut")) not in EMPLOYMENT_STATUTS:
            report.ignored["sans embauche"] += 1
            continue
        conseiller = document.get("conseiller")
        if not isinstance(conseiller, str):
            rejects.add(report, source_id, "conseiller absent")
            continue
        try:
            contrats[conseiller][source_id] = _contrat_fields(document, structures)
        except ValueError as error:
            rejects.add(report, source_id, str(error))
    return contrats


def _ruptures_apply(contrats: dict[str, dict], document: dict, structures: dict[str, int]) -> None:
    """`ruptures[]` of a conseiller: a contract with that structure, started before, not yet broken."""
    for rupture in document.get("ruptures") or []:
        if not isinstance(rupture, dict):
            continue
        structure, day = structures.get(rupture.get("structureId")), paris_date(rupture.get("dateRupture"))
        candidates = [
            fields
            for fields in contrats.values()
            if fields["structure_id"] == structure
            and day is not None
            and fields["date_debut"] <= day
            and fields["date_rupture"] is None
        ]
        if candidates:
            latest = max(candidates, key=lambda fields: fields["date_debut"])
            latest.update(date_rupture=day, motif_rupture=motif_rupture(rupture.get("motifRupture")))


def _last_day(fields: dict) -> datetime.date | None:
    if fields["date_rupture"]:
        return fields["date_rupture"] - datetime.timedelta(days=1)
    return fields["date_fin"]


def _situation(document: dict, contrats: dict[str, dict], structures, today) -> tuple[int | None, str]:
    """Current structure and statut, from the history as conseillers.services does, else the document."""
    current = [
        fields
        for fields in contrats.values()
        if fields["date_debut"] <= today and (_last_day(fields) is None or _last_day(fields) >= today)
    ]
    if current:
        return max(current, key=lambda f: f["date_debut"])["structure_id"], StatutConseiller.RECRUTE
    if contrats:
        broken = any(fields["date_rupture"] for fields in contrats.values())
        return None, StatutConseiller.RUPTURE if broken else StatutConseiller.TERMINE
    statut = text(document.get("statut")).upper()
    structure = structures.get(document.get("structureId"))
    return structure, statut if statut in StatutConseiller.values else StatutConseiller.RECRUTE


def _email(value) -> str:
    value = text(value, 254).lower()
    return value if "@" in value else ""


def _conseiller_fields(document: dict, situation: tuple) -> dict:
    email_cn = document.get("emailCN") if isinstance(document.get("emailCN"), dict) else {}
    email_pro = (
        _email(email_cn.get("address")) or _email(document.get("emailPro")) or _email(document.get("email"))
    )
    if not email_pro:
        raise ValueError("aucune adresse e-mail")
    superieur = document.get("supHierarchique") if isinstance(document.get("supHierarchique"), dict) else {}
    fin_formation = paris_date(document.get("dateFinFormation"))
    certifie = flag(document.get("certifie"))
    structure_id, statut = situation
    return {
        "prenom": text(document.get("prenom"), 100),
        "nom": text(document.get("nom"), 100),
        "email_pro": email_pro,
        "email_perso": _email(document.get("email")) if _email(document.get("email")) != email_pro else "",
        "telephone_pro": text(document.get("telephonePro") or document.get("telephone"), 20),
        "structure_id": structure_id,
        "statut": statut,
        "date_entree_formation": paris_date(document.get("dateDebutFormation")),
        "date_sortie_formation": fin_formation,
        # The first system kept whether, not when: the end of the training stands for the date.
        "date_certification": (
            paris_date(document.get("dateCertification"))
            or fin_formation
            or paris_date(document.get("datePrisePoste"))
            or paris_date(document.get("createdAt"))
        )
        if certifie
        else None,
        "est_coordinateur": flag(document.get("estCoordinateur")),
        "superieur_nom": text(superieur.get("nom"), 100),
        "superieur_prenom": text(superieur.get("prenom"), 100),
        "superieur_fonction": text(superieur.get("fonction"), 150),
        "superieur_email": _email(superieur.get("email")),
        "superieur_telephone": text(superieur.get("numeroTelephone") or superieur.get("telephone"), 20),
    }


def conseillers_import(
    lines: Iterable[Line],
    reports: tuple[CollectionReport, CollectionReport],
    rejects: Rejects,
    structures: dict[str, int],
    contrats: dict[str, dict[str, dict]],
) -> Conseillers:
    """Writes the conseillers, their contracts and coordinated scopes."""
    report, contrats_report = reports
    today = timezone.localdate()
    emails = {
        email.lower(): source for email, source in Conseiller.objects.values_list("email_pro", "source_id")
    }
    result = Conseillers()
    subordonnes: dict[str, list] = {}

    def rows():
        for document in readable_documents(lines, report, rejects):
            source_id = document["_id"]
            history = contrats.get(source_id, {})
            if not history and not text(document.get("statut")):
                report.ignored["candidats"] += 1
                continue
            _ruptures_apply(history, document, structures)
            try:
                fields = _conseiller_fields(document, _situation(document, history, structures, today))
            except ValueError as error:
                rejects.add(report, source_id, str(error))
                continue
            if emails.setdefault(fields["email_pro"], source_id) != source_id:
                rejects.add(
                    report, source_id, f"adresse {fields['email_pro']} déjà prise par un autre conseiller"
                )
                continue
            if isinstance(document.get("listeSubordonnes"), dict):
                subordonnes[source_id] = document["listeSubordonnes"]
            yield source_id, fields

    for batch in batches(rows()):
        pks = rows_upsert(Conseiller, dict(batch), report)
        result.pks.update(pks)
        contrat_rows = {
            contrat_id: {"conseiller_id": pks[conseiller], **fields}
            for conseiller, _fields in batch
            for contrat_id, fields in contrats.get(conseiller, {}).items()
        }
        rows_upsert(Contrat, contrat_rows, contrats_report)
        for conseiller, fields in batch:
            pk = pks[conseiller]
            result.current_structure[pk] = fields["structure_id"]
            result.emplois[pk] = [
                (c["structure_id"], c["date_debut"], _last_day(c))
                for c in contrats.get(conseiller, {}).values()
            ]
    _scopes_apply(subordonnes, result.pks)
    return result


def _scopes_apply(subordonnes: dict[str, dict], pks: dict[str, int]) -> None:
    """`listeSubordonnes` -> the coordinated conseillers, départements or régions (added, never removed)."""
    departements = set(Departement.objects.values_list("code", flat=True))
    regions = set(Region.objects.values_list("code", flat=True))
    relations = {
        "conseillers": (Conseiller.conseillers_coordonnes.through, "to_conseiller_id", pks.get),
        "codeDepartement": (
            Conseiller.departements_coordonnes.through,
            "departement_id",
            lambda code: code if code in departements else None,
        ),
        "codeRegion": (
            Conseiller.regions_coordonnees.through,
            "region_id",
            lambda code: code if code in regions else None,
        ),
    }
    for source_id, liste in subordonnes.items():
        relation = relations.get(text(liste.get("type")))
        if relation is None or source_id not in pks:
            continue
        through, target, resolve = relation
        owner = "from_conseiller_id" if target == "to_conseiller_id" else "conseiller_id"
        wanted = {resolve(text(item)) for item in liste.get("liste") or []} - {None}
        present = set(through.objects.filter(**{owner: pks[source_id]}).values_list(target, flat=True))
        through.objects.bulk_create(
            through(**{owner: pks[source_id], target: value}) for value in sorted(wanted - present)
        )
