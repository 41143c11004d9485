from django.urls import path

from .page_cache import catalog_page
from .search.facets import parameters as search_parameters
from .views import pages, search

# The query parameters each cached page reads (offers/page_cache.py).
LIST_PARAMS = {"page"}

app_name = "offers"

urlpatterns = [
    path("", catalog_page(pages.home), name="home"),
    path("suche/", catalog_page(search.search, params=search_parameters), name="search"),
    path("angebote/<slug:track>/", catalog_page(pages.walk_track), name="walk_track"),
    path(
        "angebote/<slug:track>/<slug:sector>/", catalog_page(pages.walk_sector), name="walk_sector"
    ),
    path(
        "angebote/<slug:track>/<slug:sector>/<slug:region>/",
        catalog_page(pages.walk_region, params=LIST_PARAMS),
        name="walk_region",
    ),
    path("angebot/<int:pk>/", catalog_page(pages.offer_detail), name="offer_detail"),
    path(
        "anbieter/<slug:slug>/",
        catalog_page(pages.provider_detail, params=LIST_PARAMS),
        name="provider_detail",
    ),
]
