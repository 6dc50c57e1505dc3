"""Which conseillers, structures and territories the active role of an account may read (SPEC §2).

Every selector of the project starts from here: the scope is derived on the server from the logged-in
account's active role, never from ids sent by the browser.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from accounts.enums import RoleKind
from accounts.models import Role
from conseillers.models import Conseiller, Contrat
from structures.models import Departement, Structure


@dataclass(frozen=True)
class Scope:
    role: Role

    @property
    def kind(self) -> str:
        return self.role.kind

    @property
    def is_national(self) -> bool:
        return self.kind == RoleKind.ADMIN

    @cached_property
    def conseiller(self) -> Conseiller | None:
        return getattr(self.role.user, "conseiller", None)

    def territory_departements(self) -> QuerySet[Departement] | None:
        """The départements a préfet or a hub covers; None when the role is not territorial."""
        if self.kind == RoleKind.PREFET:
            if self.role.departement_id:
                return Departement.objects.filter(pk=self.role.departement_id)
            return Departement.objects.filter(region_id=self.role.region_id)
        if self.kind == RoleKind.HUB:
            return Departement.objects.filter(hubs=self.role.hub_id)
        return None

    def structures(self) -> QuerySet[Structure]:
        """Structures whose fiche and statistics this role may read."""
        if self.is_national:
            return Structure.objects.all()
        if self.kind == RoleKind.STRUCTURE:
            return Structure.objects.filter(pk=self.role.structure_id)
        departements = self.territory_departements()
        if departements is not None:
            return Structure.objects.filter(departement__in=departements)
        if self.kind == RoleKind.COORDINATEUR:
            return Structure.objects.filter(
                pk__in=self.conseillers().filter(structure__isnull=False).values("structure")
            )
        return Structure.objects.none()

    def conseillers(self) -> QuerySet[Conseiller]:
        """Conseillers whose fiche and statistics this role may read.

        For a structure or a territory: every conseiller it employs or employed (a former conseiller stays
        visible for the CRAs made while he worked there).
        """
        if self.is_national:
            return Conseiller.objects.all()
        if self.kind == RoleKind.CONSEILLER:
            return (
                Conseiller.objects.filter(pk=self.conseiller.pk)
                if self.conseiller
                else Conseiller.objects.none()
            )
        if self.kind == RoleKind.COORDINATEUR:
            return self._coordinated_conseillers()
        structures = self.structures()
        return Conseiller.objects.filter(
            Q(structure__in=structures)
            | Q(pk__in=Contrat.objects.filter(structure__in=structures).values("conseiller"))
        )

    def _coordinated_conseillers(self) -> QuerySet[Conseiller]:
        coordinateur = self.conseiller
        if coordinateur is None or not coordinateur.est_coordinateur:
            return Conseiller.objects.none()
        return Conseiller.objects.filter(
            Q(pk=coordinateur.pk)
            | Q(pk__in=coordinateur.conseillers_coordonnes.values("pk"))
            | Q(structure__departement__in=coordinateur.departements_coordonnes.values("pk"))
            | Q(structure__departement__region__in=coordinateur.regions_coordonnees.values("pk"))
        )
