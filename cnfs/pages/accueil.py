import sys

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from psycopg.errors import QueryCanceled

from stats.selectors import chiffres_nationaux


@login_not_required
def home(request):
    """The presentation of the service with the national headline figures (public, cached)."""
    return render(request, "home.html", {"chiffres": chiffres_nationaux()})


@login_not_required
def legal_page(request, template_name):
    return render(request, template_name)


@login_not_required
def aide(request):
    """The help: a FAQ per role, the definitions of the indicators, whom to contact (public)."""
    return render(request, "aide.html")


@login_not_required
def favicon(request):
    """The DSFR's icon, which every page of the service links; the admin's pages link none, so browsers ask
    for /favicon.ico. Not a permanent redirection: the file's hashed name changes with the DSFR's version."""
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


@login_not_required
def admin_login(request):
    """/admin/login/ sends to the site's login page, keeping where the person was going; an account logged in
    without access to the admin gets the 403 page (the login would send it back to the admin, forever)."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied("Cette page est réservée à l'équipe nationale.")
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/admin/"):  # a path of the admin, never another site
        next_url = "/admin/"
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return redirect(f"{reverse('account_login')}?{query.urlencode()}")


def _database_unreachable(error: BaseException | None) -> bool:
    """The database does not answer: stopped, restarting, its connections cut, out of connections."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    # A statement past WEB_STATEMENT_TIMEOUT_MS is a page too slow, not an outage: it stays a 500.
    return not isinstance(error.__cause__, QueryCanceled)


def server_error(request):
    """The 500 page; 503 "momentanément indisponible" when the database does not answer."""
    # Django calls handler500 while it handles the exception: sys.exception() is that exception.
    if _database_unreachable(sys.exception()):
        # Rendered like the 500 page: an empty context, no context processor, so no query.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return defaults.server_error(request)
