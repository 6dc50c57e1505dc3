from django.urls import path

from cnfs.pages.ressourcerie import views

app_name = "ressourcerie"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
    path("tous-les-documents.zip", views.archive, name="archive"),
]
