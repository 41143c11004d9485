"""sitemap.xml (``django.contrib.sitemaps``): every public page, no draft or archived offer.

Sections: the fixed pages (home, search, network, legal pages, data page), the walk's
steps that lead to offers (a track, a sector, a sector in a region: only choices the walk
itself shows), published offers and the providers that have some (with ``lastmod``), and the
network's listed partners. Offers come in pages of 10,000 addresses (the index links them).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from network.models import Partner
from offers import page_cache, walk
from offers.models import CatalogVersion, Offer, Provider
from pages.models import LegalPage


class PortalSitemap(Sitemap):
    protocol = None  # the request's: https behind the proxy


class FixedPages(PortalSitemap):
    changefreq = "weekly"

    def items(self):
        names = ["offers:home", "offers:search", "network:home", "network:directory"]
        names += ["opendata:data", "opendata:widget_builder"]
        names += [f"pages:{kind}" for kind in LegalPage.Kind.values]
        return names

    def location(self, name):
        return reverse(name)


def _walk_addresses():
    catalog = walk.Catalog(walk.counts_for(CatalogVersion.current()))
    addresses = []
    for track in catalog.tracks():
        addresses.append(track.get_absolute_url())
        for broad in catalog.sectors(track):
            for sector in [broad, *broad.finer]:
                addresses.append(walk.sector_url(sector, track))
                addresses.append(walk.region_url(track, sector, walk.ALL_REGIONS))
                _total, states, single = catalog.regions(sector)
                regions = [*single]
                for group in states:
                    regions += [group.region, *group.districts]
                addresses += [walk.region_url(track, sector, region.slug) for region in regions]
    return addresses


class WalkPages(PortalSitemap):
    changefreq = "daily"

    def items(self):
        return page_cache.cached(
            "opendata", CatalogVersion.current(), "walk-sitemap", _walk_addresses
        )

    def location(self, address):
        return address


class Offers(PortalSitemap):
    limit = 10_000
    changefreq = "weekly"

    def items(self):
        return Offer.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, offer):
        return offer.updated_at

    def get_latest_lastmod(self):
        # Django's default walks every item; the index needs one number (one query).
        return self.items().aggregate(newest=Max("updated_at"))["newest"]


class Providers(PortalSitemap):
    changefreq = "weekly"

    def items(self):
        # Only providers with a published offer have a page; lastmod: their newest change.
        return (
            Provider.objects.annotate(
                newest=Max("offers__updated_at", filter=Q(offers__status=Offer.Status.PUBLISHED))
            )
            .filter(newest__isnull=False)
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, provider):
        return max(provider.updated_at, provider.newest)

    def get_latest_lastmod(self):
        return Offer.objects.published().aggregate(newest=Max("updated_at"))["newest"]


class Partners(PortalSitemap):
    changefreq = "monthly"

    def items(self):
        return Partner.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, partner):
        return partner.updated_at


SITEMAPS = {
    "pages": FixedPages,
    "walk": WalkPages,
    "offers": Offers,
    "providers": Providers,
    "partners": Partners,
}
