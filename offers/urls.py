from django.urls import path

from . import search_views, views

app_name = "offers"

urlpatterns = [
    path("", views.home, name="home"),
    path("suche/", search_views.search, name="search"),
    path("angebote/<slug:track>/", views.walk_track, name="walk_track"),
    path("angebote/<slug:track>/<slug:sector>/", views.walk_sector, name="walk_sector"),
    path(
        "angebote/<slug:track>/<slug:sector>/<slug:region>/",
        views.walk_region,
        name="walk_region",
    ),
    path("angebot/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("anbieter/<slug:slug>/", views.provider_detail, name="provider_detail"),
]
