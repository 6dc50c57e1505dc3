"""Which statistics a role reads and whose CRAs it exports (SPEC §2, §18): one rule for the statistics
pages, the exports they ask, and the background exports, which apply it again to the role as it is when
they are made, relaunched and downloaded (a préfet moved to another département, a coordinator whose team
changed).

Built on the role's scope (conseillers.scoping): the structures and conseillers it reads are those of
`Scope.structures()` and `Scope.conseillers()`, nothing else.
"""

from django.db.models import Q, QuerySet

from accounts.enums import RoleKind
from conseillers.models import Conseiller, Contrat
from conseillers.scoping import Scope
from stats.request import ScopeKind, StatsScope
from stats.territoires import departements_du_territoire
from structures.models import Structure


def employeurs(conseiller: Conseiller) -> QuerySet[Structure]:
    """Every structure of his contracts, and the current one (a contract may be missing)."""
    return Structure.objects.filter(
        Q(pk__in=Contrat.objects.filter(conseiller=conseiller).values("structure"))
        | Q(pk=conseiller.structure_id)
    ).order_by("nom", "pk")


def statistiques_du_conseiller(scope: Scope, conseiller_id: int) -> StatsScope:
    """A conseiller's statistics as a role reads them: a structure only the CRAs made for it (SPEC §2)."""
    if scope.kind == RoleKind.STRUCTURE:
        return StatsScope.conseiller(conseiller_id, structure_id=scope.role.structure_id)
    return StatsScope.conseiller(conseiller_id)


def equipe_actuelle(scope: Scope) -> StatsScope:
    """A coordinator's team as it is now, himself included."""
    return StatsScope.equipe(scope.conseillers().values_list("pk", flat=True))


def territoires_lisibles(scope: Scope | None) -> bool:
    """Territorial and national statistics are open to every role, a conseiller's included (SPEC §2):
    figures of structures and territories, never the CRAs nor the people behind them."""
    return scope is not None


def perimetre_du_role(scope: Scope) -> StatsScope:
    """Everything a pilotage role reads in detail (its conseillers, their CRAs), as a statistics scope."""
    role = scope.role
    if scope.is_national:
        return StatsScope.national()
    if scope.kind == RoleKind.PREFET:
        if role.departement_id:
            return StatsScope.departement(role.departement_id)
        return StatsScope.region(role.region_id)
    if scope.kind == RoleKind.HUB:
        return StatsScope.hub(role.hub_id)
    if scope.kind == RoleKind.STRUCTURE:
        return StatsScope.structure(role.structure_id)
    return equipe_actuelle(scope)


def perimetre_autorise(
    scope: Scope | None, demande: StatsScope, *, cras: bool = False, fige: bool = False
) -> StatsScope | None:
    """`demande` as the role may read it now — a coordinator's team as it is today — or None when it may
    not. `cras`: the CRAs themselves (their export), not only the figures. `fige`: `demande` was already
    answered (a file is made): a team must still include every conseiller of it."""
    if not territoires_lisibles(scope):
        return None
    match demande.kind:
        case ScopeKind.NATIONAL:
            # Every role reads the national figures; the national team alone all the CRAs.
            return demande if scope.is_national or not cras else None
        case ScopeKind.CONSEILLER:
            return demande if _conseiller_lisible(scope, demande) else None
        case ScopeKind.EQUIPE:
            if scope.kind != RoleKind.COORDINATEUR or scope.conseiller is None:
                return None
            actuelle = equipe_actuelle(scope)
            return None if fige and not demande.conseiller_ids <= actuelle.conseiller_ids else actuelle
    if demande.kind == ScopeKind.STRUCTURE:
        return demande if scope.structures().filter(pk=demande.id).exists() else None
    # A territory: every role reads its figures, the préfet and hub of the territory its CRAs.
    return demande if not cras or _territoire_couvert(scope, demande) else None


def _conseiller_lisible(scope: Scope, demande: StatsScope) -> bool:
    conseiller = scope.conseillers().filter(pk=demande.id).first()
    if conseiller is None:
        return False
    if scope.kind == RoleKind.STRUCTURE:
        return demande.structure_id == scope.role.structure_id
    return demande.structure_id is None or employeurs(conseiller).filter(pk=demande.structure_id).exists()


def _territoire_couvert(scope: Scope, demande: StatsScope) -> bool:
    """Whether the préfet's or hub's territory covers every département of `demande` (national: all)."""
    if scope.is_national:
        return True
    departements = scope.territory_departements()
    if departements is None:
        return False
    demandes = departements_du_territoire(demande)
    return not demandes.exclude(code__in=departements.values("code")).exists()
