"""Random bytes, encodings and hostile cells thrown at the CSV reading shared by the imports, and at the
structures' import through its function, its command and the admin page (docs/imports.md): never an
exception, only the import's French report; nothing stored unless the import says so, and every stored row
valid; the same file imported twice changes nothing the second time."""

import csv
import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cnfs.socle.imports_csv import ENCODAGES
from structures.communes import departement_matches_code_postal, departement_of_commune
from structures.enums import StatutStructure, TypeStructure
from structures.imports import COLONNES, structures_import
from structures.models import Departement, Structure
from structures.validators import luhn_valid, siret_valid
from tests.structures.factories import StructureFactory
from tests.utils import en_francais, examples

VENISSIEUX = "21690259000019"  # made by the fixture: a line with this SIRET updates it
EXEMPLES = settings(
    max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PAGES = settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- Cells -----------------------------------------------------------------------------------------------

LONGUE = "x" * 5_000  # past the first 4 Ko, where the reader looks for the NUL bytes of UTF-16
TRES_LONGUE = "y" * 140_000  # past the csv module's limit of 131,072 characters in a cell
HOSTILES = [
    "",
    " ",
    "\x00",
    LONGUE + "\x00",
    TRES_LONGUE,
    '"' + LONGUE,  # a quote never closed: the rest of the file in one cell
    '=HYPERLINK("http://exemple.invalid";"clic")',
    "=1+1",
    "+33 6 12 34 56 78",
    "-1",
    "@SUM(A1)",
    "9" * 5_000,  # past Python's int() limit of 4,300 digits
    "99999999999999999999",
    "2147483648",
    "1e308",
    "3,56E+13",
    "NaN",
    "1 000",
    "1,5",
    "<script>alert(1)</script>",
    "é" * 300,
    '"',
    'a"b',
    ";",
    ",",
    "\t",
    "\r",
    "x\ny",
    "\u202e",
    "\ufeff",
    "Ã©",  # a text converted twice
    "30/02/2024",
    "2024-02-30",
    "00/00/0000",
    "31/12/9999",
    "01/01/1900",
    "١٢",
]
CELLULE_HOSTILE = st.one_of(st.sampled_from(HOSTILES), st.text(st.characters(codec="utf-8"), max_size=30))
# What each kind of column is most likely to break on, besides the hostile values of every column.
HOSTILES_PAR_COLONNE = {
    "siret": ["12345678901234", "3,56E+13", "2169025900001", "216.902.590.00019", "0" * 14, "١" * 14],
    "nombre": ["9" * 5_000, "99999999999999999999", "2147483648", "-1", "1,5", "1 000", "0x10", "²"],
    "date": ["30/02/2024", "2024-02-30", "31/12/9999", "01/01/1900", "1/1/2024", "2024/01/01", "00/00/0000"],
    "code": ["00000", "6920", "69 200", "2C004", "ABCDE", "٦٩٢٠٠", "999999"],
    "email": ["x@", "a b@c.fr", "@conseiller-numerique.fr", "é@é.fr", "x" * 300 + "@exemple.test"],
}


def cellules_hostiles(genre: str):
    return st.one_of(st.sampled_from(HOSTILES_PAR_COLONNE.get(genre, HOSTILES)), CELLULE_HOSTILE)


def abimee(cellules: dict, genres: dict):
    """The line as it is (half of the time), or with a few cells replaced by hostile values (of their
    kind, or of any kind) or emptied."""
    remplacee = st.sampled_from(list(cellules)).flatmap(
        lambda nom: st.tuples(st.just(nom), cellules_hostiles(genres.get(nom)))
    )
    return st.one_of(
        st.just(cellules), st.lists(remplacee, min_size=1, max_size=3).map(lambda r: cellules | dict(r))
    )


def siret_de(chiffres: str) -> str:
    """13 digits completed by their Luhn key."""
    return next(chiffres + str(key) for key in range(10) if luhn_valid(chiffres + str(key)))


SIRETS = st.one_of(
    st.text("0123456789", min_size=13, max_size=13).map(siret_de),
    st.sampled_from([VENISSIEUX, "35600000048216", "216 902 590 00019", "2169025900001"]),  # La Poste; spaced
)
# (code postal, code commune, commune, département), coherent.
LIEUX = [
    ("69200", "69259", "Vénissieux", "69"),
    ("01170", "01173", "Gex", "01"),
    ("1170", "1173", "Gex", "1"),  # leading zeros lost by the spreadsheet
    ("13001", "13055", "Marseille", "13"),
    ("20000", "2A004", "Ajaccio", "2A"),
    ("97100", "97101", "Les Abymes", "971"),
]
OUI_NON = ["oui", "non", "OUI", "x", "0", "1", "vrai", "peut-être"]


def libelles(choices) -> list[str]:
    """A choice as a file may give it: its code, its label, its label in capitals."""
    return [*choices.values, *choices.labels, *(label.upper() for label in choices.labels)]


@st.composite
def lignes_structures(draw):
    """A valid line of a new or known structure, of which a few cells are hostile or empty."""
    code_postal, code_commune, nom_commune, departement = draw(st.sampled_from(LIEUX))
    cellules = {
        "siret": draw(SIRETS),
        "nom": draw(st.sampled_from(["Mairie de Vénissieux", "Association « Le Lien »", "L'Œuvre d'Été"])),
        "type": draw(st.sampled_from(libelles(TypeStructure))),
        "code_postal": code_postal,
        "code_commune": code_commune,
        "nom_commune": nom_commune,
        "departement": departement,
        "statut": draw(st.sampled_from(libelles(StatutStructure))),
        "dotation": str(draw(st.integers(0, 12))),
        "contact_email": draw(
            st.sampled_from(["h.martin@exemple.test", "CONTACT@EXEMPLE.TEST", "x@", "a b@c.fr"])
        ),
        "labellisee_france_services": draw(st.sampled_from(OUI_NON)),
        "qpv": draw(st.sampled_from(OUI_NON)),
    }
    return draw(abimee(cellules, GENRES_STRUCTURES))


GENRES_STRUCTURES = {
    "siret": "siret",
    "dotation": "nombre",
    "code_postal": "code",
    "code_commune": "code",
    "departement": "code",
    "contact_email": "email",
}


# --- Files -----------------------------------------------------------------------------------------------

INCONNUES = ["commentaire", "Colonne 12", "", "=cmd|' /C calc'!A0", "siret "]
ENCODAGES_FICHIER = ["utf-8"] * 3 + ["utf-8-sig", "cp1252", "utf-16", "latin-1", "mac_roman", "cp850"]


def entetes(colonne) -> list[str]:
    """The names a spreadsheet may give a column: documented name, alias, label, case changed."""
    return [colonne.nom, colonne.nom.upper(), colonne.libelle, colonne.libelle.lower(), *colonne.alias]


@st.composite
def fichiers_csv(draw, colonnes, lignes):
    """The bytes of a CSV file: a header of known (or not) columns, lines written properly or not, in some
    encoding, perhaps cut or with a byte changed."""
    noms = [colonne.nom for colonne in colonnes]
    cle = colonnes[0].nom  # the mandatory key column comes first in COLONNES
    choisies = draw(
        st.one_of(
            st.just(noms),
            st.permutations(noms).map(lambda n: [cle] + [x for x in n if x != cle][:10]),
            st.lists(st.sampled_from([*noms, *INCONNUES]), max_size=8, unique=True),
        )
    )
    par_nom = {colonne.nom: colonne for colonne in colonnes}
    entete = [draw(st.sampled_from(entetes(par_nom[nom]))) if nom in par_nom else nom for nom in choisies]
    rangs = [
        [valeurs.get(nom, "") for nom in choisies] + draw(st.lists(CELLULE_HOSTILE, max_size=1))
        for valeurs in draw(st.lists(lignes, max_size=4))
    ]
    separateur = draw(st.sampled_from([";", ",", "\t"]))
    fin = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):  # written by a spreadsheet: quoted where needed
        sortie = io.StringIO()
        csv.writer(sortie, delimiter=separateur, lineterminator=fin).writerows([entete, *rangs])
        texte = sortie.getvalue()
    else:  # written by hand: separators and quotes in values break the cells
        texte = "".join(separateur.join(rang) + fin for rang in [entete, *rangs])
    contenu = texte.encode(draw(st.sampled_from(ENCODAGES_FICHIER)), errors="replace")
    mutation = draw(st.sampled_from(["aucune"] * 4 + ["coupe", "octet"]))
    if mutation == "coupe" and contenu:
        contenu = contenu[: draw(st.integers(0, len(contenu) - 1))]
    elif mutation == "octet" and contenu:
        position, octet = draw(st.integers(0, len(contenu) - 1)), draw(st.integers(0, 255))
        contenu = contenu[:position] + bytes([octet]) + contenu[position + 1 :]
    return contenu


def contenus(colonnes, lignes):
    return st.one_of(fichiers_csv(colonnes, lignes), fichiers_csv(colonnes, lignes), st.binary(max_size=600))


def cellules_du(contenu: bytes) -> set[str]:
    """Every piece of text the file holds, which the messages may quote."""
    texte = contenu.decode("utf-8", errors="replace") + "\n" + contenu.decode("cp1252", errors="replace")
    return set(re.split(r"[;,\t\r\n]", texte))


def assert_rapport_en_francais(rapport, contenu):
    sauf = cellules_du(contenu)
    assert en_francais(rapport.bilan(), sauf=sauf), rapport.bilan()
    for numero, raisons in rapport.refusees:
        assert raisons, numero
        for raison in raisons:
            assert en_francais(raison, sauf=sauf), (numero, raison)


# --- The structures' import ------------------------------------------------------------------------------


def etat_structures():
    return list(Structure.objects.order_by("pk").values()), LogEntry.objects.count()


def assert_structures_valides(avant):
    """Every structure passes the model's checks; the ones the import wrote, the importer's as well."""
    anciennes = {ligne["id"]: ligne for ligne in avant}
    lignes = {ligne["id"]: ligne for ligne in Structure.objects.values()}
    departements = set(Departement.objects.values_list("pk", flat=True))
    for structure in Structure.objects.all():
        structure.full_clean()
        if anciennes.get(structure.pk) == lignes[structure.pk]:
            continue  # not written by the import (the named world's data are its own business)
        assert siret_valid(structure.siret)
        assert (
            structure.nom
            and structure.type in TypeStructure.values
            and structure.departement_id in departements
        )
        assert (
            len(structure.code_postal) == 5
            and structure.code_postal.isascii()
            and structure.code_postal.isdigit()
        )
        if structure.code_commune:
            assert departement_of_commune(structure.code_commune) == structure.departement_id
            assert departement_matches_code_postal(structure.code_commune, structure.code_postal)
        assert "\x00" not in "".join(str(value) for value in vars(structure).values())


@pytest.fixture
def venissieux(world):
    return StructureFactory(
        siret=VENISSIEUX,
        nom="Mairie de Vénissieux",
        code_postal="69200",
        code_commune="69259",
        nom_commune="Vénissieux",
    )


def importer(world, contenu, options):
    simulation, partiel, encodage = options
    return structures_import(
        contenu=contenu,
        fichier_nom="recrutement.csv",
        user=world.admin,
        simulation=simulation,
        partiel=partiel,
        encodage=encodage,
    )


OPTIONS = st.tuples(st.booleans(), st.booleans(), st.sampled_from(list(ENCODAGES)))


# Regressions: each of these raised an exception out of the import, or stored a NUL character (which
# PostgreSQL refuses with a DataError).
MAC = b"siret;nom;type;code_postal\r21690259000019;Mairie;COMMUNE;69200\r"  # Excel for Mac: lone \r
NUL_APRES_4_KO = (
    b"siret;nom;type;code_postal;adresse\n20011730000018;Gex;EPCI;01170;" + b"x" * 5_000 + b"\n"
    b"21690259000019;Mai\x00rie;COMMUNE;69200;\n"
)
DOTATION_ENORME = b"siret;dotation\n21690259000019;" + b"9" * 5_000 + b"\n"
GUILLEMET_JAMAIS_FERME = b'siret;nom\n21690259000019;"' + b"y" * 140_000 + b"\n"


@EXEMPLES
@given(contenu=contenus(COLONNES, lignes_structures()), options=OPTIONS)
@example(contenu=MAC, options=(False, True, "auto"))
@example(contenu=NUL_APRES_4_KO, options=(False, True, "auto"))
@example(contenu=DOTATION_ENORME, options=(False, True, "auto"))
@example(contenu=GUILLEMET_JAMAIS_FERME, options=(False, True, "utf-8"))
def test_a_structures_file_is_imported_valid_or_refused_in_french(world, venissieux, contenu, options):
    with transaction.atomic():  # each example starts from the same structures
        avant = etat_structures()
        rapport = importer(world, contenu, options)
        event("fichier refusé" if rapport.erreur_fichier else "enregistré" if rapport.enregistre else "rien")

        assert_rapport_en_francais(rapport, contenu)
        if not rapport.enregistre:
            assert etat_structures() == avant
        else:
            assert not options[0] and (options[1] or not rapport.refusees)
            assert Structure.objects.count() == len(avant[0]) + rapport.creees
            assert LogEntry.objects.count() == avant[1] + rapport.creees + rapport.modifiees
            assert_structures_valides(avant[0])
            # Imported twice: nothing changes the second time.
            apres = etat_structures()
            again = importer(world, contenu, options)
            assert (again.creees, again.modifiees, again.refusees) == (0, 0, rapport.refusees)
            assert etat_structures() == apres
        transaction.set_rollback(True)


@PAGES
@given(contenu=contenus(COLONNES, lignes_structures()), options=OPTIONS)
def test_the_import_command_reports_in_french_or_fails_with_a_french_command_error(
    world, venissieux, tmp_path, contenu, options
):
    simulation, partiel, encodage = options
    fichier = tmp_path / "recrutement.csv"
    fichier.write_bytes(contenu)
    arguments = [str(fichier), "--encodage", encodage]
    arguments += ["--dry-run"] * simulation + ["--partiel"] * partiel
    sauf = cellules_du(contenu)

    with transaction.atomic():
        out = io.StringIO()
        try:
            call_command("import_structures", *arguments, stdout=out)
        except CommandError as error:
            event("erreur de commande")
            assert en_francais(str(error), sauf=sauf), str(error)
        else:
            assert "ligne(s) lue(s)" in out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def equipe(world, client):
    client.force_login(world.admin)
    assert client.raise_request_exception  # an exception in the view fails the example, never a hidden 500
    return client


@PAGES
@given(contenu=contenus(COLONNES, lignes_structures()), options=OPTIONS)
def test_the_admin_import_page_always_answers_with_a_french_report(
    world, venissieux, equipe, contenu, options
):
    simulation, partiel, encodage = options
    upload = SimpleUploadedFile("recrutement.csv", contenu, content_type="text/csv")
    data = {"fichier": upload, "mode": "simulation" if simulation else "import", "encodage": encodage}
    if partiel:
        data["partiel"] = "on"

    with transaction.atomic():
        avant = etat_structures()
        response = equipe.post("/admin/structures/structure/importer/", data)

        assert response.status_code == 200
        rapport, form = response.context["rapport"], response.context["form"]
        if rapport is None:  # the upload itself refused (an empty file)
            event("formulaire refusé")
            assert form.errors and all(en_francais(m) for ms in form.errors.values() for m in ms), form.errors
            assert etat_structures() == avant
        else:
            assert_rapport_en_francais(rapport, contenu)
            if not rapport.enregistre:
                assert etat_structures() == avant
        transaction.set_rollback(True)
