"""The guided walk: Ausbildung or Studium → sector or field of study → region → offers.

Every step counts the published offers behind each of its choices: the counts of the
search's ``track``, ``sector`` and ``region`` facets, so the number beside a choice is the
number of offers on the page it leads to. ``Catalog`` turns counts into the steps' choices;
it takes them from an engine: ``IndexCounts`` when the worker's search index describes the
current catalogue (bitsets, no query), ``SqlCounts`` otherwise (the facets' grouped
queries, cached under the catalogue version); ``counts_for`` chooses, and
``tests/test_walk_index.py`` holds the two to the same answers. Choices without published
offers are left out: the walk never leads into an empty list.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from retribus.per_language import per_language

from . import page_cache
from .models import Offer, Region, Sector, Track
from .search import facets
from .search.engine import current_index_or_start_build
from .search.spec import Vocabulary

ALL_REGIONS = "alle-regionen"

OfferRegion = Offer.regions.through


@dataclass(frozen=True)
class Crumb:
    """One step of the trail shown as breadcrumbs; every crumb links back to its step."""

    label: str
    url: str


class Counted:
    """A region with the number of offers behind it on one page. The region may be one of the
    worker's vocabulary objects, which every request shares, so the count is not set on it;
    everything else is read from it."""

    __slots__ = ("node", "offer_count")

    def __init__(self, node, offer_count):
        self.node, self.offer_count = node, offer_count

    def __getattr__(self, name):
        return getattr(self.node, name)

    def __str__(self):
        return str(self.node)


@dataclass
class RegionGroup:
    """A state with its districts, or a region that stands alone (a portal with one level)."""

    region: Region
    districts: list


class SqlCounts:
    """The walk's counts from the search facets' grouped SQL counts (``Facet.sql_counts``),
    cached under the catalogue version. Each method is handed the nodes its step shows and
    answers their counts by slug."""

    def __init__(self, version):
        self.version = version

    def _cached(self, key, compute):
        return page_cache.cached("walk", self.version, key, compute)

    @staticmethod
    def _counts(name, base, nodes):
        vocabulary = Vocabulary({name: {node.slug: node for node in nodes}})
        return facets.get(name).sql_counts(base, vocabulary)

    def total(self):
        return self._cached("total", Offer.objects.published().count)

    def tracks(self, tracks):
        published = Offer.objects.published()
        return self._cached("tracks", lambda: self._counts("track", published, tracks))

    def sectors(self, track, sectors):
        published = Offer.objects.published()
        return self._cached(
            f"sectors:{track.pk}", lambda: self._counts("sector", published, sectors)
        )

    def regions_in_order(self):
        return list(Region.objects.all())

    def regions(self, sector, regions):
        def compute():
            vocabulary = Vocabulary({"region": {region.slug: region for region in regions}})
            in_sector = Offer.objects.published().in_sector(sector)
            return facets.get("region").sql_counts(in_sector, vocabulary, with_total=True)

        return self._cached(f"regions:{sector.pk}", compute)

    def offer_ids(self, sector, region):
        """The ids of the last step's offers, in the order the page lists them. Those of the
        whole sector are cached, and from them those of each region."""
        ids = self._cached(
            f"offers:{sector.pk}:all",
            lambda: list(walk_offers(sector).values_list("pk", flat=True)),
        )
        if region is None:
            return ids
        return self._cached(f"offers:{sector.pk}:{region.pk}", lambda: _served_in(region, ids))


class IndexCounts:
    """The walk's counts from the search index's bitsets. A sector or region the index does
    not hold (created just after the request read the version) is answered by ``sql``."""

    def __init__(self, index, sql):
        self.index = index
        self.sql = sql

    def _knows(self, **nodes):
        vocabulary = self.index.vocabulary()
        return all(
            node is None or node.slug in getattr(vocabulary, name) for name, node in nodes.items()
        )

    def total(self):
        return self.index.count()

    def tracks(self, tracks):
        return self.index.value_counts("track")

    def sectors(self, track, sectors):
        return self.index.value_counts("sector")

    def regions_in_order(self):
        """Every region in the walk's order, as the index's vocabulary holds them: 400
        districts are not read from the database again for each page."""
        return list(self.index.vocabulary().region.values())

    def regions(self, sector, regions):
        if not self._knows(sector=sector):
            return self.sql.regions(sector, regions)
        within = {"sector": (sector.slug,)}
        return self.index.count(**within), self.index.value_counts("region", **within)

    def offer_ids(self, sector, region):
        if not self._knows(sector=sector, region=region):
            return self.sql.offer_ids(sector, region)
        within = {"sector": (sector.slug,)}
        if region is not None:
            within["region"] = (region.slug,)
        return self.index.ids_by_provider(**within)


def counts_for(version):
    """The walk's engine for catalogue ``version`` (just read by the caller): the worker's
    index when it describes that version, else SQL (and the index is rebuilt meanwhile)."""
    sql = SqlCounts(version)
    index = current_index_or_start_build(version)
    return sql if index is None else IndexCounts(index, sql)


class Catalog:
    """The walk's steps for one request, from the counts of an engine (``counts_for``)."""

    def __init__(self, counts):
        self.counts = counts

    def offer_count(self):
        """The number of published offers."""
        return self.counts.total()

    def tracks(self):
        """Tracks that have published offers, each with ``offer_count``."""
        tracks = list(Track.objects.all())
        counts = self.counts.tracks(tracks)
        for track in tracks:
            track.offer_count = counts.get(track.slug, 0)
        return [track for track in tracks if track.offer_count]

    def sectors(self, track):
        """The sectors of ``track`` with published offers, broad fields with their finer ones.

        Each returned sector carries ``offer_count`` (a broad field counts the offers of its
        finer fields too, each offer once) and ``finer``, its finer fields with offers.
        """
        sectors = list(Sector.objects.filter(track=track))
        counts = self.counts.sectors(track, sectors)
        broad = [sector for sector in sectors if sector.parent_id is None]
        for sector in broad:
            sector.offer_count = counts.get(sector.slug, 0)
            sector.finer = []
        by_pk = {sector.pk: sector for sector in broad}
        for sector in sectors:
            if sector.parent_id in by_pk and counts.get(sector.slug):
                sector.offer_count = counts[sector.slug]
                by_pk[sector.parent_id].finer.append(sector)
        return [sector for sector in broad if sector.offer_count]

    def regions(self, sector):
        """Where the published offers of ``sector`` can be taken up, states grouping districts.

        Returns ``(total, groups, single)``: the number of offers in all regions; a list of
        ``RegionGroup`` (a state with its districts that have offers); and the regions that
        stand alone (top-level regions without districts with offers). Every region carries
        ``offer_count``; regions without offers are left out. A state counts the offers served
        in the whole state or in any of its districts, each offer once.
        """
        regions = self.counts.regions_in_order()
        total, counts = self.counts.regions(sector, regions)
        groups = {}
        for region in regions:
            if region.parent_id is None and counts.get(region.slug):
                groups[region.pk] = RegionGroup(Counted(region, counts[region.slug]), [])
        for region in regions:
            if region.parent_id in groups and counts.get(region.slug):
                groups[region.parent_id].districts.append(Counted(region, counts[region.slug]))
        states = [group for group in groups.values() if group.districts]
        single = [group.region for group in groups.values() if not group.districts]
        return total, states, single

    def offer_page(self, sector, region, number, per_page):
        """One page of the last step's offers, in the order the page lists them, read by id
        with what their cards show."""
        page = Paginator(self.counts.offer_ids(sector, region), per_page).get_page(number)
        page.object_list = Offer.objects.for_cards().in_order_of(page.object_list)
        return page


def _served_in(region, ids):
    """Those of ``ids`` served in ``region`` (``OfferQuerySet.in_region``), in their order."""
    served = set(
        OfferRegion.objects.filter(region__in=Region.objects.node_and_children(region)).values_list(
            "offer", flat=True
        )
    )
    return [pk for pk in ids if pk in served]


def offers_in_sector(sector):
    """Published offers in the sector or in a finer field below it (not yet evaluated)."""
    return Offer.objects.published().in_sector(sector)


def walk_offers(sector, region=None):
    """The offers of the last step, ordered as the page lists them: grouped by provider."""
    offers = offers_in_sector(sector)
    if region is not None:
        offers = offers.in_region(region)
    return offers.by_provider()


def trail(track, sector=None, region=None, all_regions=False):
    """The breadcrumbs of a walk step, from the home page to the current step."""
    crumbs = [
        Crumb(_("Start"), _address("home")),
        Crumb(track.name, _address("track", track=track.slug)),
    ]
    if sector is not None:
        if sector.parent is not None:
            crumbs.append(Crumb(sector.parent.name, sector_url(sector.parent, track)))
        crumbs.append(Crumb(sector.name, sector_url(sector, track)))
    if region is not None:
        crumbs.append(Crumb(region.name, region_url(track, sector, region.slug)))
    elif all_regions:
        crumbs.append(Crumb(_("All regions"), region_url(track, sector, ALL_REGIONS)))
    return crumbs


def sector_url(sector, track):
    return _address("sector", track=track.slug, sector=sector.slug)


def region_url(track, sector, region_slug):
    return _address("region", track=track.slug, sector=sector.slug, region=region_slug)


# Slugs no track, sector or region has, to cut the walk's addresses around their slugs.
_SLUG_MARKERS = {"track": "0track0", "sector": "0sector0", "region": "0region0"}


@per_language
def _address_patterns():
    """The walk's addresses in ``language`` as ``str.format`` patterns with a field for
    each slug: reversed once, not for every crumb (a trail of five cost an offer page
    0.15 ms) or every address of the sitemap. Slugs need no quoting in a URL."""

    def pattern(name, *slugs):
        address = reverse(name, kwargs={slug: _SLUG_MARKERS[slug] for slug in slugs})
        for slug in slugs:
            address = address.replace(_SLUG_MARKERS[slug], f"{{{slug}}}")
        return address

    return {
        "home": reverse("offers:home"),
        "track": pattern("offers:walk_track", "track"),
        "sector": pattern("offers:walk_sector", "track", "sector"),
        "region": pattern("offers:walk_region", "track", "sector", "region"),
    }


def _address(step, **slugs):
    return _address_patterns()[step].format(**slugs)
