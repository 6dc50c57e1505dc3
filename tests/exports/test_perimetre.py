"""Every export re-checks its requester's scope (SPEC §18): when it is made, relaunched and downloaded, from
the role it was asked in, as that role is now — a préfet moved to another département, a coordinator whose
team changed, a role taken away."""

import datetime

import pytest

from accounts.models import Role
from accounts.services import role_grant
from cnfs.exports import production
from cnfs.exports.models import Export
from cnfs.pages import exports as export_views
from tests.exports.test_exports import read_csv
from tests.stats.factories import make_cra, recompute_once

DU, AU = datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)
RHONE_CRA = f"/pilotage/territoires/departement/69/?du={DU}&au={AU}"
PERIMETRE_PERDU = "Vous n&#x27;avez plus accès à ce périmètre"


@pytest.fixture
def cras(world):
    with recompute_once():
        make_cra(world.alice, date=datetime.date(2024, 2, 1))  # Villeurbanne, Rhône
        make_cra(world.chloe, date=datetime.date(2024, 3, 5), code_postal="01000")  # Bourg, Ain


@pytest.fixture
def in_background(monkeypatch):
    """Every CRA and conseillers export is made in the background."""
    monkeypatch.setattr(export_views, "CRA_DIRECT_MAX", 0)
    monkeypatch.setattr(export_views, "CSV_DIRECT_MAX", 0)


def _ask(client, url, capture, *, made=True, **data):
    """Asks an export (POST `data`; a list's with export=csv) and returns it, made or still queued."""
    with capture(execute=made) as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302 and response.url == "/exports/"
    return Export.objects.latest("pk"), callbacks


def _move(user, departement):
    Role.objects.filter(user=user).update(departement=departement)


def _download(client, export):
    return client.get(f"/exports/{export.pk}/telecharger/")


def test_a_prefet_moved_to_another_departement_gets_no_more_of_its_cras(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.prefet_rhone)
    export, _ = _ask(client, RHONE_CRA, django_capture_on_commit_callbacks, export="cra")
    assert export.etat == Export.Etat.TERMINE and _download(client, export).status_code == 200

    _move(world.prefet_rhone, world.ain)

    response = _download(client, export)
    assert response.status_code == 403 and PERIMETRE_PERDU in response.content.decode()


def test_an_export_made_after_its_requester_lost_the_scope_fails_with_the_reason(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.prefet_rhone)
    export, callbacks = _ask(client, RHONE_CRA, django_capture_on_commit_callbacks, made=False, export="cra")
    _move(world.prefet_rhone, world.ain)

    for callback in callbacks:
        callback()

    export.refresh_from_db()
    assert (export.etat, bool(export.fichier)) == (Export.Etat.ECHEC, False)
    assert export.erreur.startswith("Vous n'avez plus accès à ce périmètre")
    assert PERIMETRE_PERDU in client.get("/exports/").content.decode()


def test_a_relaunch_after_the_scope_was_lost_is_refused_and_queues_nothing(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.prefet_rhone)
    export, _ = _ask(client, RHONE_CRA, django_capture_on_commit_callbacks, export="cra")
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.EXPIRE, fichier="")
    _move(world.prefet_rhone, world.ain)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/exports/{export.pk}/relancer/", follow=True)

    assert callbacks == []
    assert PERIMETRE_PERDU in response.content.decode()
    export.refresh_from_db()
    assert (export.etat, bool(export.fichier)) == (Export.Etat.EXPIRE, False)


def test_the_figures_of_any_territory_stay_readable_after_a_move(
    world, cras, login_as, django_capture_on_commit_callbacks
):
    """Every pilotage role reads every territory's figures (SPEC §2): its PDF stays his."""
    client = login_as(world.prefet_rhone)
    export, _ = _ask(client, RHONE_CRA, django_capture_on_commit_callbacks, export="pdf")
    _move(world.prefet_rhone, world.ain)

    assert _download(client, export).status_code == 200
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.EXPIRE, fichier="")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exports/{export.pk}/relancer/")
    export.refresh_from_db()
    assert export.etat == Export.Etat.TERMINE


def test_a_conseillers_list_is_not_served_once_its_territory_is_lost(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.prefet_rhone)
    export, _ = _ask(client, "/pilotage/", django_capture_on_commit_callbacks, export="csv")
    assert export.etat == Export.Etat.TERMINE and _download(client, export).status_code == 200
    capture = django_capture_on_commit_callbacks
    queued, callbacks = _ask(client, "/pilotage/", capture, made=False, export="csv")

    _move(world.prefet_rhone, world.ain)
    for callback in callbacks:
        callback()

    assert _download(client, export).status_code == 403
    queued.refresh_from_db()
    # Not the Ain's list under the Rhône's name: nothing.
    assert (queued.etat, bool(queued.fichier)) == (Export.Etat.ECHEC, False)


def _team_cras(client, capture, *, made=True):
    url = f"/pilotage/equipe/statistiques/?du={DU}&au={AU}"
    return _ask(client, url, capture, made=made, export="cra")


def test_a_coordinators_team_export_has_his_team_as_it_is_when_made(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.emma.user)
    export, callbacks = _team_cras(client, django_capture_on_commit_callbacks, made=False)
    world.emma.conseillers_coordonnes.remove(world.alice)  # Alice leaves Emma's team

    for callback in callbacks:
        callback()

    export.refresh_from_db()
    assert export.etat == Export.Etat.TERMINE
    rows = read_csv(_download(client, export).getvalue())
    assert [row[3] for row in rows[1:]] == ["Chevalier"]  # Chloé (the Ain), no more Alice


def test_a_team_file_is_not_served_once_a_member_left_the_team(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    client = login_as(world.emma.user)
    export, _ = _team_cras(client, django_capture_on_commit_callbacks)
    assert {row[3] for row in read_csv(_download(client, export).getvalue())[1:]} == {"Arnaud", "Chevalier"}

    world.emma.conseillers_coordonnes.remove(world.alice)

    assert _download(client, export).status_code == 403


def test_an_export_of_a_role_taken_away_since_is_neither_served_nor_made(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks
):
    role_grant(user=world.prefet_rhone, kind="prefet", departement=world.ain)
    client = login_as(world.prefet_rhone)
    rhone = Role.objects.get(user=world.prefet_rhone, departement=world.rhone)
    session = client.session
    session["active_role_id"] = rhone.pk
    session.save()
    export, _ = _ask(client, RHONE_CRA, django_capture_on_commit_callbacks, export="pdf")

    rhone.delete()  # he is now the Ain's préfet only

    assert _download(client, export).status_code == 403
    Export.objects.filter(pk=export.pk).update(etat=Export.Etat.EN_ATTENTE, fichier="")
    production.export_make(export.pk)
    export.refresh_from_db()
    assert export.etat == Export.Etat.ECHEC and not export.fichier


def test_the_ready_mail_quotes_the_names_typed_by_people(
    world, cras, in_background, login_as, django_capture_on_commit_callbacks, mailoutbox
):
    world.villeurbanne.nom = "Mairie\n\nCliquez ici : https://exemple.invalid/"
    world.villeurbanne.save()
    client = login_as(world.gestionnaire_villeurbanne)

    _ask(
        client,
        f"/pilotage/structures/{world.villeurbanne.pk}/statistiques/?du={DU}&au={AU}",
        django_capture_on_commit_callbacks,
        export="pdf",
    )

    body = mailoutbox[-1].body
    assert "\nCliquez ici" not in body
    assert "« Statistiques" in body and "Mairie Cliquez ici : https://exemple.invalid/" in body
