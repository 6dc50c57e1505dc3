import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from structures.management.commands.load_communes import FICHIER_LIVRE, entrees_du_fichier
from structures.models import CodePostal, Commune

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "communes-sample.json"


def load_communes(fichier=SAMPLE):
    sortie = StringIO()
    call_command("load_communes", str(fichier), stdout=sortie)
    return sortie.getvalue()


def communes_du_code_postal(code):
    return set(CodePostal.objects.filter(code=code).values_list("commune__nom", flat=True))


def etat_du_referentiel():
    return (
        set(Commune.objects.values_list("code_insee", "nom", "departement")),
        set(CodePostal.objects.values_list("code", "commune")),
    )


def sample_modifie(tmp_path, modifier):
    entrees = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for entree in entrees:
        modifier(entree)
    fichier = tmp_path / "communes.json"
    fichier.write_text(json.dumps(entrees, ensure_ascii=False), encoding="utf-8")
    return fichier


def test_loads_the_current_communes_of_known_departements():
    sortie = load_communes()

    assert Commune.objects.count() == 10
    assert CodePostal.objects.count() == 22
    lyon = Commune.objects.get(code_insee="69123")
    assert lyon.nom == "Lyon"
    assert lyon.departement_id == "69"
    assert sorted(lyon.codes_postaux.values_list("code", flat=True)) == [f"6900{n}" for n in range(1, 10)]
    assert Commune.objects.get(code_insee="2A004").departement.nom == "Corse-du-Sud"
    assert "Communes — créées : 10, mises à jour : 0, inchangées : 0." in sortie
    assert "Codes postaux — ajoutés : 22, supprimés : 0." in sortie


def test_postal_code_lookups():
    load_communes()

    assert communes_du_code_postal("63100") == {"Clermont-Ferrand"}
    assert communes_du_code_postal("63170") == {"Aubière", "Pérignat-lès-Sarliève"}
    assert communes_du_code_postal("20167") == {"Ajaccio", "Alata"}
    assert communes_du_code_postal("69001") == {"Lyon"}
    assert set(Commune.objects.get(nom="Ajaccio").codes_postaux.values_list("code", flat=True)) == {
        "20000",
        "20090",
        "20167",
    }
    assert not CodePostal.objects.filter(code="75001").exists()


def test_other_types_and_unknown_departements_are_skipped_and_counted():
    sortie = load_communes()

    # Lyon 1er Arrondissement (arrondissement municipal) is not a commune.
    assert not Commune.objects.filter(code_insee="69381").exists()
    # Mezel, commune déléguée, shares the code of Mur-sur-Allier and must not rename it.
    assert Commune.objects.get(code_insee="63226").nom == "Mur-sur-Allier"
    # Clipperton (989) belongs to no département of the référentiel.
    assert not Commune.objects.filter(code_insee="98901").exists()
    assert not CodePostal.objects.filter(code="98799").exists()
    assert "Entrées ignorées — autre type que « commune actuelle » : 2, département inconnu : 1." in sortie


def test_second_run_changes_nothing(django_assert_num_queries):
    load_communes()
    avant = etat_du_referentiel()

    # Savepoint; départements; communes; postal codes; savepoint release: nothing to write.
    with django_assert_num_queries(5):
        sortie = load_communes()

    assert etat_du_referentiel() == avant
    assert "Communes — créées : 0, mises à jour : 0, inchangées : 10." in sortie
    assert "Codes postaux — ajoutés : 0, supprimés : 0." in sortie


def test_changes_of_the_file_are_applied(tmp_path):
    load_communes()

    def modifier(entree):
        if entree["code"] == "69266":
            entree["nom"] = "Villeurbanne-la-Neuve"
        elif entree["code"] == "63113":
            entree["codesPostaux"] = ["63000"]
        elif entree["code"] == "63178":
            entree["codesPostaux"] = ["63500", "63501"]

    sortie = load_communes(sample_modifie(tmp_path, modifier))

    assert Commune.objects.get(code_insee="69266").nom == "Villeurbanne-la-Neuve"
    assert communes_du_code_postal("63100") == set()
    assert communes_du_code_postal("63000") == {"Clermont-Ferrand"}
    assert communes_du_code_postal("63501") == {"Issoire"}
    assert Commune.objects.count() == 10
    assert CodePostal.objects.count() == 22
    assert "Communes — créées : 0, mises à jour : 3, inchangées : 7." in sortie
    assert "Codes postaux — ajoutés : 1, supprimés : 1." in sortie


def test_communes_missing_from_the_file_are_kept(tmp_path):
    load_communes()

    sortie = load_communes(sample_modifie(tmp_path, lambda entree: entree.update(type="commune-deleguee")))

    assert Commune.objects.count() == 10
    assert CodePostal.objects.count() == 22
    assert (
        "absentes du fichier, conservées car des comptes rendus peuvent encore porter leur code : 10."
        in sortie
    )


def test_unreadable_files_are_reported(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        load_communes(tmp_path / "absent.json")

    invalide = tmp_path / "invalide.json"
    invalide.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(CommandError, match="n'est pas un fichier JSON valide"):
        load_communes(invalide)

    for contenu in ['{"code": "69123"}', '["69123"]']:
        objet = tmp_path / "objet.json"
        objet.write_text(contenu, encoding="utf-8")
        with pytest.raises(CommandError, match="doit contenir une liste de communes"):
            load_communes(objet)

    incomplet = tmp_path / "incomplet.json"
    incomplet.write_text(
        '[{"code": "69123", "type": "commune-actuelle", "departement": "69"}]', encoding="utf-8"
    )
    with pytest.raises(CommandError, match="n'a pas de champ 'nom'"):
        load_communes(incomplet)

    assert not Commune.objects.exists()


def test_centres_are_loaded_and_updated(tmp_path):
    load_communes()

    villeurbanne = Commune.objects.get(code_insee="69266")
    assert (villeurbanne.latitude, villeurbanne.longitude) == (45.7707, 4.8902)
    # An entry without a centre leaves it unknown rather than inventing one.
    assert Commune.objects.get(code_insee="63113").latitude is None

    def deplacer(entree):
        if entree["code"] == "69266":
            entree["centre"]["coordinates"] = [4.9, 45.8]

    sortie = load_communes(sample_modifie(tmp_path, deplacer))

    villeurbanne.refresh_from_db()
    assert (villeurbanne.latitude, villeurbanne.longitude) == (45.8, 4.9)
    assert "mises à jour : 1, inchangées : 9." in sortie


def test_a_compressed_file_is_read(tmp_path):
    compresse = tmp_path / "communes.json.gz"
    compresse.write_bytes(gzip.compress(SAMPLE.read_bytes()))

    load_communes(compresse)

    assert Commune.objects.count() == 10


def test_the_shipped_file_holds_every_current_commune_with_its_centre():
    entrees = entrees_du_fichier(FICHIER_LIVRE)

    par_code = {entree["code"]: entree for entree in entrees}
    assert len(par_code) > 34_900
    assert {entree["type"] for entree in entrees} == {"commune-actuelle"}
    assert par_code["69266"]["codesPostaux"] == ["69100"]
    assert par_code["69266"]["centre"]["coordinates"] == [4.8902, 45.7707]
    sans_centre = [entree["code"] for entree in entrees if "centre" not in entree]
    # The source places neither the overseas collectivities (975 to 989) nor a few communes nouvelles.
    assert len([code for code in sans_centre if code[:3] < "975"]) <= 10


def test_without_argument_the_shipped_file_is_loaded():
    sortie = StringIO()
    call_command("load_communes", stdout=sortie)

    assert Commune.objects.count() > 34_900
    assert communes_du_code_postal("69100") == {"Villeurbanne"}
    assert Commune.objects.filter(latitude__isnull=False).count() > 34_800
