from django.urls import path

from cnfs.pages.pilotage import conseillers as views

app_name = "conseillers"

urlpatterns = [
    path("", views.pilotage, name="pilotage"),
    path("conseillers/<int:pk>/", views.fiche, name="fiche"),
]
