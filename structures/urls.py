from django.urls import path

from structures import views

app_name = "structures"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.fiche, name="fiche"),
]
