"""Reading the CSV files of the national team, shared by the imports of structures and of conseillers.

- **Encoding**: UTF-8 (with or without BOM), else Windows-1252 (Excel's « CSV (séparateur : point-virgule) »
  on a French Windows), decided explicitly and checked: a file in another encoding (UTF-16, Mac, a text
  already garbled by a double conversion) or not a CSV (an .xlsx workbook) is refused with a French
  message, never imported garbled.
- **Separator**: `;` or `,` (or a tabulation), chosen on the header line as the one that splits it into
  known columns.
- **Header**: column names compared without case, accents or punctuation (« Code postal » = `code_postal`),
  with a few aliases; unknown columns are reported and ignored, a missing mandatory column refuses the file.
- **Lines**: numbered as in a spreadsheet (the header is line 1); empty lines are skipped.

`import_run` runs an import: every line in its own savepoint (a refused line leaves nothing behind),
the whole in one transaction that is rolled back in simulation mode, or when a line is refused and the
partial import was not asked for.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from cnfs.socle.texte import replie

TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo: about 50,000 lines, far more than a recruitment file.
ENCODAGES = {"auto": "Détection automatique", "utf-8": "UTF-8", "windows-1252": "Windows-1252 (Excel)"}

# What a French file in Windows-1252 may contain besides ASCII: accented letters, ligatures and the
# typographic signs Excel and Word put in (apostrophes, quotes, dashes, €…). A byte outside this set
# means the file is in another encoding: it is refused rather than imported garbled.
_CP1252_PLAUSIBLE = set(
    "àâäáãåçéèêëíìîïñóòôöõøúùûüýÿæœÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØÚÙÛÜÝŸÆŒß"
    "\u00a0\u2019\u2018\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026\u20ac\u00b0\u00b2\u00b3\u00b7"
)
# « … » between two letters is a DOS (CP850) « à » read as Windows-1252, not punctuation.
_CP850 = re.compile(r"\w\u2026\w")
# « Ã© » for « é »: a UTF-8 text read once as Windows-1252 then saved again in UTF-8.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


class FichierRefuse(Exception):
    """The whole file is refused (encoding, header…): nothing is imported."""


class LigneRefusee(Exception):
    """A line is refused, with its reasons in French."""

    def __init__(self, raisons: list[str]):
        super().__init__("; ".join(raisons))
        self.raisons = raisons


def cle(texte: str) -> str:
    """A column name compared without case, accents or punctuation: « E-mail pro » -> `e_mail_pro`."""
    return "_".join(replie(texte.lstrip("\ufeff")).split())


def _ligne_de(texte: str | bytes, position: int) -> int:
    return texte.count(b"\n" if isinstance(texte, bytes) else "\n", 0, position) + 1


def decode(contenu: bytes, encodage: str = "auto") -> tuple[str, str]:
    """The text of the file and the name of its encoding; FichierRefuse with the reason otherwise."""
    if contenu.startswith(b"PK\x03\x04"):
        raise FichierRefuse(
            "Ce fichier est un classeur Excel (.xlsx), pas un fichier CSV : dans Excel, choisissez "
            "« Enregistrer sous » puis « CSV UTF-8 (délimité par des virgules) »."
        )
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in contenu[:4096]:
        raise FichierRefuse(
            "Ce fichier est en UTF-16 (« Texte Unicode ») : enregistrez-le en « CSV UTF-8 » puis recommencez."
        )
    texte = nom = None
    if encodage in ("auto", "utf-8"):
        try:
            texte = contenu.decode("utf-8-sig")
            nom = "UTF-8 avec BOM" if contenu.startswith(b"\xef\xbb\xbf") else "UTF-8"
        except UnicodeDecodeError as error:
            if encodage == "utf-8":
                raise FichierRefuse(
                    "Ce fichier n'est pas en UTF-8 (octet invalide ligne "
                    f"{_ligne_de(contenu, error.start)}) : choisissez « Windows-1252 » ou la détection "
                    "automatique."
                ) from None
    if texte is None:
        try:
            texte = contenu.decode("cp1252")
        except UnicodeDecodeError as error:
            raise FichierRefuse(
                f"Encodage non reconnu (octet {contenu[error.start]:#04x} ligne "
                f"{_ligne_de(contenu, error.start)}) : le fichier n'est ni en UTF-8 ni en Windows-1252. "
                "Enregistrez-le en « CSV UTF-8 » puis recommencez."
            ) from None
        nom = "Windows-1252"
        intrus = next(
            (
                position
                for position, char in enumerate(texte)
                if ord(char) > 127 and char not in _CP1252_PLAUSIBLE
            ),
            None,
        )
        if intrus is None and (dos := _CP850.search(texte)):
            intrus = dos.start() + 1
        if intrus is not None:
            raise FichierRefuse(
                f"Encodage non reconnu (caractère « {texte[intrus]} » ligne {_ligne_de(texte, intrus)} en "
                "lisant le fichier en Windows-1252) : enregistrez-le en « CSV UTF-8 » puis recommencez."
            )
    if "\x00" in texte:  # past the first 4 Ko; PostgreSQL stores no NUL character in a text
        ligne = _ligne_de(texte, texte.index("\x00"))
        raise FichierRefuse(
            f"Le fichier contient un caractère nul (ligne {ligne}) : ce n'est pas un texte CSV. "
            "Enregistrez-le en « CSV UTF-8 » puis recommencez."
        )
    garbled = _MOJIBAKE.search(texte)
    if garbled:
        raise FichierRefuse(
            f"Le fichier contient des caractères mal convertis (« {garbled.group(0)} » ligne "
            f"{_ligne_de(texte, garbled.start())}) : il a été converti deux fois d'un encodage à l'autre. "
            "Repartez du fichier d'origine et enregistrez-le en « CSV UTF-8 »."
        )
    return texte, nom


@dataclass(frozen=True)
class ColonneImport:
    nom: str  # the documented name, as found by cle()
    libelle: str  # in the messages
    obligatoire: bool = False
    alias: tuple[str, ...] = ()


@dataclass
class FichierCsv:
    texte: str
    encodage: str
    separateur: str
    colonnes: dict[int, ColonneImport]  # position in the header -> column
    ignorees: list[str]  # header names that match no column
    largeur: int  # cells of the header

    def lignes(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, {column name: stripped value, empty cells left out}) for each non-empty line."""
        reader = csv.reader(io.StringIO(self.texte, newline=""), delimiter=self.separateur)
        next(reader, None)
        fin_precedente = reader.line_num
        for cells in reader:
            numero, fin_precedente = fin_precedente + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            valeurs = {
                colonne.nom: " ".join(cells[position].replace("\u00a0", " ").split())
                for position, colonne in self.colonnes.items()
                if position < len(cells) and cells[position].strip()
            }
            if any(cell.strip() for cell in cells[self.largeur :]):
                valeurs[TROP_DE_CELLULES] = str(len(cells))
            yield numero, valeurs


TROP_DE_CELLULES = "__trop_de_cellules__"
SEPARATEURS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


def csv_read(contenu: bytes, colonnes: list[ColonneImport], *, encodage: str = "auto") -> FichierCsv:
    """Decodes the file and reads its header; FichierRefuse with a French reason when it cannot be read."""
    if not contenu.strip():
        raise FichierRefuse("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse(f"Le fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo : découpez-le.")
    texte, nom_encodage = decode(contenu, encodage)
    # The first line, whatever ends it: Excel for Mac's « CSV (Mac) » ends its lines with a lone \r.
    entete = re.split(r"\r\n?|\n", texte.lstrip("\ufeff"), maxsplit=1)[0]
    par_cle = {cle(name): colonne for colonne in colonnes for name in (colonne.nom, *colonne.alias)}

    def reconnues(separateur: str) -> int:
        try:
            cells = next(csv.reader([entete], delimiter=separateur), [])
        except csv.Error:  # a cell past the csv module's limit: not a header
            return 0
        return sum(cle(cell) in par_cle for cell in cells)

    separateur = max(SEPARATEURS, key=reconnues)  # ties: the first, « ; »
    if reconnues(separateur) == 0:
        attendues = ", ".join(colonne.nom for colonne in colonnes if colonne.obligatoire)
        raise FichierRefuse(
            f"En-tête non reconnu : la première ligne doit nommer les colonnes (au moins {attendues}), "
            "séparées par des points-virgules ou des virgules."
        )
    cells = next(csv.reader([entete], delimiter=separateur))
    trouvees: dict[int, ColonneImport] = {}
    ignorees = []
    for position, cell in enumerate(cells):
        colonne = par_cle.get(cle(cell))
        if colonne is None:
            if cell.strip():
                ignorees.append(cell.strip())
        elif colonne in trouvees.values():
            raise FichierRefuse(f"La colonne « {colonne.nom} » apparaît deux fois dans l'en-tête.")
        else:
            trouvees[position] = colonne
    manquantes = [c.nom for c in colonnes if c.obligatoire and c not in trouvees.values()]
    if manquantes:
        raise FichierRefuse(
            "Colonne(s) obligatoire(s) absente(s) : "
            + ", ".join(manquantes)
            + ". Colonnes trouvées : "
            + ", ".join(cell.strip() for cell in cells if cell.strip())
            + "."
        )
    _lisible(texte, separateur)
    return FichierCsv(texte.lstrip("\ufeff"), nom_encodage, separateur, trouvees, ignorees, len(cells))


def _lisible(texte: str, separateur: str) -> None:
    """Reads the whole file once: a line the csv module cannot read refuses the file before the import
    starts, not halfway through it."""
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    debut = 1
    try:
        for _cells in reader:
            debut = reader.line_num + 1
    except csv.Error:
        limite = f"{csv.field_size_limit():,}".replace(",", "\u00a0")
        raise FichierRefuse(
            f"Ligne {debut} : une cellule dépasse {limite} caractères ; un guillemet ouvert n'est sans doute "
            "jamais fermé."
        ) from None


# --- Values ----------------------------------------------------------------------------------------------

OUI = {"oui", "o", "1", "vrai", "true", "x", "yes"}
NON = {"non", "n", "0", "faux", "false", "no"}


class Valeurs:
    """The cells of one line, read column by column; the errors are collected, in French, per column."""

    def __init__(self, cellules: dict[str, str], colonnes: list[ColonneImport]):
        self.cellules = cellules
        self.libelles = {colonne.nom: colonne.libelle for colonne in colonnes}
        self.erreurs: list[str] = []
        if TROP_DE_CELLULES in cellules:
            self.erreurs.append(
                f"La ligne a {cellules[TROP_DE_CELLULES]} cellules, plus que l'en-tête : "
                "un séparateur est sans doute en trop dans une valeur (mettez-la entre guillemets)."
            )

    def erreur(self, nom: str, message: str) -> None:
        self.erreurs.append(f"{self.libelles[nom]} : {message}")

    def present(self, nom: str) -> bool:
        return nom in self.cellules

    def texte(self, nom: str, *, obligatoire: bool = False, max_length: int | None = None) -> str | None:
        value = self.cellules.get(nom)
        if value is None:
            if obligatoire:
                self.erreur(nom, "valeur obligatoire.")
            return None
        if max_length is not None and len(value) > max_length:
            self.erreur(nom, f"{max_length} caractères au plus ({len(value)} ici).")
            return None
        return value

    def email(self, nom: str, *, obligatoire: bool = False) -> str | None:
        value = self.texte(nom, obligatoire=obligatoire, max_length=254)
        if value is None:
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.erreur(nom, f"« {value} » n'est pas une adresse e-mail valide.")
            return None
        return value.lower()

    def entier(self, nom: str, *, minimum: int = 0) -> int | None:
        value = self.cellules.get(nom)
        if value is None:
            return None
        chiffres = value.replace(" ", "")
        if not re.fullmatch(r"[0-9]+", chiffres):
            self.erreur(nom, f"« {value} » n'est pas un nombre entier.")
            return None
        if len(chiffres.lstrip("0")) > 9:  # beyond any count of the files (and int() refuses 4,300 digits)
            self.erreur(nom, f"nombre trop grand ({len(chiffres)} chiffres).")
            return None
        number = int(chiffres)
        if number < minimum:
            self.erreur(nom, f"{minimum} au moins.")
            return None
        return number

    def booleen(self, nom: str) -> bool | None:
        value = self.cellules.get(nom)
        if value is None:
            return None
        if value.casefold() in OUI:
            return True
        if value.casefold() in NON:
            return False
        self.erreur(nom, f"« {value} » : indiquez oui ou non.")
        return None

    def date(self, nom: str, *, obligatoire: bool = False) -> datetime.date | None:
        value = self.cellules.get(nom)
        if value is None:
            if obligatoire:
                self.erreur(nom, "valeur obligatoire.")
            return None
        for format_ in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                parsed = datetime.datetime.strptime(value, format_).date()
            except ValueError:
                continue
            if not 2000 <= parsed.year <= 2100:
                break
            return parsed
        self.erreur(nom, f"« {value} » n'est pas une date valide (JJ/MM/AAAA).")
        return None

    def choix(self, nom: str, choices, *, obligatoire: bool = False) -> str | None:
        """A TextChoices value given by its code (COMMUNE) or its label (« Commune »), in any case."""
        value = self.cellules.get(nom)
        if value is None:
            if obligatoire:
                self.erreur(nom, "valeur obligatoire.")
            return None
        for code, label in choices.choices:
            if cle(value) in (cle(code), cle(label)):
                return code
        permis = ", ".join(
            f"{code} ({label})" if cle(code) != cle(label) else code for code, label in choices.choices
        )
        self.erreur(nom, f"« {value} » n'est pas une valeur permise ({permis}).")
        return None


# --- Running an import -------------------------------------------------------------------------------------

CREEE, MODIFIEE, INCHANGEE = "créée", "modifiée", "inchangée"
COMPTEURS = {CREEE: "creees", MODIFIEE: "modifiees", INCHANGEE: "inchangees"}


@dataclass
class Rapport:
    """What an import did (or would do, in simulation), line by line for the refused ones."""

    fichier: str
    simulation: bool
    partiel: bool
    encodage: str = ""
    separateur: str = ""
    colonnes_ignorees: list[str] = field(default_factory=list)
    erreur_fichier: str = ""
    creees: int = 0
    modifiees: int = 0
    inchangees: int = 0
    refusees: list[tuple[int, list[str]]] = field(default_factory=list)
    enregistre: bool = False  # whether the changes were committed

    @property
    def lignes(self) -> int:
        return self.creees + self.modifiees + self.inchangees + len(self.refusees)

    def bilan(self) -> str:
        if self.erreur_fichier:
            return f"Fichier refusé : {self.erreur_fichier}"
        chiffres = (
            f"{self.lignes} ligne(s) lue(s) : {self.creees} création(s), {self.modifiees} modification(s), "
            f"{self.inchangees} inchangée(s), {len(self.refusees)} refusée(s)."
        )
        if self.simulation:
            return f"Simulation, rien n'a été enregistré. {chiffres}"
        if self.enregistre:
            return f"Import enregistré. {chiffres}"
        return (
            f"Rien n'a été enregistré : des lignes sont refusées. {chiffres} Corrigez-les, ou importez les "
            "lignes valides seules (import partiel)."
        )

    def lignes_refusees(self) -> list[str]:
        return [f"Ligne {numero} : {' ; '.join(raisons)}" for numero, raisons in self.refusees]


def import_run(
    *,
    fichier_nom: str,
    contenu: bytes,
    colonnes: list[ColonneImport],
    traiter_ligne: Callable[[int, dict[str, str]], str],
    simulation: bool,
    partiel: bool,
    encodage: str = "auto",
) -> Rapport:
    """Reads the file and calls `traiter_ligne(numero, cellules)` (returns CREEE, MODIFIEE or INCHANGEE, or
    raises LigneRefusee / ValidationError) for each line, each in its own savepoint. Commits only outside
    simulation, and when no line was refused unless `partiel`."""
    rapport = Rapport(fichier=fichier_nom, simulation=simulation, partiel=partiel)
    try:
        fichier = csv_read(contenu, colonnes, encodage=encodage)
    except FichierRefuse as error:
        rapport.erreur_fichier = str(error)
        return rapport
    rapport.encodage, rapport.separateur = fichier.encodage, SEPARATEURS[fichier.separateur]
    rapport.colonnes_ignorees = fichier.ignorees
    with transaction.atomic():
        for numero, cellules in fichier.lignes():
            try:
                with transaction.atomic():
                    etat = traiter_ligne(numero, cellules)
            except LigneRefusee as error:
                rapport.refusees.append((numero, error.raisons))
            except ValidationError as error:
                rapport.refusees.append((numero, _messages(error)))
            except IntegrityError as error:
                rapport.refusees.append((numero, [f"Conflit dans la base de données ({error})."]))
            else:
                compteur = COMPTEURS[etat]
                setattr(rapport, compteur, getattr(rapport, compteur) + 1)
        rapport.enregistre = not simulation and (partiel or not rapport.refusees)
        if not rapport.enregistre:
            transaction.set_rollback(True)
    return rapport


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            message if name == "__all__" else f"{name} : {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


COMPTE_IMPORTS = "imports@conseiller-numerique.invalid"


def compte_imports():
    """The account the imports run from the command line are recorded under, when none is named: inactive,
    without password nor role (it cannot log in), created on first use."""
    user, created = get_user_model().objects.update_or_create(
        email=COMPTE_IMPORTS,
        defaults={"is_active": False},
        create_defaults={"is_active": False, "first_name": "Import", "last_name": "en ligne de commande"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class CommandeImport(BaseCommand):
    """`manage.py import_structures|import_conseillers FICHIER`: the shared options and report."""

    objet = ""  # « structures », « conseillers »

    def importer(self, **kwargs) -> Rapport:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Le fichier CSV (voir docs/imports.md).")
        parser.add_argument(
            "--dry-run",
            "--simulation",
            action="store_true",
            dest="simulation",
            help="Vérifie le fichier et affiche chaque ligne refusée, sans rien enregistrer.",
        )
        parser.add_argument(
            "--partiel",
            action="store_true",
            help="Importe les lignes valides même si d'autres sont refusées (sinon : tout ou rien).",
        )
        parser.add_argument("--encodage", choices=list(ENCODAGES), default="auto")
        parser.add_argument(
            "--utilisateur",
            metavar="EMAIL",
            help="Le compte inscrit dans l'historique (par défaut : le compte technique des imports).",
        )

    def handle(self, *args, fichier, simulation, partiel, encodage, utilisateur, **options):
        if utilisateur:
            user = get_user_model().objects.filter(email__iexact=utilisateur, is_staff=True).first()
            if user is None:
                raise CommandError(
                    f"Aucun compte de l'équipe (accès à l'administration) n'a l'adresse {utilisateur}."
                )
        else:
            user = compte_imports()
        path = Path(fichier)
        try:
            contenu = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible de {fichier} : {error.strerror}.") from None
        rapport = self.importer(
            contenu=contenu,
            fichier_nom=path.name,
            user=user,
            simulation=simulation,
            partiel=partiel,
            encodage=encodage,
        )
        if rapport.erreur_fichier:
            raise CommandError(rapport.bilan())
        self.stdout.write(f"Fichier {path.name} : {rapport.encodage}, séparateur {rapport.separateur}.")
        if rapport.colonnes_ignorees:
            self.stdout.write(
                self.style.WARNING("Colonnes ignorées (inconnues) : " + ", ".join(rapport.colonnes_ignorees))
            )
        for ligne in rapport.lignes_refusees():
            self.stdout.write(self.style.ERROR(ligne))
        if rapport.refusees and not partiel:
            raise CommandError(rapport.bilan())
        self.stdout.write(self.style.SUCCESS(rapport.bilan()))
