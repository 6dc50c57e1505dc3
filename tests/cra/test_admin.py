"""The CRAs in the admin: read-only, their history of changes shown, a soft-deleted CRA restored (and its
statistics recomputed), the list in constant queries."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry

from conseillers.models import Permanence, PermanenceConseiller
from cra import services
from cra.models import Cra, CraHistorique
from stats.models import AgregatJour
from tests.conseillers.factories import PLACE
from tests.cra.factories import cra_data
from tests.outils_admin import action, colonne, queries
from tests.stats.factories import make_cra

CRAS = "/admin/cra/cra/"


@pytest.fixture
def equipe(world, client):
    client.force_login(world.admin)
    return client


@pytest.fixture
def lieu(world):
    permanence = Permanence.objects.create(structure=world.villeurbanne, **PLACE)
    PermanenceConseiller.objects.create(permanence=permanence, conseiller=world.alice, principale=True)
    return permanence


def _cra(world, lieu, **overrides):
    data = cra_data(**{"date_accompagnement": datetime.date(2025, 3, 12), "permanence": lieu.pk, **overrides})
    return services.cra_create(conseiller=world.alice, user=world.alice.user, data=data)


def test_the_list_in_constant_queries(world, equipe):
    make_cra(world.alice)
    few = queries(equipe, CRAS)
    for day in range(20):
        make_cra(
            world.chloe, date=datetime.date(2023, 5, 1) + datetime.timedelta(days=day), deleted=day % 2 == 0
        )
    # session, account, roles (middleware), permissions, the page count, the page (CRAs with their
    # conseiller and structure), the régions of the filter, the date hierarchy's bounds (twice).
    assert queries(equipe, CRAS) == few <= 11
    response = equipe.get(CRAS, {"q": world.chloe.email_pro, "supprime": "oui"})
    assert colonne(response, "conseiller_lien") == ["Chloé Chevalier"] * 10
    assert colonne(response, "structure_lien")[0] == "Mairie de Bourg-en-Bresse"


def test_the_date_hierarchy_lists_years_then_months(world, equipe):
    make_cra(world.alice, date=datetime.date(2022, 11, 3))
    make_cra(world.alice, date=datetime.date(2024, 2, 15))
    content = equipe.get(CRAS).content.decode()
    assert "date_accompagnement__year=2022" in content and "date_accompagnement__year=2024" in content
    content = equipe.get(CRAS, {"date_accompagnement__year": "2024"}).content.decode()
    assert "date_accompagnement__month=2" in content
    assert colonne(equipe.get(CRAS, {"date_accompagnement__year": "2024"}), "date_accompagnement") == [
        "15 février 2024"
    ]


def test_the_change_form_is_read_only_with_the_history(world, equipe, lieu):
    cra = _cra(world, lieu)
    data = cra_data(
        date_accompagnement=cra.date_accompagnement,
        permanence=lieu.pk,
        annotation="Rappel",
        themes=["courriel", "sante"],
        duree="60+",
        duree_minutes=90,
    )
    services.cra_update(cra=cra, user=world.alice.user, data=data)
    page = f"{CRAS}{cra.pk}/change/"
    assert queries(equipe, page) <= 14
    content = equipe.get(page).content.decode()
    assert 'name="_save"' not in content
    assert "Création" in content and "Modification" in content
    assert "date de l&#x27;accompagnement : vide → 12/03/2025" in content
    assert "annotation : vide → Rappel" in content
    assert "thèmes : Gérer ses courriels → Gérer ses courriels, Santé" in content
    assert "durée : 30 min à 1 h → 1 h ou plus" in content
    assert "Gérer ses courriels, Santé" in content  # the themes, readable
    assert equipe.post(page, {"annotation": "Changée"}).status_code == 403


def test_the_history_reads_in_french_with_paris_times_and_names(world, equipe, lieu):
    cra = _cra(world, lieu)
    CraHistorique.objects.filter(cra=cra).update(
        at=datetime.datetime(2025, 3, 12, 23, 30, tzinfo=datetime.UTC)
    )
    mediatheque = Permanence.objects.create(structure=world.villeurbanne, **{**PLACE, "nom": "Médiathèque"})
    PermanenceConseiller.objects.create(permanence=mediatheque, conseiller=world.alice)
    data = cra_data(date_accompagnement=cra.date_accompagnement, permanence=mediatheque.pk)
    services.cra_update(cra=cra, user=world.alice.user, data=data)

    content = equipe.get(f"{CRAS}{cra.pk}/change/").content.decode()

    history = content.split("Historique des modifications", 1)[1]
    assert "Création du 13/03/2025 à 00:30" in history  # Paris time, not UTC's 23:30 of the 12th
    assert re.search(r'<th class="column-auteur">\s*Par\s*</th>', history)  # not Django's « User »
    assert f"{world.alice.user.get_full_name()} ({world.alice.user.email})" in history
    assert f"structure : vide → {world.villeurbanne}" in history
    assert f"lieu d&#x27;activité : {lieu} → {mediatheque}" in history
    assert "annotation : vide → vide" not in history  # a creation shows the fields it filled


def test_restoring_a_deleted_cra_counts_it_again(world, equipe, lieu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cra = _cra(world, lieu)
        services.cra_delete(cra=cra, user=world.alice.user)
    assert not AgregatJour.objects.filter(conseiller=world.alice).exists()
    autre = _cra(world, lieu, date_accompagnement=datetime.date(2025, 3, 13))

    with django_capture_on_commit_callbacks(execute=True):
        response = action(equipe, CRAS, "restaurer", [cra, autre])
    assert response.status_code == 302
    cra.refresh_from_db()
    assert cra.deleted_at is None
    assert AgregatJour.objects.get(conseiller=world.alice, jour=cra.date_accompagnement).cra == 1
    historique = CraHistorique.objects.filter(cra=cra).order_by("pk").last()
    assert (historique.action, historique.user) == (CraHistorique.Action.RESTAURATION, world.admin)
    assert (
        LogEntry.objects.get(object_id=str(cra.pk)).get_change_message().startswith("Restauré (supprimé le ")
    )
    messages = [str(m) for m in equipe.get(CRAS).context["messages"]]
    assert messages == [
        "1 compte rendu restauré : il compte de nouveau dans les statistiques.",
        "1 compte rendu n'était pas supprimé.",
    ]


def test_restoring_from_the_list_of_deleted_cras_counts_the_selection_before(world, equipe, lieu):
    """The changelist filtered on « supprimé : oui » no longer holds the restored CRAs afterwards: the
    message said « -1 n'étai(en)t pas supprimé(s) »."""
    cras = [_cra(world, lieu), _cra(world, lieu, date_accompagnement=datetime.date(2025, 3, 13))]
    for cra in cras:
        services.cra_delete(cra=cra, user=world.alice.user)

    action(equipe, f"{CRAS}?supprime=oui", "restaurer", cras)

    messages = [str(m) for m in equipe.get(CRAS).context["messages"]]
    assert messages == ["2 comptes rendus restaurés : ils comptent de nouveau dans les statistiques."]


def test_the_support_cannot_restore(world, client, lieu):
    from django.contrib.auth.models import Group

    from accounts.groupes import SUPPORT
    from tests.accounts.factories import UserFactory

    support = UserFactory(email="support@anct.gouv.fr", is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT))
    client.force_login(support)
    cra = _cra(world, lieu)
    services.cra_delete(cra=cra, user=world.alice.user)
    assert "restaurer" not in client.get(CRAS).content.decode()
    action(client, CRAS, "restaurer", [cra])
    assert Cra.objects.get(pk=cra.pk).deleted_at is not None
