from django.urls import path

from cnfs.pages.coop import cra as views

app_name = "cra"

urlpatterns = [
    path("", views.home, name="home"),
    path("cra/", views.cra_history, name="history"),
    path("cra/nouveau/", views.cra_new, name="new"),
    path("cra/<int:pk>/enregistre/", views.cra_saved, name="saved"),
    path("cra/<int:pk>/modifier/", views.cra_edit, name="edit"),
    path("cra/<int:pk>/supprimer/", views.cra_delete, name="delete"),
    path("communes/", views.communes, name="communes"),
]
