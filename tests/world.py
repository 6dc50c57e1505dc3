"""A small named world shared by the tests: two structures of the Rhône, one of the Ain, their people.

Building it takes some 20 queries; most tests only read it. So each test database (one per xdist worker)
builds it once, inside a transaction left open while the tests that read it run: each of them runs in a
savepoint of that transaction (pytest-django's TestCase), rolled back at its end, and finds the world as
it was built. That transaction is rolled back before any other test: those see the database as the
migrations left it, and the transactional tests, which commit, build a world of their own."""

import datetime
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.services import conseiller_account_link, role_grant
from conseillers.enums import MotifRupture, StatutConseiller
from structures.models import Departement, Hub, Region
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conseillers.factories import ConseillerFactory, ContratFactory
from tests.structures.factories import StructureFactory


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


def build_world() -> SimpleNamespace:
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


class SharedWorld:
    """The world of one test database, in its open transaction while the tests reading it run."""

    def __init__(self, django_db_blocker):
        self._blocker = django_db_blocker
        self._atomic = None
        self.world = None

    def keep(self, wanted: bool) -> None:
        """Builds the world in a new transaction (`wanted`) or rolls it back, unless already so. A test that
        closed the connection (closed_in_transaction) took the world with it: it is built again."""
        with self._blocker.unblock():
            if self._atomic is not None and (not wanted or connection.closed_in_transaction):
                self._rollback()
            if wanted and self._atomic is None:
                self._atomic = transaction.atomic()
                self._atomic.__enter__()
                try:
                    self.world = build_world()
                except BaseException:
                    self._rollback()
                    raise

    def _rollback(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._atomic = self.world = None
