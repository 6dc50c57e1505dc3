"""A small named world shared by the tests: two structures of the Rhône, one of the Ain, their people."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import conseiller_account_link, role_grant
from conseillers.enums import MotifRupture, StatutConseiller
from structures.models import Departement, Hub, Region
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conseillers.factories import ConseillerFactory, ContratFactory
from tests.structures.factories import StructureFactory
from tests.utils import StrictClient


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the public figures are cached)."""
    cache.clear()


@pytest.fixture
def client():
    """Every test client checks that the pages it gets respect the CSP (no inline script or style)."""
    return StrictClient()


def _conseiller_with_account(**fields):
    conseiller = ConseillerFactory(date_activation=timezone.now(), **fields)
    user = conseiller_account_link(conseiller=conseiller)
    user.set_password(PASSWORD)
    user.save()
    return conseiller


def _account(email, kind, **scope):
    user = UserFactory(email=email)
    role_grant(user=user, kind=kind, **scope)
    return user


@pytest.fixture
def world(db):
    rhone = Departement.objects.get(code="69")
    ain = Departement.objects.get(code="01")
    w = SimpleNamespace(rhone=rhone, ain=ain, ara=Region.objects.get(code="84"))
    w.hub_ara = Hub.objects.get(departements=rhone)

    # Villeurbanne employs Alice (activated) and Bruno (not activated, not certified); Denis left it.
    w.villeurbanne = StructureFactory(nom="Mairie de Villeurbanne", departement=rhone, dotation=3)
    w.lyon_asso = StructureFactory(nom="Association Lyon Numérique", departement=rhone, code_postal="69003")
    w.bourg = StructureFactory(nom="Mairie de Bourg-en-Bresse", departement=ain, code_postal="01000")

    w.alice = _conseiller_with_account(prenom="Alice", nom="Arnaud", structure=w.villeurbanne)
    w.bruno = ConseillerFactory(
        prenom="Bruno", nom="Blanc", structure=w.villeurbanne, date_certification=None
    )
    w.chloe = _conseiller_with_account(prenom="Chloé", nom="Chevalier", structure=w.bourg)
    # Denis worked in Villeurbanne until 2024, then moved to the association.
    w.denis = ConseillerFactory(prenom="Denis", nom="Durand", structure=w.lyon_asso, contrat=False)
    ContratFactory(
        conseiller=w.denis,
        structure=w.villeurbanne,
        date_debut=datetime.date(2022, 1, 1),
        date_rupture=datetime.date(2024, 3, 1),
        motif_rupture=MotifRupture.NOUVEL_EMPLOI,
    )
    ContratFactory(conseiller=w.denis, structure=w.lyon_asso, date_debut=datetime.date(2024, 3, 1))
    # Emma coordinates Alice (explicitly) and every conseiller of the Ain.
    w.emma = _conseiller_with_account(
        prenom="Emma", nom="Etienne", structure=w.lyon_asso, est_coordinateur=True
    )
    w.emma.conseillers_coordonnes.add(w.alice)
    w.emma.departements_coordonnes.add(ain)
    # Fabrice broke his contract with the Bourg structure: no current structure.
    w.fabrice = ConseillerFactory(
        prenom="Fabrice", nom="Fournier", structure=None, statut=StatutConseiller.RUPTURE
    )
    ContratFactory(
        conseiller=w.fabrice,
        structure=w.bourg,
        date_debut=datetime.date(2023, 1, 1),
        date_rupture=datetime.date(2025, 1, 1),
        motif_rupture=MotifRupture.DEMISSION,
    )

    w.gestionnaire_villeurbanne = _account(
        "gestion@villeurbanne.fr", RoleKind.STRUCTURE, structure=w.villeurbanne
    )
    w.gestionnaire_bourg = _account("gestion@bourg.fr", RoleKind.STRUCTURE, structure=w.bourg)
    w.prefet_rhone = _account("prefet@rhone.gouv.fr", RoleKind.PREFET, departement=rhone)
    w.prefet_ain = _account("prefet@ain.gouv.fr", RoleKind.PREFET, departement=ain)
    w.prefet_ara = _account("prefet@ara.gouv.fr", RoleKind.PREFET, region=w.ara)
    w.hub = _account("hub@hinaura.fr", RoleKind.HUB, hub=w.hub_ara)
    w.admin = _account("equipe@anct.gouv.fr", RoleKind.ADMIN)
    return w


@pytest.fixture
def login_as(client):
    """Logs the test client in as an account, in one of its roles (the first one when not given)."""

    def _login(user, kind=None):
        client.force_login(user)
        if kind is not None:
            session = client.session
            session["active_role_id"] = user.roles.get(kind=kind).pk
            session.save()
        return client

    return _login
