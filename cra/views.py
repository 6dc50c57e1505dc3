from django.shortcuts import render

from accounts.decorators import role_required
from accounts.enums import RoleKind


@role_required(RoleKind.CONSEILLER, RoleKind.COORDINATEUR)
def home(request):
    """Home of the Espace Coop; the CRA form, history and figures come with the CRA issue."""
    return render(request, "cra/home.html", {"conseiller": request.scope.conseiller})
