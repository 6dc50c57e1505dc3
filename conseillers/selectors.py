"""Reads about conseillers, their lieux and the structures of a scope, for the pages and the exports; always
from a scope (conseillers.scoping). The lists that count CRAs are in stats.pilotage."""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.enums import RoleKind
from conseillers.models import Conseiller, Permanence, PermanenceConseiller
from conseillers.scoping import Scope
from structures.models import Departement, Structure


def employeur_of(scope: Scope) -> int | None:
    """The structure whose CRAs alone a structure role counts (SPEC §2: a former conseiller's CRAs for his
    other employers are not its own); None for the other roles, who count every CRA."""
    return scope.role.structure_id if scope.kind == RoleKind.STRUCTURE else None


def poste_visible(scope: Scope, conseiller: Conseiller) -> bool:
    """Whether a role sees where the conseiller works now (structure, contract, supérieur): a structure only
    while he works for it (SPEC §18: not the new employer of one who left it); the other roles always. His
    fiche and the exports of the lists both ask this."""
    employeur = employeur_of(scope)
    return employeur is None or conseiller.structure_id == employeur


def lieux_of_conseiller(conseiller):
    """The conseiller's lieux d'activité, each with `principale` for him, his principal place first."""
    principale = PermanenceConseiller.objects.filter(
        permanence=OuterRef("pk"), conseiller=conseiller, principale=True
    )
    return (
        Permanence.objects.filter(conseillers=conseiller)
        .annotate(principale=Exists(principale))
        .order_by("-principale", "nom")
    )


def current_lieux_of_conseiller(conseiller):
    """His lieux that he may act on: those of his current structure (a structure he left keeps its lieux,
    SPEC §18), each with `principale`."""
    return lieux_of_conseiller(conseiller).filter(structure_id=conseiller.structure_id)


def other_lieux_of_structure(conseiller):
    """The lieux of his current structure he is not attached to (a colleague created them)."""
    if conseiller.structure_id is None:
        return Permanence.objects.none()
    return (
        Permanence.objects.filter(structure_id=conseiller.structure_id)
        .exclude(conseillers=conseiller)
        .order_by("nom")
    )


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
