from django.urls import path

from cnfs.pages.pilotage import structures as views

app_name = "structures"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.fiche, name="fiche"),
]
