from django.urls import path

from .page_cache import catalog_page
from .search.facets import parameters as search_parameters
from .views import contact, pages, search

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
    # Not cached: they answer a POST, and only they hold e-mail addresses (views/contact.py).
    path("kontakt/<int:pk>/e-mail/", contact.contact_email, name="contact_email"),
    path("anbieter/<slug:slug>/e-mail/", contact.provider_email, name="provider_email"),
]
