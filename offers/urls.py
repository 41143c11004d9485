from django.urls import path

from . import search_views, views
from .filters import FACETS
from .page_cache import catalog_page

# The query parameters each cached page reads (offers/page_cache.py).
SEARCH_PARAMS = {"q", *FACETS, "grade", "size", "sort", "page"}
LIST_PARAMS = {"page"}

app_name = "offers"

urlpatterns = [
    path("", catalog_page(views.home), name="home"),
    path("suche/", catalog_page(search_views.search, params=SEARCH_PARAMS), name="search"),
    path("angebote/<slug:track>/", catalog_page(views.walk_track), name="walk_track"),
    path(
        "angebote/<slug:track>/<slug:sector>/", catalog_page(views.walk_sector), name="walk_sector"
    ),
    path(
        "angebote/<slug:track>/<slug:sector>/<slug:region>/",
        catalog_page(views.walk_region, params=LIST_PARAMS),
        name="walk_region",
    ),
    path("angebot/<int:pk>/", catalog_page(views.offer_detail), name="offer_detail"),
    path(
        "anbieter/<slug:slug>/",
        catalog_page(views.provider_detail, params=LIST_PARAMS),
        name="provider_detail",
    ),
]
