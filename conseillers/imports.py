"""Import of the conseillers and their employment from a CSV file, keyed on the professional e-mail
(docs/imports.md).

A line creates the conseiller of an unknown e-mail (with his contract), or updates the columns given for a
known one (an empty cell leaves the value as it is). The employment is identified by the structure's SIRET
and the contract's first day: a new one opens through conseillers.services.contrat_start, which closes the
employment still open with another structure the day before (a conseiller who moved); a rupture goes
through contrat_rupture. The same file imported twice changes nothing the second time. Every change is
written in the admin journal with the file's name and the line's number.
"""

import datetime

from accounts.services import conseiller_account_link
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
from conseillers.enums import MotifRupture, TypeContrat
from conseillers.models import Conseiller, Contrat
from conseillers.services import conseiller_situation_refresh, contrat_rupture, contrat_start
from structures.imports import siret_lu
from structures.models import Structure

DOMAINE_PRO = "conseiller-numerique.fr"

COLONNES = [
    ColonneImport(
        "email_pro",
        "E-mail professionnel",
        obligatoire=True,
        alias=("email_professionnel", "e_mail_professionnel", "courriel_professionnel", "email"),
    ),
    ColonneImport("prenom", "Prénom"),
    ColonneImport("nom", "Nom"),
    ColonneImport("email_perso", "E-mail personnel", alias=("email_personnel", "e_mail_personnel")),
    ColonneImport("telephone_pro", "Téléphone professionnel", alias=("telephone_professionnel", "telephone")),
    ColonneImport("siret", "SIRET de la structure", alias=("siret_structure", "siret_de_la_structure")),
    ColonneImport("type_contrat", "Type de contrat", alias=("type_de_contrat",)),
    ColonneImport("date_debut_contrat", "Date de début de contrat", alias=("date_de_debut_de_contrat",)),
    ColonneImport("date_fin_contrat", "Date de fin de contrat", alias=("date_de_fin_de_contrat",)),
    ColonneImport("date_rupture", "Date de rupture", alias=("date_de_rupture",)),
    ColonneImport("motif_rupture", "Motif de rupture", alias=("motif_de_rupture",)),
    ColonneImport(
        "date_entree_formation", "Date d'entrée en formation", alias=("date_d_entree_en_formation",)
    ),
    ColonneImport(
        "date_sortie_formation", "Date de sortie de formation", alias=("date_de_sortie_de_formation",)
    ),
    ColonneImport("date_certification", "Date de certification CCP1", alias=("date_de_certification",)),
    ColonneImport("coordinateur", "Coordinateur"),
    ColonneImport("superieur_nom", "Nom du supérieur hiérarchique"),
    ColonneImport("superieur_prenom", "Prénom du supérieur hiérarchique"),
    ColonneImport("superieur_fonction", "Fonction du supérieur hiérarchique"),
    ColonneImport("superieur_email", "E-mail du supérieur hiérarchique", alias=("superieur_e_mail",)),
    ColonneImport("superieur_telephone", "Téléphone du supérieur hiérarchique"),
]

TEXTES = {
    "prenom": 100,
    "nom": 100,
    "telephone_pro": 20,
    "superieur_nom": 100,
    "superieur_prenom": 100,
    "superieur_fonction": 150,
    "superieur_telephone": 20,
}
DATES = ["date_entree_formation", "date_sortie_formation", "date_certification"]
EMPLOI = ["siret", "type_contrat", "date_debut_contrat", "date_fin_contrat", "date_rupture", "motif_rupture"]


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


class ImportConseillers:
    """Processes the lines of a conseillers file (see cnfs.socle.imports_csv.import_run)."""

    def __init__(self, *, user, fichier_nom: str):
        self.user = user
        self.fichier_nom = fichier_nom
        self.structures: dict[str, Structure | None] = {}
        self.vus: dict[str, int] = {}  # e-mail -> the line that gave it

    def _structure(self, siret: str) -> Structure | None:
        if siret not in self.structures:
            self.structures[siret] = Structure.objects.filter(siret=siret).first()
        return self.structures[siret]

    def _fiche(self, valeurs: Valeurs) -> dict:
        """The conseiller's own fields given by the line (its empty cells left out)."""
        fiche = {name: valeurs.texte(name, max_length=length) for name, length in TEXTES.items()}
        fiche |= {name: valeurs.date(name) for name in DATES}
        fiche |= {
            "email_perso": valeurs.email("email_perso"),
            "superieur_email": valeurs.email("superieur_email"),
            "est_coordinateur": valeurs.booleen("coordinateur"),
        }
        return {name: value for name, value in fiche.items() if value is not None}

    def _emploi(self, valeurs: Valeurs) -> dict | None:
        """The employment of the line, or None when it gives none; errors are collected in `valeurs`."""
        if not any(valeurs.present(name) for name in EMPLOI):
            return None
        siret = siret_lu(valeurs, obligatoire=True)
        emploi = {
            "structure": None,
            "type_contrat": valeurs.choix("type_contrat", TypeContrat),
            "date_debut": valeurs.date("date_debut_contrat", obligatoire=True),
            "date_fin": valeurs.date("date_fin_contrat"),
            "date_rupture": valeurs.date("date_rupture"),
            "motif": valeurs.choix("motif_rupture", MotifRupture),
        }
        if siret is not None:
            emploi["structure"] = self._structure(siret)
            if emploi["structure"] is None:
                valeurs.erreur(
                    "siret", f"aucune structure n'a le SIRET {siret} : importez d'abord les structures."
                )
        debut = emploi["date_debut"]
        if debut and emploi["date_fin"] and emploi["date_fin"] < debut:
            valeurs.erreur("date_fin_contrat", "elle précède la date de début de contrat.")
        if debut and emploi["date_rupture"] and emploi["date_rupture"] < debut:
            valeurs.erreur("date_rupture", "elle précède la date de début de contrat.")
        if emploi["date_rupture"] and not emploi["motif"] and not valeurs.present("motif_rupture"):
            valeurs.erreur("motif_rupture", "obligatoire avec une date de rupture.")
        if emploi["motif"] and not emploi["date_rupture"] and not valeurs.present("date_rupture"):
            valeurs.erreur("date_rupture", "obligatoire avec un motif de rupture.")
        return emploi

    def _contrat(self, conseiller: Conseiller, emploi: dict) -> list[tuple[Contrat, int, str]]:
        """Opens, corrects or breaks the employment of the line; the journal entries of its contracts."""
        structure, debut = emploi["structure"], emploi["date_debut"]
        entries = []
        contrat = conseiller.contrats.filter(structure=structure, date_debut=debut).first()
        if contrat is None:
            ouvert = conseiller.contrats.en_cours_le(debut).filter(structure=structure).first()
            if ouvert is not None:
                raise LigneRefusee(
                    [
                        f"Un contrat avec {structure} est en cours depuis le {_date(ouvert.date_debut)}, pas "
                        f"depuis le {_date(debut)} : corrigez sa date de début dans l'administration."
                    ]
                )
            recent = conseiller.contrats.filter(date_debut__gt=debut).order_by("-date_debut").first()
            if recent is not None:
                raise LigneRefusee(
                    [
                        f"Le conseiller a un contrat plus récent ({recent.structure}, depuis le "
                        f"{_date(recent.date_debut)}) : un emploi passé se saisit dans l'administration."
                    ]
                )
            if emploi["type_contrat"] is None:
                raise LigneRefusee(["Type de contrat : obligatoire pour un nouveau contrat."])
            fermes = list(conseiller.contrats.en_cours_le(debut).select_related("structure"))
            contrat = contrat_start(
                conseiller=conseiller,
                structure=structure,
                type_contrat=emploi["type_contrat"],
                date_debut=debut,
                date_fin=emploi["date_fin"],
            )
            type_contrat = contrat.get_type_contrat_display()
            entries.append(
                (
                    contrat,
                    ADDITION,
                    f"nouveau contrat avec {structure} ({type_contrat}) depuis le {_date(debut)}",
                )
            )
            veille = _date(debut - datetime.timedelta(days=1))
            entries.extend(
                (ferme, CHANGE, f"contrat avec {ferme.structure} terminé le {veille} (nouvel emploi)")
                for ferme in fermes
            )
        else:
            changes = {
                name: (getattr(contrat, name), emploi[key])
                for name, key in (("type_contrat", "type_contrat"), ("date_fin", "date_fin"))
                if emploi[key] is not None and getattr(contrat, name) != emploi[key]
            }
            if changes:
                for name, (_before, after) in changes.items():
                    setattr(contrat, name, after)
                contrat.full_clean()
                contrat.save(update_fields=list(changes))
                conseiller_situation_refresh(conseiller=conseiller)
                entries.append(
                    (
                        contrat,
                        CHANGE,
                        f"contrat avec {structure} : {modifications_lisibles(Contrat, changes)}",
                    )
                )
        rupture, motif = emploi["date_rupture"], emploi["motif"]
        if rupture and (contrat.date_rupture, contrat.motif_rupture) != (rupture, motif):
            changes = {
                "date_rupture": (contrat.date_rupture, rupture),
                "motif_rupture": (contrat.motif_rupture, motif),
            }
            contrat_rupture(contrat=contrat, date_rupture=rupture, motif=motif)
            entries.append(
                (contrat, CHANGE, f"contrat avec {structure} : {modifications_lisibles(Contrat, changes)}")
            )
        # An older file (the planned end of a contract since left for another one) must not make the
        # conseiller work for two structures on the same day: a CRA has the structure employing him.
        suivant = conseiller.contrats.filter(date_debut__gt=debut).order_by("date_debut").first()
        fin = contrat.date_fin_effective
        if suivant is not None and (fin is None or fin >= suivant.date_debut):
            jusqu_a = f"jusqu'au {_date(fin)}" if fin else "sans fin"
            raise LigneRefusee(
                [
                    f"Le contrat avec {structure} courrait {jusqu_a}, au-delà du début du contrat suivant "
                    f"({suivant.structure}, le {_date(suivant.date_debut)}) : un emploi passé se corrige "
                    "dans l'administration."
                ]
            )
        return entries

    def __call__(self, numero: int, cellules: dict[str, str]) -> str:
        valeurs = Valeurs(cellules, COLONNES)
        email = valeurs.email("email_pro", obligatoire=True)
        if email and not email.endswith("@" + DOMAINE_PRO):
            valeurs.erreur(
                "email_pro", f"« {email} » : l'adresse professionnelle se termine par @{DOMAINE_PRO}."
            )
        fiche = self._fiche(valeurs)
        emploi = self._emploi(valeurs)
        if email in self.vus:
            valeurs.erreurs.append(
                f"E-mail professionnel {email} déjà présent ligne {self.vus[email]} du fichier."
            )
        elif email:
            self.vus[email] = numero  # a key given twice is refused, even when its first line is
        conseiller = Conseiller.objects.filter(email_pro__iexact=email).first() if email else None
        if conseiller is None and email:
            attendus = (
                ("le prénom", "prenom" in fiche),
                ("le nom", "nom" in fiche),
                ("le contrat (SIRET de la structure, type et date de début)", emploi is not None),
            )
            manquants = [libelle for libelle, present in attendus if not present]
            if manquants:
                valeurs.erreurs.append("Nouveau conseiller : indiquez " + ", ".join(manquants) + ".")
        if valeurs.erreurs:
            raise LigneRefusee(valeurs.erreurs)
        origine = f"Import du fichier « {self.fichier_nom} », ligne {numero}"

        if conseiller is None:
            conseiller = Conseiller(email_pro=email, structure=None, **fiche)
            conseiller.full_clean()
            conseiller.save()
            entries = self._contrat(conseiller, emploi)
            resume = [message for _obj, _flag, message in entries]
            journal_write(
                user=self.user,
                entries=[
                    (conseiller, ADDITION, f"{origine} : " + " ; ".join(["création", *resume]) + "."),
                    *((obj, flag, f"{origine} : {message}.") for obj, flag, message in entries),
                ],
            )
            return CREEE

        changes = {name: (getattr(conseiller, name), value) for name, value in fiche.items()}
        changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
        if changes:
            for name, (_before, after) in changes.items():
                setattr(conseiller, name, after)
            conseiller.full_clean()
            conseiller.save()
            if "est_coordinateur" in changes and conseiller.user_id:
                conseiller_account_link(conseiller=conseiller)  # the coordinateur role follows the flag
        entries = self._contrat(conseiller, emploi) if emploi else []
        if not changes and not entries:
            return INCHANGEE
        resume = [modifications_lisibles(Conseiller, changes)] if changes else []
        resume += [message for _obj, _flag, message in entries]
        journal_write(
            user=self.user,
            entries=[
                (conseiller, CHANGE, f"{origine} : {' ; '.join(resume)}."),
                *((obj, flag, f"{origine} : {message}.") for obj, flag, message in entries),
            ],
        )
        return MODIFIEE


def conseillers_import(
    *, contenu: bytes, fichier_nom: str, user, simulation: bool, partiel: bool, encodage: str = "auto"
) -> Rapport:
    """Imports a conseillers file (or simulates it); see docs/imports.md."""
    return import_run(
        fichier_nom=fichier_nom,
        contenu=contenu,
        colonnes=COLONNES,
        traiter_ligne=ImportConseillers(user=user, fichier_nom=fichier_nom),
        simulation=simulation,
        partiel=partiel,
        encodage=encodage,
    )
