from django.urls import path

from cnfs.pages.comptes import views

app_name = "accounts"

urlpatterns = [
    path("accueil/", views.home, name="home"),
    path("role/", views.switch_role, name="switch_role"),
    path("inviter/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
