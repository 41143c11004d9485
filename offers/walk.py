"""The guided walk: Ausbildung or Studium → sector or field of study → region → offers.

Every step counts the published offers behind each of its choices. ``Catalog`` turns counts
into the steps' choices; it takes its counts from an engine: ``IndexCounts`` when the
worker's search index describes the current catalogue (bitsets, no query), ``SqlCounts``
otherwise (grouped aggregates over the link tables, cached under the catalogue version);
``counts_for`` chooses. ``tests/test_walk_index.py`` holds the two to the same answers.
Choices without published offers are left out: the walk never leads into an empty list. A
node counts its own offers and those of the nodes directly below it, as the search's
``TreeFacet`` does, so the number beside a choice is the number of offers on its page.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import page_cache
from .models import Offer, Region, Sector, Track
from .search.engine import current_index_or_start_build

ALL_REGIONS = "alle-regionen"

OfferSector = Offer.sectors.through
OfferRegion = Offer.regions.through


@dataclass(frozen=True)
class Crumb:
    """One step of the trail shown as breadcrumbs; every crumb links back to its step."""

    label: str
    url: str


@dataclass
class RegionGroup:
    """A state with its districts, or a region that stands alone (a portal with one level)."""

    region: Region
    districts: list


class SqlCounts:
    """The walk's counts from grouped SQL aggregates, cached under the catalogue version."""

    def __init__(self, version):
        self.version = version

    def _cached(self, key, compute):
        return page_cache.cached("walk", self.version, key, compute)

    def total(self):
        return self._cached("total", Offer.objects.published().count)

    def tracks(self, tracks):
        """Track pk → offers (an offer with sectors in both tracks counts in each)."""
        return self._cached("tracks", _track_counts)

    def sectors(self, track, sectors):
        """(own, with finer): sector pk → its own offers, and with those of finer fields."""
        return self._cached(f"sectors:{track.pk}", lambda: _sector_counts(track))

    def regions(self, sector, regions):
        """(total, own, with districts) of the sector's offers, by region pk."""
        return self._cached(f"regions:{sector.pk}", lambda: _region_counts(sector))

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
        by_slug = self.index.value_counts("track")
        return {track.pk: by_slug.get(track.slug, 0) for track in tracks}

    def sectors(self, track, sectors):
        # A sector's bitset holds its own offers and those of its finer fields, each once.
        by_slug = self.index.value_counts("sector")
        counts = {sector.pk: by_slug.get(sector.slug, 0) for sector in sectors}
        return counts, counts

    def regions(self, sector, regions):
        if not self._knows(sector=sector):
            return self.sql.regions(sector, regions)
        within = {"sector": (sector.slug,)}
        by_slug = self.index.value_counts("region", **within)
        counts = {region.pk: by_slug.get(region.slug, 0) for region in regions}
        return self.index.count(**within), counts, counts

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
            track.offer_count = counts.get(track.pk, 0)
        return [track for track in tracks if track.offer_count]

    def sectors(self, track):
        """The sectors of ``track`` with published offers, broad fields with their finer ones.

        Each returned sector carries ``offer_count`` (a broad field counts the offers of its
        finer fields too, each offer once) and ``finer``, its finer fields with offers.
        """
        sectors = list(Sector.objects.filter(track=track))
        own, with_finer = self.counts.sectors(track, sectors)
        broad = [sector for sector in sectors if sector.parent_id is None]
        for sector in broad:
            sector.offer_count = with_finer.get(sector.pk, 0)
            sector.finer = []
        by_pk = {sector.pk: sector for sector in broad}
        for sector in sectors:
            if sector.parent_id in by_pk and own.get(sector.pk):
                sector.offer_count = own[sector.pk]
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
        regions = list(Region.objects.all())
        total, own, with_districts = self.counts.regions(sector, regions)
        groups = {}
        for region in regions:
            if region.parent_id is None and with_districts.get(region.pk):
                region.offer_count = with_districts[region.pk]
                groups[region.pk] = RegionGroup(region=region, districts=[])
        for region in regions:
            if region.parent_id in groups and own.get(region.pk):
                region.offer_count = own[region.pk]
                groups[region.parent_id].districts.append(region)
        states = [group for group in groups.values() if group.districts]
        single = [group.region for group in groups.values() if not group.districts]
        return total, states, single

    def offer_page(self, sector, region, number, per_page):
        """One page of the last step's offers, in the order the page lists them, read by id
        with what their cards show."""
        page = Paginator(self.counts.offer_ids(sector, region), per_page).get_page(number)
        page.object_list = Offer.objects.for_cards().in_order_of(page.object_list)
        return page


def _track_counts():
    return dict(
        OfferSector.objects.filter(offer__status=Offer.Status.PUBLISHED)
        .values_list("sector__track")
        .annotate(n=Count("offer", distinct=True))
        .order_by()
    )


def _sector_counts(track):
    links = OfferSector.objects.filter(offer__status=Offer.Status.PUBLISHED, sector__track=track)
    # An offer and a sector are linked at most once, so counting links counts offers.
    own = dict(links.values_list("sector").annotate(n=Count("offer")).order_by())
    with_finer = dict(
        links.annotate(broad=Coalesce("sector__parent", "sector"))
        .values_list("broad")
        .annotate(n=Count("offer", distinct=True))
        .order_by()
    )
    return own, with_finer


def _region_counts(sector):
    """The published offers of ``sector``, and how many of them each region and each state with
    its districts serves, counted in Python from one pass over the offers' region links: three
    grouped queries read the sector's offers three times."""
    rows = offers_in_sector(sector).values_list("pk", "regions", "regions__parent").order_by()
    offers, own, by_top = set(), Counter(), defaultdict(set)
    # An offer without regions still counts in the total ("all regions" lists it).
    for offer, region, parent in rows:
        offers.add(offer)
        if region is not None:
            # An offer and a region are linked at most once, so counting links counts offers.
            own[region] += 1
            by_top[parent or region].add(offer)
    with_districts = {top: len(served) for top, served in by_top.items()}
    return len(offers), dict(own), with_districts


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
        Crumb(_("Start"), reverse("offers:home")),
        Crumb(track.name, track.get_absolute_url()),
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
    return reverse("offers:walk_sector", kwargs={"track": track.slug, "sector": sector.slug})


def region_url(track, sector, region_slug):
    return reverse(
        "offers:walk_region",
        kwargs={"track": track.slug, "sector": sector.slug, "region": region_slug},
    )
