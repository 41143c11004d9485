"""Public pages of the network, mounted at /netzwerk/."""

from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("", views.network_home, name="home"),
    path("partner/", views.directory, name="directory"),
    path("partner/<slug:slug>/", views.partner_detail, name="partner_detail"),
    path("partner/<slug:slug>/urkunde/", views.certificate, name="certificate"),
    path("unterstuetzen/", views.declaration, name="declaration"),
    path("unterstuetzen/danke/", views.declaration_thanks, name="declaration_thanks"),
]
