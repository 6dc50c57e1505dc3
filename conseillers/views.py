from django.shortcuts import render

from accounts.decorators import role_required
from accounts.enums import PILOTAGE_ROLES
from conseillers import selectors


@role_required(*PILOTAGE_ROLES)
def pilotage(request):
    """Home of the Tableau de pilotage: the conseillers of the active role's scope."""
    conseillers = selectors.conseillers_for_pilotage(request.scope)
    return render(request, "conseillers/pilotage.html", {"conseillers": conseillers})
