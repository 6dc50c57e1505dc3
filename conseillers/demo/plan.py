"""The demo plan: pure Python, no database; the same day always gives the same plan."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from conseillers.demo.data import (
    CONSEILLER_ACCOUNT,
    CONTACT_FONCTIONS,
    COORDINATEUR_ACCOUNT,
    DEMO_MAIL_DOMAIN,
    DEMO_STRUCTURE,
    DOTATIONS,
    EMAIL_PRO_DOMAIN,
    HORAIRES,
    MOBILE_BLOCK,
    MOTIFS_RUPTURE,
    NOMS,
    PHONE_BLOCKS,
    PHONE_ZONE_OF_REGION,
    PILOTAGE_ACCOUNTS,
    PRENOMS_F,
    PRENOMS_M,
    PRIVATE_CONTRATS,
    PUBLIC_CONTRATS,
    REGION_OF,
    RESEAUX,
    SEED,
    SIREN_PREFIXES,
    STATUTS,
    STRUCTURES,
    SUPERIEUR_FONCTIONS,
)
from conseillers.enums import MotifRupture, StatutConseiller, TypeAcces, TypeContrat
from structures.enums import StatutStructure, TypeStructure
from structures.validators import LA_POSTE_SIREN, luhn_valid


class DemoError(Exception):
    pass


# --- The plan: pure Python, no database -----------------------------------------------------------------


@dataclass
class ConseillerSpec:
    fields: dict  # Conseiller fields, without the current structure
    contrats: list[dict]  # Contrat fields, the structure given by its SIRET, oldest first
    siret: str | None  # current structure
    account_email: str = ""  # a demo account logs in with its own e-mail, not the professional one

    @property
    def email_pro(self) -> str:
        return self.fields["email_pro"]


@dataclass
class DemoPlan:
    today: datetime.date
    rng: random.Random
    structures: dict[str, dict] = field(default_factory=dict)  # SIRET -> Structure fields
    managers: dict[str, dict] = field(default_factory=dict)  # SIRET -> supérieur hiérarchique fields
    conseillers: list[ConseillerSpec] = field(default_factory=list)
    # Coordinator's professional e-mail -> (professional e-mails coordinated, département codes).
    coordinations: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    permanences: list[dict] = field(default_factory=list)  # Permanence fields, with "siret"
    lieux: list[tuple[str, str, str, bool]] = field(default_factory=list)  # SIRET, lieu, email_pro, principal
    demo_siret: str = ""
    demo_coordinator: str = ""  # professional e-mail of the conseiller behind coordinateur@demo.test
    _email_locals: set = field(default_factory=set)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def person(self) -> tuple[str, str, int]:
        """A French prénom and nom, and the index (0 masculine, 1 feminine) for gendered fonctions."""
        feminine = self.rng.random() < 0.55
        prenom = self.rng.choice(PRENOMS_F if feminine else PRENOMS_M)
        return prenom, self.rng.choice(NOMS), int(feminine)

    def email_pro(self, prenom: str, nom: str) -> str:
        """prenom.nom@conseiller-numerique.fr, numbered from 2 when the name is taken."""
        base = f"{_slug(prenom)}.{_slug(nom)}"
        local, number = base, 1
        while local in self._email_locals:
            number += 1
            local = f"{base}{number}"
        self._email_locals.add(local)
        return f"{local}@{EMAIL_PRO_DOMAIN}"

    def phone(self, departement: str | None = None) -> str:
        zone = PHONE_ZONE_OF_REGION.get(REGION_OF.get(departement, ""))
        block = PHONE_BLOCKS[zone] if zone else MOBILE_BLOCK
        return f"{block} {self.rng.randint(0, 99):02d} {self.rng.randint(0, 99):02d}"

    def structures_of(self, predicate) -> list[dict]:
        return [s for s in self.structures.values() if predicate(s)]


def _slug(text: str) -> str:
    """The ASCII form of a name for an e-mail address: "Lefèvre" -> "lefevre", "Le Gall" -> "le-gall"."""
    return slugify(text)


def _departement_of(code_postal: str) -> str:
    return code_postal[:3] if code_postal.startswith("97") else code_postal[:2]


def _luhn_key(digits: str) -> str:
    return next(str(key) for key in range(10) if luhn_valid(digits + str(key)))


def _siret(rng: random.Random, type_structure: str) -> str:
    """A SIRET whose SIREN and SIRET both carry a valid Luhn key, as real ones do."""
    prefix = SIREN_PREFIXES[type_structure]
    siren = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(prefix)))
    siren += _luhn_key(siren)
    nic = f"000{rng.randint(1, 9)}"
    return siren + nic + _luhn_key(siren + nic)


def _siret_la_poste(rng: random.Random) -> str:
    """La Poste's exception: SIREN 356 000 000, digit sum a multiple of 5 instead of the Luhn key."""
    base = LA_POSTE_SIREN + f"{rng.randint(0, 9999):04d}"
    return next(base + str(key) for key in range(10) if sum(map(int, base + str(key))) % 5 == 0)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working hour of that day, in the project's time zone."""
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _office_email(prenom: str, nom: str, structure_nom: str) -> str:
    domain = slugify(structure_nom)
    return f"{_slug(prenom)}.{_slug(nom)}@{domain}.{DEMO_MAIL_DOMAIN}"


def demo_plan(today: datetime.date) -> DemoPlan:
    """The whole demo, drawn from a fixed seed: the same day always gives the same plan."""
    plan = DemoPlan(today=today, rng=random.Random(SEED))
    _plan_structures(plan)
    _plan_demo_team(plan)
    _plan_conseillers(plan)
    _plan_lieux(plan)
    return plan


def _plan_structures(plan: DemoPlan) -> None:
    rng = plan.rng
    for nom, type_structure, adresse, code_postal, code_commune, nom_commune, labels in STRUCTURES:
        reseau = RESEAUX.get(nom, "")
        departement = _departement_of(code_postal)
        siret = _siret_la_poste(rng) if reseau == "La Poste" else _siret(rng, type_structure)
        while siret in plan.structures:
            siret = _siret(rng, type_structure)
        statut = STATUTS.get(nom, StatutStructure.VALIDATION_COSELEC)
        prenom, contact_nom, feminine = plan.person()
        fonctions = CONTACT_FONCTIONS["La Poste" if reseau == "La Poste" else type_structure]
        fonction = rng.choice(fonctions)[feminine]
        contact_email = _office_email(prenom, contact_nom, nom)
        if nom == DEMO_STRUCTURE:
            # The demo structure's contact is the person behind structure@demo.test.
            plan.demo_siret = siret
            contact_email, prenom, contact_nom, _kind = PILOTAGE_ACCOUNTS[0]
            fonction = "Responsable de l'inclusion numérique"
        plan.structures[siret] = {
            "siret": siret,
            "nom": nom,
            "type": type_structure,
            "adresse": adresse,
            "code_postal": code_postal,
            "code_commune": code_commune,
            "nom_commune": nom_commune,
            "departement_id": departement,
            "contact_prenom": prenom,
            "contact_nom": contact_nom,
            "contact_fonction": fonction,
            "contact_email": contact_email,
            "contact_telephone": plan.phone(departement),
            "statut": statut,
            "dotation": 6
            if nom == DEMO_STRUCTURE
            else (0 if statut == StatutStructure.CREEE else rng.choice(DOTATIONS)),
            "labellisee_france_services": "F" in labels,
            "zone_rurale_revitalisation": "Z" in labels,
            "qpv": "Q" in labels,
            "reseau": reseau,
        }
        # The conseillers' supérieur hiérarchique: often the contact, else a manager of the service.
        if nom == DEMO_STRUCTURE or rng.random() < 0.6:
            plan.managers[siret] = {
                "superieur_prenom": prenom,
                "superieur_nom": contact_nom,
                "superieur_fonction": fonction,
                "superieur_email": contact_email,
                "superieur_telephone": plan.structures[siret]["contact_telephone"],
            }
        else:
            prenom, manager_nom, feminine = plan.person()
            plan.managers[siret] = {
                "superieur_prenom": prenom,
                "superieur_nom": manager_nom,
                "superieur_fonction": rng.choice(SUPERIEUR_FONCTIONS)[feminine],
                "superieur_email": _office_email(prenom, manager_nom, nom),
                "superieur_telephone": plan.phone(departement),
            }


def _contrat_type(plan: DemoPlan, structure: dict) -> str:
    return plan.rng.choice(
        PRIVATE_CONTRATS if structure["type"] == TypeStructure.PRIVATE else PUBLIC_CONTRATS
    )


def _contrat(plan: DemoPlan, structure: dict, *, debut_days_ago: int, **ending) -> dict:
    """A contract started `debut_days_ago`, planned for two or three years (none for a CDI)."""
    debut = plan.days_ago(debut_days_ago)
    type_contrat = _contrat_type(plan, structure)
    length = plan.rng.choice([730, 1095])
    if length < debut_days_ago + 60:  # a current contract still runs for a while
        length = 1095
    date_fin = None if type_contrat == TypeContrat.CDI else debut + datetime.timedelta(days=length - 1)
    return {
        "siret": structure["siret"],
        "type_contrat": type_contrat,
        "date_debut": debut,
        "date_fin": date_fin,
        "date_rupture": None,
        "motif_rupture": "",
        **ending,
    }


def _formation(plan: DemoPlan, first_day: datetime.date, end: datetime.date | None):
    """Training dates and CCP1: training starts within weeks of the recruitment, lasts two to four months,
    and the certification follows; a contract broken before that cuts them short."""
    rng = plan.rng
    entree = first_day + datetime.timedelta(days=rng.randint(7, 45))
    sortie = entree + datetime.timedelta(days=rng.randint(60, 120))
    certification = min(sortie + datetime.timedelta(days=rng.randint(14, 60)), plan.days_ago(1))
    if end is not None and end <= entree:
        return None, None, None
    if end is not None and end <= certification:
        return entree, min(sortie, end - datetime.timedelta(days=1)), None
    return entree, sortie, certification


def _conseiller(
    plan: DemoPlan,
    *,
    contrats: list[dict],
    current: dict | None,
    active: bool | None = None,
    certifie: bool | None = None,
    name: tuple[str, str] | None = None,
    coordinateur: bool = False,
    account_email: str = "",
) -> ConseillerSpec:
    """A conseiller with his training, certification and activation, drawn unless given."""
    rng = plan.rng
    prenom, nom = name or plan.person()[:2]
    first_day = contrats[0]["date_debut"]
    end = None if current else contrats[-1]["date_rupture"]
    entree, sortie, certification = _formation(plan, first_day, end)
    activation = _moment(first_day + datetime.timedelta(days=rng.randint(1, 30)), rng)
    active = rng.random() < 0.8 if active is None else active
    active = active and (end is None or activation.date() < end)
    certifie = rng.random() < 0.75 if certifie is None else certifie
    manager = plan.managers[contrats[-1]["siret"]]
    if rng.random() >= 0.85:  # a few fiches lack the supérieur hiérarchique
        manager = dict.fromkeys(manager, "")
    email_pro = plan.email_pro(prenom, nom)
    spec = ConseillerSpec(
        fields={
            "email_pro": email_pro,
            "prenom": prenom,
            "nom": nom,
            "email_perso": f"{email_pro.split('@')[0]}{rng.randint(10, 99)}@courriel.{DEMO_MAIL_DOMAIN}",
            "telephone_pro": plan.phone(),
            "statut": StatutConseiller.RECRUTE if current else StatutConseiller.RUPTURE,
            "date_entree_formation": entree,
            "date_sortie_formation": sortie,
            "date_certification": certification if certifie and certification else None,
            "date_activation": activation if active else None,
            "est_coordinateur": coordinateur,
            **manager,
        },
        contrats=contrats,
        siret=current["siret"] if current else None,
        account_email=account_email,
    )
    plan.conseillers.append(spec)
    return spec


def _plan_demo_team(plan: DemoPlan) -> None:
    """The demo structure's team and the demo coordinator, written out: the demo accounts rely on them."""
    demo = plan.structures[plan.demo_siret]
    grand_vire = plan.structures_of(lambda s: s["nom"] == "Centre social Le Grand Vire")[0]
    metropole = plan.structures_of(lambda s: s["nom"] == "Métropole de Lyon")[0]

    def current(structure, days):
        return _contrat(plan, structure, debut_days_ago=days)

    julien = _conseiller(
        plan,
        name=("Julien", "Moreau"),
        contrats=[current(demo, 790)],
        current=demo,
        active=True,
        certifie=True,
        account_email=CONSEILLER_ACCOUNT,
    )
    _conseiller(
        plan,
        name=("Nicolas", "Petit"),
        contrats=[current(demo, 610)],
        current=demo,
        active=True,
        certifie=True,
    )
    # Sarah came from the Vaulx-en-Velin centre social when her CDD there ended.
    arrivee = plan.days_ago(400)
    before = _contrat(plan, grand_vire, debut_days_ago=900) | {
        "type_contrat": TypeContrat.CDD,
        "date_fin": arrivee - datetime.timedelta(days=1),
    }
    sarah = _conseiller(
        plan,
        name=("Sarah", "Benali"),
        contrats=[before, current(demo, 400)],
        current=demo,
        active=True,
        certifie=True,
    )
    lucas = _conseiller(
        plan,
        name=("Lucas", "Fontaine"),
        contrats=[current(demo, 430)],
        current=demo,
        active=True,
        certifie=False,
    )
    _conseiller(
        plan, name=("Inès", "Roux"), contrats=[current(demo, 200)], current=demo, active=False, certifie=False
    )
    # Manon resigned eight months ago: a former conseiller, still visible to the structure.
    rupture = {"date_rupture": plan.days_ago(240), "motif_rupture": MotifRupture.DEMISSION}
    _conseiller(
        plan,
        name=("Manon", "Lefèvre"),
        contrats=[_contrat(plan, demo, debut_days_ago=820, **rupture)],
        current=None,
        active=True,
        certifie=True,
    )
    claire = _conseiller(
        plan,
        name=("Claire", "Dubois"),
        contrats=[current(metropole, 850)],
        current=metropole,
        active=True,
        certifie=True,
        coordinateur=True,
        account_email=COORDINATEUR_ACCOUNT,
    )
    plan.demo_coordinator = claire.email_pro
    plan.coordinations[claire.email_pro] = ([julien.email_pro, sarah.email_pro, lucas.email_pro], ["01"])


# The two other coordinators: employer, then the départements they cover or None for an explicit list
# (the other conseillers of the employer's région).
OTHER_COORDINATORS = {"Département de la Somme": ["80", "02"], "Rennes Métropole": None}
# Conseillers of these structures are added to the demo coordinator's explicit list.
DEMO_COORDINATION_EXTRA = ["Centre social Le Grand Vire", "Mairie de Vénissieux"]


def _plan_conseillers(plan: DemoPlan) -> None:
    """About 140 more conseillers filling the posts, a few who moved, ten or so in rupture."""
    rng = plan.rng
    validees = plan.structures_of(
        lambda s: s["statut"] == StatutStructure.VALIDATION_COSELEC and s["siret"] != plan.demo_siret
    )
    taken = defaultdict(int)
    for spec in plan.conseillers:
        if spec.siret:
            taken[spec.siret] += 1
    posts = []
    for structure in validees:
        open_posts = structure["dotation"] - taken[structure["siret"]]
        vacant = 1 if open_posts > 1 and rng.random() < 0.2 else 0
        posts += [structure] * (open_posts - vacant)
    movers = set(rng.sample(range(len(posts)), 4))
    coordinators = {}
    for index, structure in enumerate(posts):
        coordinateur = structure["nom"] in OTHER_COORDINATORS and structure["nom"] not in coordinators
        if index in movers and not coordinateur:
            contrats = _mover_contrats(plan, structure, validees)
        else:
            contrats = [_contrat(plan, structure, debut_days_ago=rng.randint(183, 913))]
        spec = _conseiller(
            plan,
            contrats=contrats,
            current=structure,
            coordinateur=coordinateur,
            **({"active": True, "certifie": True} if coordinateur else {}),
        )
        if coordinateur:
            coordinators[structure["nom"]] = spec
    for structure in rng.sample(validees, 9):
        debut_days_ago = rng.randint(300, 913)
        motif = rng.choice(MOTIFS_RUPTURE)
        # A trial period ends within its first two months; other ruptures come later.
        if motif == MotifRupture.FIN_PERIODE_ESSAI:
            rupture_days_ago = debut_days_ago - rng.randint(20, 60)
        else:
            rupture_days_ago = rng.randint(30, debut_days_ago - 120)
        rupture = {"date_rupture": plan.days_ago(rupture_days_ago), "motif_rupture": motif}
        _conseiller(
            plan, contrats=[_contrat(plan, structure, debut_days_ago=debut_days_ago, **rupture)], current=None
        )
    _plan_other_coordinations(plan, coordinators)


def _mover_contrats(plan: DemoPlan, structure: dict, validees: list[dict]) -> list[dict]:
    """Two contracts: the first, in another structure of the région, ended by its term or a rupture."""
    rng = plan.rng
    region = REGION_OF[structure["departement_id"]]
    others = [s for s in validees if s is not structure and REGION_OF[s["departement_id"]] == region]
    previous = rng.choice(others or [s for s in validees if s is not structure])
    change_days_ago = rng.randint(183, 420)
    change = plan.days_ago(change_days_ago)
    first = _contrat(plan, previous, debut_days_ago=rng.randint(change_days_ago + 200, 913))
    if rng.random() < 0.5:
        first |= {"date_rupture": change, "motif_rupture": MotifRupture.NOUVEL_EMPLOI}
    else:
        first |= {"type_contrat": TypeContrat.CDD, "date_fin": change - datetime.timedelta(days=1)}
    return [first, _contrat(plan, structure, debut_days_ago=change_days_ago)]


def _plan_other_coordinations(plan: DemoPlan, coordinators: dict[str, ConseillerSpec]) -> None:
    by_structure = defaultdict(list)
    for spec in plan.conseillers:
        if spec.siret:
            by_structure[plan.structures[spec.siret]["nom"]].append(spec.email_pro)
    coordonnes, departements = plan.coordinations[plan.demo_coordinator]
    coordonnes = coordonnes + [by_structure[nom][0] for nom in DEMO_COORDINATION_EXTRA]
    plan.coordinations[plan.demo_coordinator] = (coordonnes, departements)
    for nom, spec in coordinators.items():
        departements = OTHER_COORDINATORS[nom]
        if departements is None:
            region = REGION_OF[plan.structures[spec.siret]["departement_id"]]
            explicit = [
                other.email_pro
                for other in plan.conseillers
                if other.siret
                and other is not spec
                and REGION_OF[plan.structures[other.siret]["departement_id"]] == region
            ]
            plan.coordinations[spec.email_pro] = (explicit[:10], [])
        else:
            plan.coordinations[spec.email_pro] = ([], departements)


def _plan_lieux(plan: DemoPlan) -> None:
    """Three lieux for the demo structure; elsewhere one lieu, the principal one of every conseiller."""
    rng = plan.rng
    demo = plan.structures[plan.demo_siret]
    demo_lieux = [
        ("Hôtel de ville – Espace numérique", demo["adresse"], TypeAcces.LIBRE, False),
        ("Médiathèque Le Rize", "23 rue Valentin-Haüy", TypeAcces.RDV, False),
        ("Bus numérique des Buers", "Place des Buers", TypeAcces.LIBRE, True),
    ]
    for nom, adresse, acces, itinerant in demo_lieux:
        plan.permanences.append(_permanence(demo, nom, adresse, acces, rng.choice(HORAIRES), itinerant))
    team = [spec for spec in plan.conseillers if spec.siret == plan.demo_siret]
    for position, spec in enumerate(team):
        principal = demo_lieux[position % len(demo_lieux)][0]
        plan.lieux.append((plan.demo_siret, principal, spec.email_pro, True))
        if position % 2 == 0:
            second = demo_lieux[(position + 1) % len(demo_lieux)][0]
            plan.lieux.append((plan.demo_siret, second, spec.email_pro, False))
    employed = defaultdict(list)
    for spec in plan.conseillers:
        if spec.siret and spec.siret != plan.demo_siret:
            employed[spec.siret].append(spec.email_pro)
    for siret, emails in employed.items():
        structure = plan.structures[siret]
        if structure["labellisee_france_services"]:
            nom = f"France Services de {structure['nom_commune']}"
        else:
            nom = f"Espace numérique – {structure['nom_commune']}"
        acces = rng.choice([TypeAcces.LIBRE, TypeAcces.LIBRE, TypeAcces.RDV])
        plan.permanences.append(
            _permanence(structure, nom, structure["adresse"], acces, rng.choice(HORAIRES))
        )
        plan.lieux += [(siret, nom, email, True) for email in emails]


def _permanence(structure: dict, nom, adresse, type_acces, horaires, itinerant=False) -> dict:
    return {
        "siret": structure["siret"],
        "nom": nom,
        "adresse": adresse,
        "code_postal": structure["code_postal"],
        "code_commune": structure["code_commune"],
        "nom_commune": structure["nom_commune"],
        "type_acces": type_acces,
        "horaires": horaires,
        "itinerant": itinerant,
    }
