"""`import_conseillers`: the documented sample twice, a conseiller moving to another structure, a rupture,
refused lines never half applied, simulation, encodings (docs/imports.md)."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from accounts.enums import RoleKind
from conseillers.enums import MotifRupture, StatutConseiller
from conseillers.imports import conseillers_import
from conseillers.models import Conseiller, Contrat

EXEMPLES = Path(settings.BASE_DIR) / "docs" / "exemples"
HEADER = "email_pro;prenom;nom;siret;type_contrat;date_debut_contrat\n"


def importer(world, text: str, encoding="utf-8", **options):
    defaults = {"simulation": False, "partiel": False}
    return conseillers_import(
        contenu=text.encode(encoding), fichier_nom="test.csv", user=world.admin, **(defaults | options)
    )


def _state():
    conseillers = list(Conseiller.objects.order_by("email_pro").values())
    contrats = list(Contrat.objects.order_by("conseiller__email_pro", "date_debut").values())
    return conseillers, contrats


def test_the_sample_files_import_twice_with_the_same_result(db):
    call_command("import_structures", str(EXEMPLES / "structures.csv"), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_conseillers", str(EXEMPLES / "conseillers.csv"), stdout=out)
    assert "5 création(s), 0 modification(s), 0 inchangée(s), 0 refusée(s)." in out.getvalue()
    first, entries = _state(), LogEntry.objects.count()

    out = io.StringIO()
    call_command("import_conseillers", str(EXEMPLES / "conseillers.csv"), stdout=out)
    assert "0 création(s), 0 modification(s), 5 inchangée(s), 0 refusée(s)." in out.getvalue()
    assert _state() == first and LogEntry.objects.count() == entries

    agathe = Conseiller.objects.get(email_pro="agathe.lemaitre@conseiller-numerique.fr")
    assert (agathe.prenom, agathe.nom, agathe.structure.nom) == ("Agathe", "Lemaître", "Mairie de Vénissieux")
    assert (agathe.statut, agathe.date_certification) == (
        StatutConseiller.RECRUTE,
        datetime.date(2024, 6, 12),
    )
    assert agathe.contrats.get().date_fin == datetime.date(2029, 2, 28)
    jerome = Conseiller.objects.get(email_pro="jerome.francois@conseiller-numerique.fr")
    assert jerome.est_coordinateur and jerome.date_certification is None
    mael = Conseiller.objects.get(email_pro="mael.ozturk@conseiller-numerique.fr")
    assert (mael.structure, mael.statut) == (None, StatutConseiller.TERMINE)  # his contract ended in 2024


def test_a_conseiller_moving_closes_his_employment_and_opens_the_new_one(world):
    text = HEADER + f"{world.alice.email_pro};Alice;Arnaud;{world.lyon_asso.siret};CDI;01/09/2025\n"
    rapport = importer(world, text)
    assert rapport.modifiees == 1, rapport.refusees
    world.alice.refresh_from_db()
    assert world.alice.structure == world.lyon_asso
    ancien = world.alice.contrats.get(structure=world.villeurbanne)
    nouveau = world.alice.contrats.get(structure=world.lyon_asso)
    assert (ancien.date_fin, ancien.date_rupture) == (datetime.date(2025, 8, 31), None)
    assert (nouveau.date_debut, nouveau.date_fin, nouveau.type_contrat) == (
        datetime.date(2025, 9, 1),
        None,
        "CDI",
    )
    assert LogEntry.objects.get(
        object_id=str(world.alice.pk), content_type__model="conseiller"
    ).change_message == (
        "Import du fichier « test.csv », ligne 2 : nouveau contrat avec Association Lyon Numérique (CDI) "
        "depuis le 01/09/2025 ; contrat avec Mairie de Villeurbanne terminé le 31/08/2025 (nouvel emploi)."
    )
    assert LogEntry.objects.filter(content_type__model="contrat").count() == 2

    before = _state()
    assert importer(world, text).inchangees == 1
    assert _state() == before


def test_a_rupture_in_the_file_goes_through_the_employment_services(world):
    text = (
        "email_pro;siret;date_debut_contrat;date_rupture;motif_rupture\n"
        f"{world.alice.email_pro};{world.villeurbanne.siret};01/01/2023;15/10/2025;Démission\n"
    )
    assert importer(world, text).modifiees == 1
    world.alice.refresh_from_db()
    contrat = world.alice.contrats.get()
    assert (contrat.date_rupture, contrat.motif_rupture) == (
        datetime.date(2025, 10, 15),
        MotifRupture.DEMISSION,
    )
    assert world.alice.statut == StatutConseiller.RUPTURE and world.alice.structure is None
    assert importer(world, text).inchangees == 1


def test_a_refused_line_is_never_half_applied(world):
    # The name would change, but the employment is older than Denis's current one: nothing is written.
    text = HEADER + f"{world.denis.email_pro};Denis;Dupont;{world.bourg.siret};CDD;01/01/2023\n"
    rapport = importer(world, text, partiel=True)
    assert rapport.refusees == [
        (
            2,
            [
                "Le conseiller a un contrat plus récent (Association Lyon Numérique, depuis le 01/03/2024) : "
                "un emploi passé se saisit dans l'administration."
            ],
        )
    ]
    world.denis.refresh_from_db()
    assert world.denis.nom == "Durand" and world.denis.contrats.count() == 2
    assert not LogEntry.objects.exists()


def test_the_reasons_of_refused_lines(world):
    text = HEADER + "\n".join(
        [
            "nouveau@conseiller-numerique.fr;;Nouveau;;;",
            f"{world.bruno.email_pro};Bruno;Blanc;99999999999999;CDD;01/01/2025",
            "x@gmail.com;X;Y;;;",
            f"{world.emma.email_pro};Emma;Etienne;{world.bourg.siret};CDD;31/02/2025",
            f"{world.emma.email_pro};Emma;Etienne;;;",
            f"{world.alice.email_pro};Alice;Arnaud;{world.villeurbanne.siret};;01/01/2024",
        ]
    )
    refusees = dict(importer(world, text, partiel=True).refusees)
    assert refusees[2] == [
        "Nouveau conseiller : indiquez le prénom, le contrat (SIRET de la structure, type et date de début)."
    ]
    assert refusees[3] == [
        "SIRET de la structure : « 99999999999999 » : Ce SIRET n'est pas valide (clé de contrôle incorrecte)."
    ]
    assert (
        refusees[4][0] == "E-mail professionnel : « x@gmail.com » : l'adresse professionnelle se termine par "
        "@conseiller-numerique.fr."
    )
    assert refusees[5] == [
        "Date de début de contrat : « 31/02/2025 » n'est pas une date valide (JJ/MM/AAAA)."
    ]
    assert refusees[6] == [f"E-mail professionnel {world.emma.email_pro} déjà présent ligne 5 du fichier."]
    assert refusees[7] == [
        "Un contrat avec Mairie de Villeurbanne est en cours depuis le 01/01/2023, pas depuis le "
        "01/01/2024 : corrigez sa date de début dans l'administration."
    ]


def test_the_coordinateur_flag_gives_and_takes_the_role(world):
    rapport = importer(world, f"email_pro;coordinateur\n{world.alice.email_pro};oui\n")
    assert rapport.modifiees == 1
    assert world.alice.user.roles.filter(kind=RoleKind.COORDINATEUR).exists()
    importer(world, f"email_pro;coordinateur\n{world.alice.email_pro};non\n")
    assert not world.alice.user.roles.filter(kind=RoleKind.COORDINATEUR).exists()


def test_dry_run_prints_the_refused_lines_and_changes_nothing(world, tmp_path):
    path = tmp_path / "conseillers.csv"
    path.write_text(
        HEADER
        + f"nouvelle@conseiller-numerique.fr;Inès;Benali;{world.bourg.siret};CDD;01/10/2025\n"
        + "inconnu@conseiller-numerique.fr;Léo;Roux;00000000000001;CDD;01/10/2025\n",  # Luhn key wrong
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Simulation, rien n'a été enregistré"):
        call_command("import_conseillers", str(path), "--dry-run", stdout=out)
    assert "Ligne 3 : SIRET de la structure : " in out.getvalue()
    assert not Conseiller.objects.filter(email_pro="nouvelle@conseiller-numerique.fr").exists()

    out = io.StringIO()
    call_command("import_conseillers", str(path), "--dry-run", "--partiel", stdout=out)
    assert "Simulation, rien n'a été enregistré. 2 ligne(s) lue(s) : 1 création(s)" in out.getvalue()
    assert not Conseiller.objects.filter(email_pro="nouvelle@conseiller-numerique.fr").exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_accented_names_survive_a_bom_or_windows_1252(world, encoding):
    text = (
        HEADER
        + "ines.benali@conseiller-numerique.fr;Inès-Éloïse;Benaïm-Lœuvre;"
        + f"{world.bourg.siret};CDD;01/10/2025\n"
    )
    rapport = importer(world, text, encoding=encoding)
    assert rapport.creees == 1, rapport.refusees
    conseiller = Conseiller.objects.get(email_pro="ines.benali@conseiller-numerique.fr")
    assert (conseiller.prenom, conseiller.nom) == ("Inès-Éloïse", "Benaïm-Lœuvre")
    assert conseiller.structure == world.bourg
