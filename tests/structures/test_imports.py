"""`import_structures` and the CSV reading shared with the conseillers' import: the documented sample,
idempotence, simulation, bad lines, encodings and separators (docs/imports.md)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.management import CommandError, call_command

from cnfs.socle.imports_csv import COMPTE_IMPORTS, FichierRefuse, decode
from structures.imports import structures_import
from structures.models import Structure

SAMPLE = Path(settings.BASE_DIR) / "docs" / "exemples" / "structures.csv"
HEADER = "siret;nom;type;code_postal;code_commune;dotation;statut\n"
VENISSIEUX = "21690259000019;Mairie de Vénissieux;COMMUNE;69200;69259;3;VALIDATION_COSELEC\n"


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("import_structures", *args, stdout=out, **options)
    return out.getvalue()


def importer(world, text: str, encoding="utf-8", **options):
    defaults = {"simulation": False, "partiel": False}
    return structures_import(
        contenu=text.encode(encoding), fichier_nom="test.csv", user=world.admin, **(defaults | options)
    )


def _state():
    return list(Structure.objects.order_by("siret").values())


def test_the_sample_file_imports_twice_with_the_same_result(db):
    output = run(str(SAMPLE))
    assert "Fichier structures.csv : UTF-8, séparateur point-virgule." in output
    assert "5 création(s), 0 modification(s), 0 inchangée(s), 0 refusée(s)." in output
    after_first = _state()
    entries = LogEntry.objects.count()

    output = run(str(SAMPLE))
    assert "0 création(s), 0 modification(s), 5 inchangée(s), 0 refusée(s)." in output
    assert _state() == after_first
    assert LogEntry.objects.count() == entries

    venissieux = Structure.objects.get(siret="21690259000019")
    assert (venissieux.nom, venissieux.departement_id, venissieux.dotation) == (
        "Mairie de Vénissieux",
        "69",
        3,
    )
    assert (
        venissieux.labellisee_france_services and venissieux.qpv and not venissieux.zone_rurale_revitalisation
    )
    assert Structure.objects.get(siret="35600000048216").reseau == "La Poste"  # La Poste's SIRET exception
    entry = LogEntry.objects.get(object_id=str(venissieux.pk))
    assert (entry.action_flag, entry.user.email) == (ADDITION, COMPTE_IMPORTS)
    assert entry.change_message == "Import du fichier « structures.csv », ligne 2 : création."


def test_a_changed_line_updates_the_given_columns_only(world):
    importer(world, HEADER + VENISSIEUX)
    rapport = importer(world, "siret;dotation;statut;adresse\n21690259000019;4;CREEE;\n")
    assert (rapport.modifiees, rapport.inchangees) == (1, 0)
    structure = Structure.objects.get(siret="21690259000019")
    assert (structure.dotation, structure.nom, structure.code_commune) == (4, "Mairie de Vénissieux", "69259")
    entry = LogEntry.objects.filter(object_id=str(structure.pk), action_flag=CHANGE).get()
    assert entry.user == world.admin
    assert entry.change_message == (
        "Import du fichier « test.csv », ligne 2 : statut : Validée en comité de sélection → Créée ; "
        "nombre de conseillers attribués : 3 → 4."
    )


def test_the_header_is_read_without_case_accents_or_spaces(world):
    text = "SIRET,Nom,Type de structure,Code postal,Département,Nombre de conseillers attribués\n"
    text += '21690259000019,"Mairie de Vénissieux, service social",Commune,69200,69,2\n'
    rapport = importer(world, text)
    assert (rapport.creees, rapport.separateur) == (1, "virgule")
    assert Structure.objects.get(siret="21690259000019").nom == "Mairie de Vénissieux, service social"


def test_excel_line_endings_and_quoted_line_breaks(world):
    text = "siret;nom;type;code_postal;adresse\r\n"
    text += '21690259000019;Vénissieux;COMMUNE;69200;"5 avenue\r\nBât. A"\r\n'
    text += "20011730000018;Gex;EPCI;01170;\r\n12345678901234;Faux;EPCI;01170;\r\n"
    rapport = importer(world, text, partiel=True)
    assert (rapport.creees, rapport.refusees[0][0]) == (2, 5)  # the quoted address spans lines 2 and 3
    assert Structure.objects.get(siret="21690259000019").adresse == "5 avenue Bât. A"


def test_dry_run_prints_every_refused_line_and_saves_nothing(world, tmp_path):
    path = tmp_path / "recrutement.csv"
    lines = [
        HEADER.strip(),
        VENISSIEUX.strip(),
        "12345678901234;Structure au SIRET faux;COMMUNE;69200;;1;",
        "3,56E+13;Tableur;COMMUNE;69200;;1;",
        "20011730000018;;EPCI;1170;;deux;VALIDE",
        "21690259000019;Doublon;COMMUNE;69200;;1;",
        "22190027200016;Corse;COMMUNE;20000;;1;",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(str(path), dry_run=True)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_structures", str(path), "--dry-run", stdout=out)
    output = out.getvalue()
    assert (
        "Ligne 3 : SIRET : « 12345678901234 » : Ce SIRET n'est pas valide (clé de contrôle incorrecte)."
        in output
    )
    assert "Ligne 4 : SIRET : « 3,56E+13 » : le tableur a converti le SIRET en nombre" in output
    assert "Ligne 5 : Statut : « VALIDE » n'est pas une valeur permise" in output
    assert "Nouvelle structure : indiquez nom." in output
    assert "Dotation : « deux » n'est pas un nombre entier." in output
    assert "Ligne 6 : SIRET 21690259000019 déjà présent ligne 2 du fichier." in output
    assert (
        "Ligne 7 : Département : en Corse, indiquez le département (2A ou 2B) ou le code commune." in output
    )
    assert "Simulation, rien n'a été enregistré. 6 ligne(s) lue(s) : 1 création(s)" in str(error.value)
    assert not Structure.objects.filter(siret="21690259000019").exists()
    assert not LogEntry.objects.exists()


def test_bad_lines_stop_everything_unless_the_partial_import_is_asked(world):
    text = HEADER + VENISSIEUX + "12345678901234;Faux;COMMUNE;69200;;1;\n"
    rapport = importer(world, text)
    assert not rapport.enregistre and rapport.refusees[0][0] == 3
    assert not Structure.objects.filter(siret="21690259000019").exists()

    rapport = importer(world, text, partiel=True)
    assert rapport.enregistre and (rapport.creees, len(rapport.refusees)) == (1, 1)
    assert Structure.objects.filter(siret="21690259000019").exists()
    assert not Structure.objects.filter(nom="Faux").exists()


def test_values_fixed_by_the_spreadsheet_are_restored(world):
    rapport = importer(world, "siret;nom;type;code_postal\n200 117 300 00018;Pays de Gex;EPCI;1170\n")
    assert rapport.creees == 1, rapport.refusees
    structure = Structure.objects.get(siret="20011730000018")
    assert (structure.code_postal, structure.departement_id) == ("01170", "01")


def test_a_departement_change_is_left_to_the_admin(world):
    text = (
        f"siret;nom;type;code_postal;departement\n{world.villeurbanne.siret};Villeurbanne;COMMUNE;01000;01\n"
    )
    rapport = importer(world, text)
    assert "Un changement de département se fait dans l'administration" in rapport.refusees[0][1][0]
    world.villeurbanne.refresh_from_db()
    assert world.villeurbanne.departement_id == "69"


def test_the_commune_must_match_the_postal_code(world):
    text = "siret;nom;type;code_postal;code_commune\n21690259000019;Vénissieux;COMMUNE;69200;01053\n"
    rapport = importer(world, text)
    assert rapport.refusees[0][1] == [
        "Code commune INSEE : la commune 01053 ne correspond pas au code postal 69200."
    ]


@pytest.mark.parametrize(
    ("encoding", "nom_encodage"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 avec BOM"), ("cp1252", "Windows-1252")],
)
def test_utf8_with_or_without_bom_and_windows_1252_keep_the_accents(world, encoding, nom_encodage):
    text = HEADER + VENISSIEUX + "20011730000018;Communauté « Œuvre » de l’Ain – Gex;EPCI;01170;;2;\n"
    rapport = importer(world, text, encoding=encoding)
    assert (rapport.creees, rapport.encodage) == (2, nom_encodage)
    assert Structure.objects.get(siret="21690259000019").nom == "Mairie de Vénissieux"
    assert Structure.objects.get(siret="20011730000018").nom == "Communauté « Œuvre » de l’Ain – Gex"


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        ((HEADER + VENISSIEUX).encode("mac_roman"), "Encodage non reconnu"),
        ((HEADER + VENISSIEUX).encode("cp850"), "Encodage non reconnu"),
        ((HEADER + VENISSIEUX).encode("utf-16"), "Ce fichier est en UTF-16"),
        ((HEADER + VENISSIEUX).encode("utf-8").decode("cp1252").encode("utf-8"), "caractères mal convertis"),
        ((HEADER + "1;Prix 10 €;COMMUNE;69200\n").encode("iso8859_15"), "Encodage non reconnu"),
        (b"PK\x03\x04\x14\x00", "classeur Excel"),
        (b"", "Le fichier est vide."),
        (
            b"nom;adresse\nA;B\n",
            "Colonne(s) obligatoire(s) absente(s) : siret. Colonnes trouvées : nom, adresse.",
        ),
        (b"colonne inconnue\n1\n", "En-tête non reconnu"),
    ],
)
def test_an_unreadable_file_is_refused_never_imported_garbled(world, contenu, message):
    rapport = structures_import(
        contenu=contenu, fichier_nom="f.csv", user=world.admin, simulation=False, partiel=True
    )
    assert message in rapport.erreur_fichier
    assert not Structure.objects.filter(siret="21690259000019").exists()


def test_a_forced_encoding_refuses_a_file_in_another_one():
    with pytest.raises(FichierRefuse, match="n'est pas en UTF-8"):
        decode("Vénissieux".encode("cp1252"), "utf-8")
    assert decode("Vénissieux".encode("cp1252"), "windows-1252") == ("Vénissieux", "Windows-1252")


def test_the_command_names_the_account_of_the_history(world, tmp_path):
    path = tmp_path / "recrutement.csv"
    path.write_text(HEADER + VENISSIEUX, encoding="utf-8")
    run(str(path), utilisateur=world.admin.email)
    with pytest.raises(CommandError, match="Aucun compte de l'équipe"):
        run(str(path), utilisateur=world.prefet_ain.email)
    structure = Structure.objects.get(siret="21690259000019")
    assert LogEntry.objects.get(object_id=str(structure.pk)).user == world.admin
    with pytest.raises(CommandError, match="Lecture impossible"):
        run("/nulle/part.csv")


def test_extra_cells_or_unknown_columns(world):
    text = HEADER.strip() + ";remarque\n" + VENISSIEUX.strip() + ";à rappeler;en trop\n"
    rapport = importer(world, text)
    assert rapport.colonnes_ignorees == ["remarque"]
    assert "La ligne a 9 cellules, plus que l'en-tête" in rapport.refusees[0][1][0]
