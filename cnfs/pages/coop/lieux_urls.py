from django.urls import path

from cnfs.pages.coop import lieux as lieux_views

app_name = "lieux"

urlpatterns = [
    path("", lieux_views.lieux, name="list"),
    path("nouveau/", lieux_views.lieu_new, name="new"),
    path("<int:pk>/modifier/", lieux_views.lieu_edit, name="edit"),
    path("<int:pk>/retirer/", lieux_views.lieu_remove, name="remove"),
    path("<int:pk>/rattacher/", lieux_views.lieu_attach, name="attach"),
]
