from django.urls import path

from cnfs.pages import exports
from cnfs.pages.pilotage import statistiques as views

app_name = "stats"

urlpatterns = [
    path("coop/statistiques/", views.coop, name="coop"),
    path("pilotage/conseillers/<int:pk>/statistiques/", views.conseiller, name="conseiller"),
    path("pilotage/structures/<int:pk>/statistiques/", views.structure, name="structure"),
    path("pilotage/equipe/statistiques/", views.equipe, name="equipe"),
    path("pilotage/territoires/", views.territoires, name="territoires"),
    path("pilotage/territoires/<str:maille>/<str:code>/", views.territoire, name="territoire"),
    path("pilotage/national/", views.national, name="national"),
    path("exports/", exports.mes_exports, name="exports"),
    path("exports/<int:pk>/telecharger/", exports.telecharger, name="export_telecharger"),
    path("exports/<int:pk>/relancer/", exports.relancer, name="export_relancer"),
]
