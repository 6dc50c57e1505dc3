from django.urls import path

from cnfs.pages.comptes import proconnect, views

app_name = "accounts"

urlpatterns = [
    path("accueil/", views.home, name="home"),
    path("role/", views.switch_role, name="switch_role"),
    path("inviter/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("proconnect/connexion/", proconnect.proconnect_login, name="proconnect_login"),
    path("proconnect/retour/", proconnect.proconnect_callback, name="proconnect_callback"),
]
