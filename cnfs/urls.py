from django.contrib import admin
from django.urls import include, path

from cnfs import health
from cnfs.pages import accueil as views

admin.site.site_header = "Conseiller numérique – administration"
admin.site.site_title = "Administration CnFS"
admin.site.index_title = "Équipe nationale"

# 500, or 503 when the database does not answer (docs/exploitation.md, "Pannes").
handler500 = "cnfs.pages.accueil.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accessibilite/",
        views.legal_page,
        {"template_name": "legal/accessibilite.html"},
        name="accessibilite",
    ),
    path(
        "mentions-legales/",
        views.legal_page,
        {"template_name": "legal/mentions_legales.html"},
        name="mentions_legales",
    ),
    path(
        "donnees-personnelles/",
        views.legal_page,
        {"template_name": "legal/donnees_personnelles.html"},
        name="donnees_personnelles",
    ),
    path("aide/", views.aide, name="aide"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("cnfs.pages.comptes.urls")),
    path("accounts/", include("cnfs.pages.comptes.allauth_urls")),
    path("coop/lieux/", include("cnfs.pages.coop.lieux_urls")),
    # Statistics of every scope (/coop/statistiques/, /pilotage/…), territoires, national, exports.
    path("", include("cnfs.pages.pilotage.statistiques_urls")),
    path("coop/", include("cnfs.pages.coop.cra_urls")),
    path("pilotage/structures/", include("cnfs.pages.pilotage.structures_urls")),
    path("pilotage/", include("cnfs.pages.pilotage.conseillers_urls")),
    path("ressourcerie/", include("cnfs.pages.ressourcerie.urls")),
    # The admin logs in through the site's login (allauth: its throttling of failed attempts), never its own.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

# No /media/ route, not even in development: exports and documents are only served by views that check
# who asks (cnfs.pages.exports, cnfs.pages.ressourcerie.views).
