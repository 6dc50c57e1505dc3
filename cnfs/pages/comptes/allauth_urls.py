"""The allauth pages the service uses, and only them (SPEC §18): login, logout, password reset, password
change. Not `include("allauth.urls")`: its e-mail management let any account take an unused address as its
login, and sign-up, e-mail confirmation and reauthentication are not used. The login e-mail changes in the
admin (national team) only, until the confirmed change of « Mon compte » (SPEC §14)."""

from allauth.account import views
from django.urls import path, re_path

urlpatterns = [
    path("login/", views.login, name="account_login"),
    path("logout/", views.logout, name="account_logout"),
    path("password/change/", views.password_change, name="account_change_password"),
    path("password/reset/", views.password_reset, name="account_reset_password"),
    path("password/reset/done/", views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]
