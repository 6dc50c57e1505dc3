from accounts.scoping import Scope


def conseillers_for_pilotage(scope: Scope):
    """The conseillers of the scope with their current structure, in name order."""
    return scope.conseillers().select_related("structure__departement").order_by("nom", "prenom", "pk")
