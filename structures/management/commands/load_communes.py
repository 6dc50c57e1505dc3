import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from structures.models import CodePostal, Commune, Departement

TYPE_COMMUNE_ACTUELLE = "commune-actuelle"
# The référentiel the repository ships (docs/imports.md says where it comes from and how it is rebuilt).
FICHIER_LIVRE = Path(__file__).resolve().parents[2] / "data" / "communes.json.gz"
# Fits both SQLite (999 parameters per query in older builds) and PostgreSQL, whose limit is much higher;
# Django lowers it further when a backend requires.
BATCH_SIZE = 900
CHAMPS_COMMUNE = ["nom", "departement_id", "latitude", "longitude"]


@dataclass
class Bilan:
    """What one load created, changed and skipped, for the summary."""

    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    autre_type: int = 0
    departement_inconnu: int = 0
    codes_postaux_ajoutes: int = 0
    codes_postaux_supprimes: int = 0
    absentes_du_fichier: int = 0


def centre_of(entree):
    """(latitude, longitude) of the entry's `centre`, a GeoJSON point as geo.api.gouv.fr gives it."""
    try:
        longitude, latitude = entree["centre"]["coordinates"]
        return float(latitude), float(longitude)
    except (KeyError, TypeError, ValueError):
        return None, None


def communes_du_fichier(entrees, departements_connus, bilan):
    """Current communes of the file by INSEE code: (nom, département, centre), postal codes."""
    communes = {}
    for entree in entrees:
        # Communes déléguées and associées reuse the code of their commune nouvelle: keeping them would
        # overwrite its name; arrondissements municipaux are not communes.
        if entree.get("type") != TYPE_COMMUNE_ACTUELLE:
            bilan.autre_type += 1
        elif entree.get("departement") not in departements_connus:
            bilan.departement_inconnu += 1
        else:
            communes[entree["code"]] = (
                (entree["nom"], entree["departement"], *centre_of(entree)),
                set(entree.get("codesPostaux", [])),
            )
    return communes


@transaction.atomic
def communes_load(entrees):
    """Create or update the communes and their postal codes from the entries of communes.json."""
    bilan = Bilan()
    departements_connus = set(Departement.objects.values_list("code", flat=True))
    communes = communes_du_fichier(entrees, departements_connus, bilan)

    en_base = {
        code: tuple(valeurs) for code, *valeurs in Commune.objects.values_list("code_insee", *CHAMPS_COMMUNE)
    }
    codes_en_base = {}
    for pk, code, commune in CodePostal.objects.values_list("pk", "code", "commune"):
        codes_en_base.setdefault(commune, {})[code] = pk

    a_creer, a_modifier, codes_a_ajouter, codes_a_supprimer = [], [], [], []
    for code_insee, (valeurs, codes_postaux) in communes.items():
        actuels = codes_en_base.get(code_insee, {})
        nouveaux = codes_postaux - actuels.keys()
        retires = [pk for code, pk in actuels.items() if code not in codes_postaux]
        codes_a_ajouter += [CodePostal(code=code, commune_id=code_insee) for code in sorted(nouveaux)]
        codes_a_supprimer += retires
        commune = Commune(code_insee=code_insee, **dict(zip(CHAMPS_COMMUNE, valeurs, strict=True)))
        if code_insee not in en_base:
            a_creer.append(commune)
            bilan.creees += 1
        elif en_base[code_insee] != valeurs:
            a_modifier.append(commune)
            bilan.mises_a_jour += 1
        elif nouveaux or retires:
            bilan.mises_a_jour += 1
        else:
            bilan.inchangees += 1

    Commune.objects.bulk_create(a_creer, batch_size=BATCH_SIZE)
    Commune.objects.bulk_update(a_modifier, CHAMPS_COMMUNE, batch_size=BATCH_SIZE)
    for debut in range(0, len(codes_a_supprimer), BATCH_SIZE):
        CodePostal.objects.filter(pk__in=codes_a_supprimer[debut : debut + BATCH_SIZE]).delete()
    CodePostal.objects.bulk_create(codes_a_ajouter, batch_size=BATCH_SIZE)

    bilan.codes_postaux_ajoutes = len(codes_a_ajouter)
    bilan.codes_postaux_supprimes = len(codes_a_supprimer)
    bilan.absentes_du_fichier = len(en_base.keys() - communes.keys())
    return bilan


def entrees_du_fichier(fichier: Path) -> list[dict]:
    """The entries of a communes.json file, compressed or not; CommandError when it cannot be read."""
    ouvrir = gzip.open if fichier.suffix == ".gz" else open
    try:
        with ouvrir(fichier, "rt", encoding="utf-8") as contenu:
            entrees = json.load(contenu)
    except FileNotFoundError as error:
        raise CommandError(f"Fichier introuvable : {fichier}.") from error
    except OSError as error:
        raise CommandError(f"Impossible de lire {fichier} : {error}.") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{fichier} n'est pas un fichier JSON valide : {error}.") from error
    if not isinstance(entrees, list) or not all(isinstance(entree, dict) for entree in entrees):
        raise CommandError(f"{fichier} doit contenir une liste de communes.")
    return entrees


class Command(BaseCommand):
    help = (
        "Charge le référentiel des communes, de leurs codes postaux et de leurs centres. Sans argument, le "
        "fichier livré avec le dépôt (structures/data/communes.json.gz) ; sinon un fichier communes.json, "
        "compressé ou non, au format du paquet npm @etalab/decoupage-administratif, avec ou sans centres "
        "(docs/imports.md). Relancer la commande avec un fichier plus récent met le référentiel à jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "fichier", type=Path, nargs="?", default=FICHIER_LIVRE, help="chemin de communes.json(.gz)"
        )

    def handle(self, *args, fichier, **options):
        entrees = entrees_du_fichier(fichier)
        try:
            bilan = communes_load(entrees)
        except KeyError as error:
            raise CommandError(f"Une commune actuelle du fichier n'a pas de champ {error}.") from error

        self.stdout.write(
            f"Communes — créées : {bilan.creees}, mises à jour : {bilan.mises_a_jour}, "
            f"inchangées : {bilan.inchangees}."
        )
        self.stdout.write(
            f"Codes postaux — ajoutés : {bilan.codes_postaux_ajoutes}, "
            f"supprimés : {bilan.codes_postaux_supprimes}."
        )
        self.stdout.write(
            f"Entrées ignorées — autre type que « commune actuelle » : {bilan.autre_type}, "
            f"département inconnu : {bilan.departement_inconnu}."
        )
        if bilan.absentes_du_fichier:
            self.stdout.write(
                "Communes en base absentes du fichier, conservées car des comptes rendus peuvent encore "
                f"porter leur code : {bilan.absentes_du_fichier}."
            )
        self.stdout.write(self.style.SUCCESS("Référentiel des communes chargé."))
