from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.enums import PILOTAGE_ROLES
from conseillers import selectors

PAGE_SIZE = 50


@role_required(*PILOTAGE_ROLES)
def pilotage(request):
    """Home of the Tableau de pilotage: the conseillers of the active role's scope."""
    conseillers = selectors.conseillers_for_pilotage(request.scope)
    page_obj = Paginator(conseillers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "conseillers/pilotage.html", {"page_obj": page_obj})
