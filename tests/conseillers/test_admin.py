"""The conseillers, contracts and lieux in the admin: the team's columns from the aggregates in constant
queries, filters, search, the actions (invitation, certification, rupture), contracts opened through the
employment services."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.utils import timezone

from conseillers.enums import MotifRupture, StatutConseiller
from conseillers.models import Conseiller, Contrat, Permanence
from tests.conseillers.factories import PLACE, ConseillerFactory
from tests.outils_admin import action, colonne, queries
from tests.stats.factories import make_cra, recompute_once

CONSEILLERS = "/admin/conseillers/conseiller/"
CONTRATS = "/admin/conseillers/contrat/"


@pytest.fixture
def equipe(world, client):
    client.force_login(world.admin)
    return client


def test_the_list_shows_the_teams_columns_in_constant_queries(world, equipe):
    with recompute_once():
        make_cra(world.alice, date=datetime.date(2024, 2, 15))
        make_cra(world.alice, date=datetime.date(2024, 5, 2))
    few = queries(equipe, CONSEILLERS)
    with recompute_once():
        for index in range(15):
            conseiller = ConseillerFactory(structure=world.lyon_asso, date_activation=timezone.now())
            make_cra(conseiller, date=datetime.date(2024, 1, 1) + datetime.timedelta(days=index))
    # session, account, roles (middleware), permissions, counts (filtered, total), the page with its CRA
    # subqueries, the départements and régions of the filters, the date hierarchy: none per row.
    assert queries(equipe, CONSEILLERS) == few <= 14

    response = equipe.get(CONSEILLERS, {"q": "Arnaud"})
    assert colonne(response, "structure_lien") == ["Mairie de Villeurbanne"]
    assert colonne(response, "departement") == ["69"]
    assert colonne(response, "statut") == ["En activité"]
    assert colonne(response, "cra_total") == ["2"]
    assert colonne(response, "dernier_cra") == ["02/05/2024"]
    assert colonne(response, "certification") == ["01/06/2023"]
    assert "icon-yes.svg" in response.content.decode()


def test_the_filters_of_the_team(world, equipe):
    def noms(**filtres):
        return sorted(colonne(equipe.get(CONSEILLERS, filtres), "nom"))

    assert noms(active="non") == ["Blanc", "Durand", "Fournier"]
    assert noms(certifie="non") == ["Blanc"]
    assert noms(est_coordinateur__exact="1") == ["Etienne"]
    assert noms(statut__exact="RUPTURE") == ["Fournier"]
    assert noms(structure__departement__code__exact="01") == ["Chevalier"]
    assert noms(structure__departement__region__code__exact="84") == [
        "Arnaud",
        "Blanc",
        "Chevalier",
        "Durand",
        "Etienne",
    ]
    assert noms(q="villeurbanne") == ["Arnaud", "Blanc"]
    assert noms(q=world.bourg.siret) == ["Chevalier"]


def test_the_change_form_loads_in_bounded_queries(world, equipe):
    page = f"{CONSEILLERS}{world.denis.pk}/change/"
    two_contracts = queries(equipe, page)
    for year in (2019, 2020, 2021):
        Contrat.objects.create(
            conseiller=world.denis,
            structure=world.bourg,
            type_contrat="CDD",
            date_debut=datetime.date(year, 1, 1),
            date_fin=datetime.date(year, 6, 30),
        )
    assert queries(equipe, page) == two_contracts
    content = equipe.get(page).content.decode()
    assert "Association Lyon Numérique" in content and "Mairie de Villeurbanne" in content


def test_inviting_conseillers_not_yet_activated(world, equipe):
    response = action(equipe, CONSEILLERS, "inviter", [world.bruno, world.alice])
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[world.bruno.email_pro]]
    # His fiche is linked to an account when he accepts the invitation (SPEC §18), not before.
    world.bruno.refresh_from_db()
    assert world.bruno.user is None and world.bruno.invitations.count() == 1
    assert LogEntry.objects.get(object_id=str(world.bruno.pk)).get_change_message() == (
        f"Invitation à l'Espace Coop envoyée à {world.bruno.email_pro}."
    )
    messages = [str(m) for m in equipe.get(CONSEILLERS).context["messages"]]
    assert "1 invitation envoyée." in messages
    assert any("déjà activé" in message for message in messages)

    # Resending: the first link stops working.
    action(equipe, CONSEILLERS, "inviter", [world.bruno])
    assert world.bruno.invitations.pending().count() == 1 and len(mail.outbox) == 2


def test_marking_certified_asks_the_date_first(world, equipe):
    page = action(equipe, CONSEILLERS, "certifier", [world.bruno, world.alice])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Date de certification CCP1" in content and "Bruno Blanc" in content
    assert "Sélection : 2 conseillers" in content

    future = timezone.localdate() + datetime.timedelta(days=1)
    refused = action(
        equipe, CONSEILLERS, "certifier", [world.bruno], confirmer="1", date_certification=future
    )
    assert "ne peut pas être dans le futur" in refused.content.decode()
    world.bruno.refresh_from_db()
    assert world.bruno.date_certification is None

    done = action(
        equipe,
        CONSEILLERS,
        "certifier",
        [world.bruno, world.alice],
        confirmer="1",
        date_certification="2025-03-14",
    )
    assert done.status_code == 302
    world.bruno.refresh_from_db()
    world.alice.refresh_from_db()
    assert world.bruno.date_certification == datetime.date(2025, 3, 14)
    assert world.alice.date_certification == datetime.date(2023, 6, 1)  # already certified: unchanged
    assert LogEntry.objects.get(object_id=str(world.bruno.pk)).get_change_message() == (
        "Certification CCP1 enregistrée au 14/03/2025."
    )
    assert not LogEntry.objects.filter(object_id=str(world.alice.pk)).exists()
    assert [str(m) for m in equipe.get(CONSEILLERS).context["messages"]] == [
        "1 conseiller marqué certifié.",
        "1 conseiller déjà certifié : sa date est inchangée (corrigez-la sur la fiche).",
    ]


def test_certifying_from_the_list_of_uncertified_counts_the_selection_before(world, equipe):
    """Filtered on « certifié : non », the list no longer holds them once certified: no « -1 déjà
    certifiés »."""
    action(
        equipe,
        f"{CONSEILLERS}?certifie=non",
        "certifier",
        [world.bruno],
        confirmer="1",
        date_certification="2025-03-14",
    )

    assert [str(m) for m in equipe.get(CONSEILLERS).context["messages"]] == ["1 conseiller marqué certifié."]


def test_ending_an_employment_asks_the_date_and_the_motif(world, equipe):
    page = action(equipe, CONSEILLERS, "rompre", [world.alice, world.fabrice])
    assert "Motif" in page.content.decode()
    response = action(
        equipe,
        CONSEILLERS,
        "rompre",
        [world.alice, world.fabrice],
        confirmer="1",
        date_rupture="2025-06-01",
        motif=MotifRupture.DEMISSION,
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.structure is None and world.alice.statut == StatutConseiller.RUPTURE
    contrat = world.alice.contrats.get()
    assert (contrat.date_rupture, contrat.motif_rupture) == (
        datetime.date(2025, 6, 1),
        MotifRupture.DEMISSION,
    )
    assert LogEntry.objects.get(
        object_id=str(world.alice.pk), content_type__model="conseiller"
    ).change_message == ("Rupture du contrat avec Mairie de Villeurbanne le 01/06/2025 (Démission).")
    messages = [str(m) for m in equipe.get(CONSEILLERS).context["messages"]]
    assert "Sans changement : Fabrice Fournier : aucun contrat en cours." in messages


def test_a_new_contract_from_the_conseiller_page_closes_the_one_still_open(world, equipe):
    page = f"{CONSEILLERS}{world.alice.pk}/change/"
    form = equipe.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data |= {
        "conseillers_coordonnes": [],
        "departements_coordonnes": [],
        "regions_coordonnees": [],
        "contrats-TOTAL_FORMS": "1",
        "contrats-INITIAL_FORMS": "1",
        "contrats-0-id": world.alice.contrats.get().pk,
        "contrats-0-conseiller": world.alice.pk,
        "contrats-0-type_contrat": "CDD",
        "contrats-0-date_debut": "2023-01-01",
        "contrats-2-TOTAL_FORMS": "1",
        "contrats-2-INITIAL_FORMS": "0",
        "contrats-2-0-structure": world.bourg.pk,
        "contrats-2-0-type_contrat": "CDI",
        "contrats-2-0-date_debut": "2025-09-01",
    }
    response = equipe.post(page, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    world.alice.refresh_from_db()
    assert world.alice.structure == world.bourg
    ancien = world.alice.contrats.get(structure=world.villeurbanne)
    assert ancien.date_fin == datetime.date(2025, 8, 31)
    assert "Ajout de contrat" in LogEntry.objects.get(object_id=str(world.alice.pk)).get_change_message()


def test_a_contract_starting_before_a_later_one_is_refused_on_the_form(world, equipe):
    page = f"{CONSEILLERS}{world.denis.pk}/change/"
    form = equipe.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    contrats = list(world.denis.contrats.order_by("date_debut"))
    data |= {
        "conseillers_coordonnes": [],
        "departements_coordonnes": [],
        "regions_coordonnees": [],
        "contrats-TOTAL_FORMS": "2",
        "contrats-INITIAL_FORMS": "2",
        "contrats-2-TOTAL_FORMS": "1",
        "contrats-2-INITIAL_FORMS": "0",
        "contrats-2-0-structure": world.bourg.pk,
        "contrats-2-0-type_contrat": "CDI",
        "contrats-2-0-date_debut": "2024-03-01",
    }
    for index, contrat in enumerate(contrats):
        data |= {
            f"contrats-{index}-id": contrat.pk,
            f"contrats-{index}-conseiller": world.denis.pk,
            f"contrats-{index}-type_contrat": contrat.type_contrat,
            f"contrats-{index}-date_debut": contrat.date_debut.isoformat(),
            f"contrats-{index}-date_rupture": contrat.date_rupture.isoformat()
            if contrat.date_rupture
            else "",
            f"contrats-{index}-motif_rupture": contrat.motif_rupture,
        }
    response = equipe.post(page, data)
    assert response.status_code == 200
    assert (
        "Un contrat avec Association Lyon Numérique commence déjà le 01/03/2024." in response.content.decode()
    )
    assert world.denis.contrats.count() == 2


def test_the_contracts_list_and_a_correction_refreshes_the_situation(world, equipe):
    few = queries(equipe, CONTRATS)
    for _ in range(10):
        ConseillerFactory(structure=world.bourg)
    assert queries(equipe, CONTRATS) == few
    en_cours = colonne(equipe.get(CONTRATS, {"en_cours": "non"}), "conseiller_lien")
    assert sorted(en_cours) == ["Denis Durand", "Fabrice Fournier"]

    contrat = world.alice.contrats.get()
    response = equipe.post(
        f"{CONTRATS}{contrat.pk}/change/",
        {
            "type_contrat": "CDD",
            "date_debut": "2023-01-01",
            "date_fin": "2024-12-31",
            "date_rupture": "",
            "motif_rupture": "",
        },
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.structure is None and world.alice.statut == StatutConseiller.TERMINE
    assert LogEntry.objects.get(object_id=str(contrat.pk)).get_change_message() == (
        "Modification de Date de fin de contrat (vide → 31/12/2024)."
    )


def test_the_lieux_list_counts_their_conseillers_in_constant_queries(world, equipe):
    lieu = Permanence.objects.create(structure=world.villeurbanne, **PLACE)
    lieu.conseillers.add(world.alice, world.bruno)
    few = queries(equipe, "/admin/conseillers/permanence/")
    for index in range(8):
        autre = Permanence.objects.create(structure=world.bourg, **{**PLACE, "nom": f"Lieu {index}"})
        autre.conseillers.add(world.chloe)
    assert queries(equipe, "/admin/conseillers/permanence/") == few
    assert colonne(equipe.get("/admin/conseillers/permanence/", {"q": "Rize"}), "nombre_conseillers") == ["2"]
    assert queries(equipe, f"/admin/conseillers/permanence/{lieu.pk}/change/") <= 20


def test_the_conseiller_changelist_links_to_his_structure(world, equipe):
    content = equipe.get(CONSEILLERS, {"q": "Arnaud"}).content.decode()
    assert f'href="/admin/structures/structure/{world.villeurbanne.pk}/change/"' in content
    assert Conseiller.objects.count() == 6


def test_adding_a_conseiller_with_his_first_contract(world, equipe):
    response = equipe.post(
        f"{CONSEILLERS}add/",
        {
            "prenom": "Inès",
            "nom": "Benali",
            "email_pro": "ines.benali@conseiller-numerique.fr",
            "contrats-TOTAL_FORMS": "0",
            "contrats-INITIAL_FORMS": "0",
            "contrats-2-TOTAL_FORMS": "1",
            "contrats-2-INITIAL_FORMS": "0",
            "contrats-2-0-structure": world.bourg.pk,
            "contrats-2-0-type_contrat": "CDD",
            "contrats-2-0-date_debut": "2025-10-01",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    ines = Conseiller.objects.get(email_pro="ines.benali@conseiller-numerique.fr")
    assert (ines.structure, ines.statut) == (world.bourg, StatutConseiller.RECRUTE)
    assert LogEntry.objects.get(object_id=str(ines.pk)).action_flag == 1  # ADDITION


def test_the_import_page_of_the_conseillers(world, equipe):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = f"{CONSEILLERS}importer/"
    content = equipe.get(page).content.decode()
    assert "<code>email_pro</code>" in content and "<code>date_debut_contrat</code>" in content
    text = (
        "email_pro;prenom;nom;siret;type_contrat;date_debut_contrat\n"
        f"{world.alice.email_pro};Alice;Arnaud;{world.lyon_asso.siret};CDI;01/09/2025\n"
    )
    upload = SimpleUploadedFile("mutations.csv", text.encode("utf-8-sig"), content_type="text/csv")
    content = equipe.post(page, {"fichier": upload, "mode": "import", "encodage": "auto"}).content.decode()
    assert "Import enregistré. 1 ligne(s) lue(s) : 0 création(s), 1 modification(s)" in content
    assert "UTF-8 avec BOM" in content
    world.alice.refresh_from_db()
    assert world.alice.structure == world.lyon_asso
