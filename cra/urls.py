from django.urls import path

from cra import views

app_name = "cra"

urlpatterns = [
    path("", views.home, name="home"),
]
