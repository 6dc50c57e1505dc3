import datetime
import uuid

import pytest
from django.db import IntegrityError

from conseillers.models import Permanence, PermanenceConseiller
from cra import services
from cra.models import Cra, CraHistorique, CraRedirection
from cra.services import CraInvalid
from tests.cra.factories import collectif_data, cra_data


@pytest.fixture
def lieu(world):
    permanence = Permanence.objects.create(
        structure=world.villeurbanne,
        nom="Médiathèque Le Rize",
        adresse="2 rue Valentin Haüy",
        code_postal="69100",
        code_commune="69266",
        nom_commune="Villeurbanne",
    )
    PermanenceConseiller.objects.create(permanence=permanence, conseiller=world.alice, principale=True)
    return permanence


def _data(lieu, **overrides):
    day = datetime.date.today() - datetime.timedelta(days=3)
    return cra_data(**{"date_accompagnement": day, "permanence": lieu.pk, **overrides})


def test_create_sets_conseiller_and_structure_on_the_server(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=world.alice.user, data=_data(lieu))

    assert cra.conseiller == world.alice
    assert cra.structure == world.villeurbanne
    assert (cra.code_postal, cra.code_commune, cra.nom_commune) == ("69100", "69266", "Villeurbanne")
    assert cra.theme_keys == ["courriel"]


def test_structure_is_the_employer_on_the_date_of_the_accompaniment(world):
    # Denis worked in Villeurbanne until 1 March 2024, then for the association: a lieu of each.
    lieux = {}
    for structure in (world.villeurbanne, world.lyon_asso):
        lieux[structure] = Permanence.objects.create(
            structure=structure,
            nom="Local",
            adresse="1 rue",
            code_postal="69003",
            code_commune="69383",
            nom_commune="Lyon",
        )
        PermanenceConseiller.objects.create(permanence=lieux[structure], conseiller=world.denis)

    before = services.cra_create(
        conseiller=world.denis,
        user=None,
        data=cra_data(date_accompagnement=datetime.date(2023, 5, 2), permanence=lieux[world.villeurbanne].pk),
    )
    after = services.cra_create(
        conseiller=world.denis,
        user=None,
        data=cra_data(date_accompagnement=datetime.date(2024, 5, 2), permanence=lieux[world.lyon_asso].pk),
    )

    assert before.structure == world.villeurbanne
    assert after.structure == world.lyon_asso


def test_a_date_before_the_first_employment_is_refused(world, lieu):
    with pytest.raises(CraInvalid) as error:
        services.cra_create(
            conseiller=world.alice, user=None, data=_data(lieu, date_accompagnement=datetime.date(2022, 6, 1))
        )

    assert "aucune structure le 01/06/2022" in error.value.message_dict["date_accompagnement"][0]
    assert not Cra.objects.exists()


def test_another_conseillers_lieu_is_refused(world, lieu):
    with pytest.raises(CraInvalid) as error:
        services.cra_create(conseiller=world.bruno, user=None, data=_data(lieu))

    assert error.value.message_dict["permanence"] == ["Ce lieu d'activité ne fait pas partie des vôtres."]


def test_same_idempotency_key_creates_one_cra(world, lieu):
    key = uuid.uuid4()

    first = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu), idempotency_key=key)
    replay = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu), idempotency_key=key)

    assert replay.pk == first.pk
    assert Cra.objects.count() == 1
    assert CraHistorique.objects.count() == 1


def test_redirections_are_stored_with_their_total(world, lieu):
    data = collectif_data(
        participants=6,
        permanence=lieu.pk,
        date_accompagnement=datetime.date(2025, 1, 7),
        redirections=[
            {"organisme": "CAF", "nombre": 2},
            {"organisme": "AUTRE", "nom_autre": "=1+1", "nombre": 1},
        ],
    )

    cra = services.cra_create(conseiller=world.alice, user=None, data=data)

    assert cra.nb_redirections == 3
    assert set(cra.redirections.values_list("organisme", "nom_autre", "nombre")) == {
        ("CAF", "", 2),
        ("AUTRE", "=1+1", 1),
    }


def test_edit_keeps_the_history_of_changed_fields(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=world.alice.user, data=_data(lieu))

    services.cra_update(
        cra=cra, user=world.alice.user, data=_data(lieu, themes=["courriel", "sante"], duree="0-30")
    )

    change = cra.historique.get(action=CraHistorique.Action.MODIFICATION)
    assert change.user == world.alice.user
    assert change.changes == {"themes": [["courriel"], ["courriel", "sante"]], "duree": ["30-60", "0-30"]}
    cra.refresh_from_db()
    assert cra.duree == "0-30"


def test_invalid_edit_changes_nothing(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    with pytest.raises(CraInvalid):
        services.cra_update(cra=cra, user=None, data=_data(lieu, themes=[]))

    cra.refresh_from_db()
    assert cra.theme_keys == ["courriel"]
    assert cra.historique.count() == 1


def test_edit_without_change_adds_no_history(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    services.cra_update(cra=cra, user=None, data=_data(lieu))

    assert cra.historique.count() == 1


def test_soft_delete_and_restore(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    services.cra_delete(cra=cra, user=world.alice.user)
    assert not Cra.objects.actifs().exists()
    assert Cra.objects.filter(pk=cra.pk).exists()

    services.cra_restore(cra=cra, user=world.admin)
    assert Cra.objects.actifs().get() == cra
    assert list(cra.historique.values_list("action", flat=True)) == [
        "creation",
        "suppression",
        "restauration",
    ]


def test_deleting_a_lieu_keeps_its_cras_readable(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    lieu.delete()

    cra.refresh_from_db()
    assert cra.permanence is None
    assert (cra.code_postal, cra.nom_commune) == ("69100", "Villeurbanne")


def test_legacy_themes_only_through_imports(world, lieu):
    data = _data(lieu, themes=["smartphone"])
    with pytest.raises(CraInvalid):
        services.cra_create(conseiller=world.alice, user=None, data=data)

    context = services.cra_context_for(world.alice, legacy_themes_allowed=True)
    assert services.cra_create(conseiller=world.alice, user=None, data=data, context=context).theme_keys == [
        "smartphone"
    ]


def test_commune_referentiel_when_loaded(world):
    from structures.models import CodePostal, Commune

    commune = Commune.objects.create(code_insee="01053", nom="Bourg-en-Bresse", departement=world.ain)
    CodePostal.objects.create(code="01000", commune=commune)
    data = cra_data(
        canal="domicile",
        permanence=None,
        code_postal="01000",
        code_commune="69266",
        nom_commune="Villeurbanne",
        date_accompagnement=datetime.date(2025, 2, 3),
    )

    with pytest.raises(CraInvalid) as error:
        services.cra_create(conseiller=world.alice, user=None, data=data)
    assert error.value.message_dict["code_commune"] == [
        "Cette commune ne correspond pas au code postal 01000."
    ]

    data.update(code_commune="01053", nom_commune="bourg")
    assert services.cra_create(conseiller=world.alice, user=None, data=data).nom_commune == "Bourg-en-Bresse"


@pytest.mark.parametrize(
    "fields",
    [
        {"nb_participants": 2},  # individual session with 2 people
        {"age_35_60": 2},  # ages do not add up
        {"themes": 0},  # no theme
        {"duree": "60+", "duree_minutes": None},
        {"nb_participants_recurrents": 3},
        {"suivi_individuel": 2},
        {"date_accompagnement": datetime.date(2019, 1, 1)},
    ],
)
def test_database_constraints_back_the_rules(world, lieu, fields):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    with pytest.raises(IntegrityError):
        Cra.objects.filter(pk=cra.pk).update(**fields)


def test_autre_redirection_needs_a_name_in_the_database(world, lieu):
    cra = services.cra_create(conseiller=world.alice, user=None, data=_data(lieu))

    with pytest.raises(IntegrityError):
        CraRedirection.objects.create(cra=cra, organisme="AUTRE", nom_autre="", nombre=1)
