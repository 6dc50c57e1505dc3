"""Reads of the pilotage pages about structures: the list of a scope's structures and a structure's fiche.

They count conseillers (ConseillerQuerySet.recrutes, the one definition of "Conseillers recrutés") and list
the accounts of a structure: the pilotage pages sit above the reference data of this app.
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.enums import RoleKind
from accounts.scoping import Scope
from conseillers.models import Conseiller
from structures.models import Departement, Structure


def with_recrutes(structures: QuerySet[Structure]) -> QuerySet[Structure]:
    """Annotates `recrutes`: the conseillers in post today in each structure (SPEC §5), one subquery."""
    recrutes = (
        Conseiller.objects.recrutes()
        .filter(structure=OuterRef("pk"))
        .order_by()
        .values("structure")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return structures.annotate(recrutes=Coalesce(Subquery(recrutes, output_field=IntegerField()), 0))


def structures_for_pilotage(scope: Scope) -> QuerySet[Structure]:
    """The structures of the scope with their département and their conseillers recrutés, in name order."""
    return with_recrutes(scope.structures().select_related("departement__region")).order_by("nom", "pk")


def comptes_of_structure(structure: Structure):
    """The accounts holding a `structure` role on it (its gestionnaires), with their user, by e-mail."""
    return structure.roles.filter(kind=RoleKind.STRUCTURE).select_related("user").order_by("user__email")


def invitations_of_structure(structure: Structure):
    """The pending invitations to a `structure` role on it (the role is given on acceptance), by e-mail."""
    return (
        structure.invitations.pending()
        .filter(kind=RoleKind.STRUCTURE)
        .select_related("user")
        .order_by("user__email", "-created_at")
    )


def departements_of_scope(scope: Scope):
    """The départements where the scope has structures: the choices of the lists' territory filters."""
    return Departement.objects.filter(pk__in=scope.structures().values("departement"))
