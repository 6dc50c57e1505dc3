"""The conseiller's lieux d'activité through HTTP (/coop/lieux/): list, create, edit, remove, attach."""

from types import SimpleNamespace

import pytest

from accounts.enums import RoleKind
from accounts.services import conseiller_account_link
from conseillers import services
from conseillers.models import Permanence, PermanenceConseiller
from cra import services as cra_services
from cra.models import Cra
from structures.models import CodePostal, Commune
from tests.conseillers.factories import PLACE
from tests.cra.factories import cra_data


def place(**overrides):
    return {**PLACE, **overrides}


def form_data(**overrides):
    """The lieu form as the browser sends it (an unchecked box is not sent)."""
    data = {name: value for name, value in place(**overrides).items() if value is not False}
    return {name: "on" if value is True else value for name, value in data.items()}


@pytest.fixture
def alice(world, login_as):
    return login_as(world.alice.user)


@pytest.fixture
def rize(world):
    return services.permanence_create(conseiller=world.alice, fields=place(), principale=True)


@pytest.fixture
def bus(world):
    """A lieu of Alice's structure that only Bruno works at."""
    return services.permanence_create(
        conseiller=world.bruno,
        fields=place(nom="Bus numérique", adresse="Place des Buers", itinerant=True, horaires="Le mardi"),
    )


@pytest.fixture
def bourg(world):
    """A lieu of another structure (Chloé's)."""
    return services.permanence_create(
        conseiller=world.chloe,
        fields=place(
            nom="Médiathèque de Bourg", code_postal="01000", code_commune="01053", nom_commune="Bourg"
        ),
    )


# --- Access ------------------------------------------------------------------------------------------


def lieux_urls(lieu):
    return [
        "/coop/lieux/",
        "/coop/lieux/nouveau/",
        f"/coop/lieux/{lieu.pk}/modifier/",
        f"/coop/lieux/{lieu.pk}/retirer/",
    ]


@pytest.mark.parametrize("account", ["gestionnaire_villeurbanne", "prefet_rhone", "hub", "admin"])
def test_pilotage_roles_get_403(world, rize, bus, login_as, account):
    client = login_as(getattr(world, account))

    for url in lieux_urls(rize):
        assert client.get(url).status_code == 403, url
    assert client.post("/coop/lieux/nouveau/", form_data(nom="Autre")).status_code == 403
    assert client.post(f"/coop/lieux/{rize.pk}/retirer/").status_code == 403
    assert client.post(f"/coop/lieux/{bus.pk}/rattacher/").status_code == 403
    assert Permanence.objects.count() == 2


def test_anonymous_is_sent_to_login(world, rize, client):
    for url in lieux_urls(rize):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_a_coordinateur_manages_his_lieux(world, login_as):
    client = login_as(world.emma.user, RoleKind.COORDINATEUR)

    assert client.get("/coop/lieux/").status_code == 200


# --- List ----------------------------------------------------------------------------------------------


def test_list_shows_his_lieux_and_those_of_his_structure(world, rize, bus, bourg, alice):
    services.permanence_create(
        conseiller=world.alice, fields=place(nom="Mairie annexe", adresse="1 place", type_acces="rdv")
    )

    html = alice.get("/coop/lieux/").content.decode()

    mine, others = html.split("Lieux de votre structure")
    assert mine.index("Médiathèque Le Rize") < mine.index("Mairie annexe")  # the principal one first
    assert mine.count("Lieu principal") == 1
    assert "Sur rendez-vous" in mine and "Accès libre" in mine
    assert f'href="/coop/lieux/{rize.pk}/modifier/"' in mine
    assert f'href="/coop/lieux/{rize.pk}/retirer/"' in mine
    assert "Bus numérique" in others and "itinérant" in others
    assert f'<form method="post" action="/coop/lieux/{bus.pk}/rattacher/"' in others
    assert "M&#x27;y rattacher" in others or "M'y rattacher" in others
    assert "Bourg" not in html
    assert 'href="/coop/lieux/nouveau/"' in html


def test_list_empty_state(world, alice):
    html = alice.get("/coop/lieux/").content.decode()

    assert "Vous n'avez encore aucun lieu d'activité" in html
    assert "Lieux de votre structure" not in html


def test_list_query_count(world, rize, bus, alice, django_assert_num_queries):
    for index in range(5):
        services.permanence_create(conseiller=world.alice, fields=place(nom=f"Lieu {index}"))
        services.permanence_create(conseiller=world.bruno, fields=place(nom=f"Lieu de Bruno {index}"))

    # 1. session  2. user  3. the account's roles with their scope and conseiller  4. his lieux, each with
    # whether it is his principal one  5. the other lieux of his structure.
    with django_assert_num_queries(5):
        assert alice.get("/coop/lieux/").status_code == 200


# --- Create and edit -----------------------------------------------------------------------------------


def test_create_a_lieu(world, alice):
    assert alice.get("/coop/lieux/nouveau/").status_code == 200

    response = alice.post("/coop/lieux/nouveau/", form_data(principale=True, itinerant=True))

    assert response.status_code == 302 and response.url == "/coop/lieux/"
    lieu = Permanence.objects.get()
    assert (lieu.structure, lieu.nom, lieu.itinerant) == (world.villeurbanne, "Médiathèque Le Rize", True)
    assert PermanenceConseiller.objects.get(permanence=lieu, conseiller=world.alice).principale
    assert "Le lieu d&#x27;activité est enregistré." in alice.get("/coop/lieux/").content.decode()


def test_create_refuses_a_place_of_the_structure_twice(world, bus, alice):
    response = alice.post("/coop/lieux/nouveau/", form_data(nom="BUS  numerique", adresse="place des Buers"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Le lieu « Bus numérique » existe déjà pour votre structure" in html
    assert 'id="erreurs-formulaire"' in html
    assert 'value="BUS  numerique"' in html
    assert Permanence.objects.count() == 1


def test_create_shows_field_errors(world, alice):
    response = alice.post("/coop/lieux/nouveau/", form_data(nom="", code_postal="691"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_nom">' in html
    assert "Indiquez un code postal de 5 chiffres." in html
    assert not Permanence.objects.exists()


def test_edit_a_lieu(world, rize, alice):
    html = alice.get(f"/coop/lieux/{rize.pk}/modifier/").content.decode()
    assert "Modifier le lieu « Médiathèque Le Rize »" in html
    assert 'value="2 rue Valentin-Haüy"' in html

    response = alice.post(
        f"/coop/lieux/{rize.pk}/modifier/", form_data(horaires="Du lundi au vendredi", type_acces="rdv")
    )

    assert response.status_code == 302
    rize.refresh_from_db()
    assert (rize.horaires, rize.type_acces) == ("Du lundi au vendredi", "rdv")
    # "principale" was not sent: it is no longer his principal lieu.
    assert not PermanenceConseiller.objects.get(permanence=rize, conseiller=world.alice).principale


def test_another_conseillers_lieu_is_a_404(world, rize, bus, bourg, alice):
    for lieu in (bus, bourg):
        assert alice.get(f"/coop/lieux/{lieu.pk}/modifier/").status_code == 404
        assert alice.post(f"/coop/lieux/{lieu.pk}/modifier/", form_data(nom="Piraté")).status_code == 404
        assert alice.get(f"/coop/lieux/{lieu.pk}/retirer/").status_code == 404
        assert alice.post(f"/coop/lieux/{lieu.pk}/retirer/").status_code == 404
    assert set(Permanence.objects.values_list("nom", flat=True)) == {
        "Médiathèque Le Rize",
        "Bus numérique",
        "Médiathèque de Bourg",
    }


# --- A conseiller who left ----------------------------------------------------------------------------


@pytest.fixture(params=["denis", "fabrice"])
def former(request, world, login_as):
    """A conseiller who left a structure, logged in, and a lieu of that structure where he alone worked:
    Denis left Villeurbanne for the association; Fabrice left Bourg and has no structure now."""
    conseiller = getattr(world, request.param)
    ancienne = {"denis": world.villeurbanne, "fabrice": world.bourg}[request.param]
    lieu = Permanence.objects.create(structure=ancienne, **place(nom="Maison France services"))
    PermanenceConseiller.objects.create(conseiller=conseiller, permanence=lieu, principale=True)
    client = login_as(conseiller_account_link(conseiller=conseiller))
    return SimpleNamespace(conseiller=conseiller, lieu=lieu, client=client)


def test_a_conseiller_who_left_cannot_edit_his_former_structures_lieu(former):
    url = f"/coop/lieux/{former.lieu.pk}/modifier/"

    assert former.client.get(url).status_code == 404
    assert former.client.post(url, form_data(nom="Pris", principale=True)).status_code == 404

    former.lieu.refresh_from_db()
    assert former.lieu.nom == "Maison France services"


def test_a_conseiller_who_left_cannot_remove_his_former_structures_lieu(former):
    url = f"/coop/lieux/{former.lieu.pk}/retirer/"

    assert former.client.get(url).status_code == 404
    assert former.client.post(url).status_code == 404

    assert list(former.lieu.conseillers.all()) == [former.conseiller]


def test_a_conseiller_who_left_no_longer_lists_his_former_structures_lieu(former):
    html = former.client.get("/coop/lieux/").content.decode()

    assert "Maison France services" not in html
    assert f"/coop/lieux/{former.lieu.pk}/" not in html


# --- Remove and attach ---------------------------------------------------------------------------------


def test_remove_asks_then_deletes_a_lieu_nobody_else_uses(world, rize, alice):
    cra = cra_services.cra_create(conseiller=world.alice, user=None, data=cra_data(permanence=rize.pk))

    html = alice.get(f"/coop/lieux/{rize.pk}/retirer/").content.decode()
    assert "n'est supprimé que si personne d'autre n'y travaille" in html
    assert "gardent leur code postal et leur commune" in html
    assert "C'est votre lieu principal" in html
    assert Permanence.objects.filter(pk=rize.pk).exists()

    response = alice.post(f"/coop/lieux/{rize.pk}/retirer/")

    assert response.status_code == 302 and response.url == "/coop/lieux/"
    assert not Permanence.objects.filter(pk=rize.pk).exists()
    cra = Cra.objects.get(pk=cra.pk)
    assert (cra.permanence, cra.code_postal, cra.nom_commune) == (None, "69100", "Villeurbanne")
    assert "Le lieu « Médiathèque Le Rize » est supprimé." in alice.get("/coop/lieux/").content.decode()


def test_remove_a_shared_lieu_only_detaches(world, rize, alice):
    services.permanence_attach(conseiller=world.bruno, permanence=rize)

    alice.post(f"/coop/lieux/{rize.pk}/retirer/")

    assert list(rize.conseillers.all()) == [world.bruno]
    assert "est retiré de vos lieux" in alice.get("/coop/lieux/").content.decode()


def test_attach_to_a_lieu_of_his_structure(world, bus, alice):
    assert alice.get(f"/coop/lieux/{bus.pk}/rattacher/").status_code == 405

    response = alice.post(f"/coop/lieux/{bus.pk}/rattacher/")

    assert response.status_code == 302 and response.url == "/coop/lieux/"
    assert set(bus.conseillers.all()) == {world.alice, world.bruno}
    html = alice.get("/coop/lieux/").content.decode()
    assert "Le lieu « Bus numérique » est ajouté à vos lieux d&#x27;activité." in html
    assert "Lieux de votre structure" not in html


def test_another_structures_lieu_cannot_be_attached(world, bourg, alice):
    assert alice.post(f"/coop/lieux/{bourg.pk}/rattacher/").status_code == 404
    assert list(bourg.conseillers.all()) == [world.chloe]


def test_with_the_referentiel_a_lieu_takes_its_postal_codes_only_commune(world, alice):
    CodePostal.objects.create(
        code="69100",
        commune=Commune.objects.create(code_insee="69266", nom="Villeurbanne", departement=world.rhone),
    )
    assert "Code INSEE" not in alice.get("/coop/lieux/nouveau/").content.decode()

    response = alice.post("/coop/lieux/nouveau/", form_data(code_commune="", nom_commune=""))

    assert response.status_code == 302
    assert (Permanence.objects.get().code_commune, Permanence.objects.get().nom_commune) == (
        "69266",
        "Villeurbanne",
    )
