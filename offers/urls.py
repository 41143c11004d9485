from django.urls import path

from .page_cache import catalog_page
from .search import scopes
from .search.facets import parameters as search_parameters
from .views import contact, pages, search

# The query parameters each cached page reads (offers/page_cache.py).
LIST_PARAMS = {"page"}


# What each cached page shows of the catalogue (offers/search/scopes.py): a write outside it
# keeps the page. Every scope moves when the taxonomies or providers change.
def everything(index):
    return [scopes.EVERYTHING]


def track_scopes(index, track):
    return [scopes.value("track", track)]


def sector_scopes(index, track, sector, region=None):
    return [scopes.value("sector", sector)]


def offer_scopes(index, pk):
    """The offer; its provider's other offers and contacts, which the page lists too."""
    provider = scopes.provider_of_offer(index, pk)
    shown = [scopes.offer(pk), scopes.CONTACTS]
    return shown if provider is None else [*shown, scopes.provider(provider)]


def provider_scopes(index, slug):
    pk = scopes.provider_by_slug(index, slug)
    return [scopes.EVERYTHING] if pk is None else [scopes.provider(pk), scopes.CONTACTS]


app_name = "offers"

urlpatterns = [
    path("", catalog_page(pages.home, scopes=everything), name="home"),
    path(
        "suche/",
        catalog_page(search.search, params=search_parameters, scopes=everything),
        name="search",
    ),
    path(
        "angebote/<slug:track>/",
        catalog_page(pages.walk_track, scopes=track_scopes),
        name="walk_track",
    ),
    path(
        "angebote/<slug:track>/<slug:sector>/",
        catalog_page(pages.walk_sector, scopes=sector_scopes),
        name="walk_sector",
    ),
    path(
        "angebote/<slug:track>/<slug:sector>/<slug:region>/",
        catalog_page(pages.walk_region, params=LIST_PARAMS, scopes=sector_scopes),
        name="walk_region",
    ),
    path(
        "angebot/<int:pk>/",
        catalog_page(pages.offer_detail, scopes=offer_scopes),
        name="offer_detail",
    ),
    path(
        "anbieter/<slug:slug>/",
        catalog_page(pages.provider_detail, params=LIST_PARAMS, scopes=provider_scopes),
        name="provider_detail",
    ),
    # Not cached: they answer a POST, and only they hold e-mail addresses (views/contact.py).
    path("kontakt/<int:pk>/e-mail/", contact.contact_email, name="contact_email"),
    path("anbieter/<slug:slug>/e-mail/", contact.provider_email, name="provider_email"),
]
