"""Import of the structures (host employers) from a CSV file, keyed on the SIRET (docs/imports.md).

A line creates the structure of an unknown SIRET, or updates the columns given for a known one (an empty
cell leaves the value as it is); the same file imported twice changes nothing the second time. Every
creation and change is written in the admin journal with the file's name and the line's number.
"""

import re

from django.core.exceptions import ValidationError

from cnfs.socle.audit import ADDITION, CHANGE, journal_write, modifications_lisibles
from cnfs.socle.imports_csv import (
    CREEE,
    INCHANGEE,
    MODIFIEE,
    ColonneImport,
    LigneRefusee,
    Rapport,
    Valeurs,
    import_run,
)
from structures.communes import CODE_COMMUNE, ReferentielCommunes, departement_of_commune
from structures.communes import departement_matches_code_postal as _cp_du_departement
from structures.enums import StatutStructure, TypeStructure
from structures.models import Departement, Structure
from structures.validators import validate_siret

COLONNES = [
    ColonneImport("siret", "SIRET", obligatoire=True, alias=("numero_siret",)),
    # Mandatory for a new structure; a file updating known ones may give only some columns.
    ColonneImport("nom", "Nom", alias=("raison_sociale", "nom_de_la_structure")),
    ColonneImport("type", "Type", alias=("type_de_structure",)),
    ColonneImport("code_postal", "Code postal", alias=("cp",)),
    ColonneImport("adresse", "Adresse"),
    ColonneImport("code_commune", "Code commune INSEE", alias=("code_insee", "code_commune_insee")),
    ColonneImport("nom_commune", "Commune", alias=("commune",)),
    ColonneImport("departement", "Département", alias=("code_departement",)),
    ColonneImport("statut", "Statut"),
    ColonneImport(
        "dotation", "Dotation", alias=("nombre_de_conseillers_attribues", "conseillers_attribues", "postes")
    ),
    ColonneImport("contact_prenom", "Prénom du contact"),
    ColonneImport("contact_nom", "Nom du contact"),
    ColonneImport("contact_fonction", "Fonction du contact"),
    ColonneImport("contact_email", "E-mail du contact", alias=("contact_e_mail", "contact_courriel")),
    ColonneImport("contact_telephone", "Téléphone du contact"),
    ColonneImport("labellisee_france_services", "Labellisée France Services", alias=("france_services",)),
    ColonneImport("zone_rurale_revitalisation", "Zone de revitalisation rurale", alias=("zrr",)),
    ColonneImport("qpv", "QPV", alias=("quartier_prioritaire",)),
    ColonneImport("reseau", "Réseau"),
]

TEXTES = {
    "nom": 255,
    "adresse": 255,
    "nom_commune": 150,
    "contact_prenom": 100,
    "contact_nom": 100,
    "contact_fonction": 150,
    "contact_telephone": 20,
    "reseau": 100,
}
NOUVELLE = ["nom", "type", "code_postal"]  # what a new structure needs (its département comes with it)
BOOLEENS = ["labellisee_france_services", "zone_rurale_revitalisation", "qpv"]
# « 3,56E+13 »: the spreadsheet turned the SIRET into a number and lost its last digits.
NOTATION_SCIENTIFIQUE = re.compile(r"[0-9][.,][0-9]+E\+?[0-9]+", re.I)


def siret_lu(valeurs: Valeurs, *, obligatoire: bool = True) -> str | None:
    """The SIRET of a line: 14 digits (spaces and dots allowed), Luhn key checked (La Poste excepted)."""
    value = valeurs.texte("siret", obligatoire=obligatoire)
    if value is None:
        return None
    if NOTATION_SCIENTIFIQUE.fullmatch(value):
        valeurs.erreur(
            "siret",
            f"« {value} » : le tableur a converti le SIRET en nombre et perdu ses derniers chiffres "
            "(mettez la colonne au format Texte).",
        )
        return None
    siret = re.sub(r"[ .]", "", value)
    if len(siret) == 13 and siret.isdigit():
        siret = "0" + siret  # a leading zero dropped by the spreadsheet
    try:
        validate_siret(siret)
    except ValidationError as error:
        valeurs.erreur("siret", f"« {value} » : {' '.join(error.messages)}")
        return None
    return siret


def code_postal_lu(valeurs: Valeurs, nom: str = "code_postal") -> str | None:
    value = valeurs.texte(nom)
    if value is None:
        return None
    code = value.replace(" ", "")
    if re.fullmatch(r"[0-9]{4}", code):
        code = "0" + code  # 1000 -> 01000, the leading zero dropped by the spreadsheet
    if not re.fullmatch(r"[0-9]{5}", code):
        valeurs.erreur(nom, f"« {value} » n'est pas un code postal de 5 chiffres.")
        return None
    return code


class ImportStructures:
    """Processes the lines of a structures file (see cnfs.socle.imports_csv.import_run)."""

    def __init__(self, *, user, fichier_nom: str):
        self.user = user
        self.fichier_nom = fichier_nom
        self.referentiel = ReferentielCommunes.if_loaded()
        self.departements = set(Departement.objects.values_list("pk", flat=True))
        self.vus: dict[str, int] = {}  # SIRET -> the line that gave it

    def _departement(self, valeurs: Valeurs, code_postal: str | None, code_commune: str | None) -> str | None:
        value = valeurs.texte("departement")
        if value is not None:
            code = value.upper().zfill(2)
            if code not in self.departements:
                valeurs.erreur("departement", f"« {value} » n'est pas un code de département connu.")
                return None
            if code_commune and departement_of_commune(code_commune) != code:
                message = f"la commune {code_commune} n'est pas dans le département {code}."
                valeurs.erreur("departement", message)
                return None
            return code
        if code_commune:
            code = departement_of_commune(code_commune)
        elif code_postal is None:
            return None
        elif code_postal.startswith("20"):
            valeurs.erreur("departement", "en Corse, indiquez le département (2A ou 2B) ou le code commune.")
            return None
        else:
            code = code_postal[:3] if code_postal[:2] in ("97", "98") else code_postal[:2]
        if code not in self.departements:
            valeurs.erreur("departement", f"le département {code} (déduit du code postal) est inconnu.")
            return None
        return code

    def _commune(self, valeurs: Valeurs, code_postal: str | None) -> tuple[str | None, str | None]:
        """(code commune, nom) of the line, checked against the référentiel when it is loaded."""
        value = valeurs.texte("code_commune")
        nom = valeurs.texte("nom_commune", max_length=150)
        if value is None:
            return None, nom
        if code_postal is None:
            if not valeurs.present("code_postal"):
                valeurs.erreur("code_commune", "indiquez aussi le code postal.")
            return None, nom
        code = value.upper().zfill(5)
        if not CODE_COMMUNE.fullmatch(code):
            valeurs.erreur("code_commune", f"« {value} » n'est pas un code commune INSEE (5 caractères).")
            return None, nom
        communes = self.referentiel.get(code_postal, {}) if self.referentiel is not None else None
        correspond = code in communes if communes is not None else _cp_du_departement(code, code_postal)
        if not correspond:
            message = f"la commune {code} ne correspond pas au code postal {code_postal}."
            valeurs.erreur("code_commune", message)
            return None, nom
        # The référentiel's name, when it is loaded, rather than the file's spelling.
        return code, communes[code] if communes is not None else nom

    def champs(self, valeurs: Valeurs) -> dict:
        """The fields given by the line (its empty cells left out)."""
        champs = {
            "nom": valeurs.texte("nom", max_length=TEXTES["nom"]),
            "type": valeurs.choix("type", TypeStructure),
            "statut": valeurs.choix("statut", StatutStructure),
            "dotation": valeurs.entier("dotation"),
            "contact_email": valeurs.email("contact_email"),
        }
        for name, max_length in TEXTES.items():
            if name not in ("nom", "nom_commune"):
                champs[name] = valeurs.texte(name, max_length=max_length)
        for name in BOOLEENS:
            champs[name] = valeurs.booleen(name)
        code_postal = code_postal_lu(valeurs)
        code_commune, nom_commune = self._commune(valeurs, code_postal)
        champs |= {
            "code_postal": code_postal,
            "code_commune": code_commune,
            "nom_commune": nom_commune,
            "departement_id": self._departement(valeurs, code_postal, code_commune),
        }
        return {name: value for name, value in champs.items() if value is not None}

    def __call__(self, numero: int, cellules: dict[str, str]) -> str:
        valeurs = Valeurs(cellules, COLONNES)
        siret = siret_lu(valeurs)
        champs = self.champs(valeurs)
        if siret in self.vus:
            valeurs.erreurs.append(f"SIRET {siret} déjà présent ligne {self.vus[siret]} du fichier.")
        elif siret:
            self.vus[siret] = numero  # a key given twice is refused, even when its first line is
        structure = Structure.objects.filter(siret=siret).first() if siret else None
        manquants = [nom for nom in NOUVELLE if not valeurs.present(nom)]
        if siret and structure is None and manquants:
            libelles = {colonne.nom: colonne.libelle.lower() for colonne in COLONNES}
            valeurs.erreurs.append(
                "Nouvelle structure : indiquez " + ", ".join(libelles[nom] for nom in manquants) + "."
            )
        if valeurs.erreurs:
            raise LigneRefusee(valeurs.erreurs)
        origine = f"Import du fichier « {self.fichier_nom} », ligne {numero}"

        if structure is None:
            structure = Structure(siret=siret, **champs)
            structure.full_clean()
            structure.save()
            journal_write(user=self.user, entries=[(structure, ADDITION, f"{origine} : création.")])
            return CREEE

        changes = {name: (getattr(structure, name), value) for name, value in champs.items()}
        changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
        if "departement_id" in changes:
            before, after = changes["departement_id"]
            raise LigneRefusee(
                [
                    f"Département : la structure est enregistrée dans le {before}, le fichier la place dans "
                    f"le {after}. Un changement de département se fait dans l'administration (les "
                    "statistiques territoriales y sont recalculées)."
                ]
            )
        if not changes:
            return INCHANGEE
        for name, (_before, after) in changes.items():
            setattr(structure, name, after)
        structure.full_clean()
        structure.save()
        journal_write(
            user=self.user,
            entries=[(structure, CHANGE, f"{origine} : {modifications_lisibles(Structure, changes)}.")],
        )
        return MODIFIEE


def structures_import(
    *, contenu: bytes, fichier_nom: str, user, simulation: bool, partiel: bool, encodage: str = "auto"
) -> Rapport:
    """Imports a structures file (or simulates it); see docs/imports.md."""
    return import_run(
        fichier_nom=fichier_nom,
        contenu=contenu,
        colonnes=COLONNES,
        traiter_ligne=ImportStructures(user=user, fichier_nom=fichier_nom),
        simulation=simulation,
        partiel=partiel,
        encodage=encodage,
    )
