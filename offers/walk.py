"""The guided walk: Ausbildung or Studium → sector or field of study → region → offers.

Every step counts the published offers behind each of its choices. When the worker's search
index describes the current catalogue (``offers/search_index.py``), the counts and the last
step's ordered offers come from its bitsets without a query; otherwise (just after a write,
while the index is rebuilt) from grouped aggregates over the link tables, cached until the
catalogue changes (see ``Catalog``); ``tests/test_walk_index.py`` holds the two to the same
answers. Choices without published offers are left out:
the walk never leads into an empty list. The counts use exactly the rules of
``OfferQuerySet.in_sector`` and ``in_region``, so the number beside a choice is the number of
offers on the page it leads to.

A provider's table of offers (``ProviderOffers``) is cut into pages the same way, from counts
cached under the catalogue version.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import page_cache, search_index
from .models import CatalogVersion, Offer, Region, Sector, Track

ALL_REGIONS = "alle-regionen"

OfferSector = Offer.sectors.through
OfferRegion = Offer.regions.through
OfferSchoolForm = Offer.school_forms.through


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


class Catalog:
    """The walk's view of the published offers for one request.

    The grouped aggregates behind the counts and the ordered offer lists are cached under the
    catalogue version (``CatalogVersion``), which database triggers replace on every write to
    offers, their links, the vocabularies or providers. So a cached count is never stale, and
    at a hundred thousand offers a walk step costs one indexed lookup of the version instead of
    joins over every published offer. Without a version row (a flushed test database) nothing
    is cached.
    """

    def __init__(self, version=None):
        """``version``: the catalogue token when the caller has just read it (the page
        cache has); read here otherwise."""
        self.version = version if version is not None else CatalogVersion.current()
        # The search page's in-memory index of this very version, when the worker has it:
        # it counts and lists a step's offers without a query (``offers/search_index.py``).
        self.index = search_index.current(self.version)

    def _knows(self, **nodes):
        """Whether there is an index and it holds the sector or region ``nodes`` (None: no
        node). One created just after this request read the version is not in it yet."""
        if self.index is None:
            return False
        vocabulary = self.index.vocabulary()
        return all(
            node is None or node.slug in getattr(vocabulary, name) for name, node in nodes.items()
        )

    def _cached(self, key, compute):
        return page_cache.cached("walk", self.version, key, compute)

    def offer_count(self):
        """The number of published offers."""
        if self.index is not None:
            return self.index.count()
        return self._cached("total", Offer.objects.published().count)

    def tracks(self):
        """Tracks that have published offers, each with ``offer_count``.

        An offer with sectors in both tracks counts once in each.
        """
        tracks = list(Track.objects.all())
        if self.index is not None:
            by_slug = self.index.value_counts("track")
            counts = {track.pk: by_slug.get(track.slug, 0) for track in tracks}
        else:
            counts = self._cached(
                "tracks",
                lambda: dict(
                    OfferSector.objects.filter(offer__status=Offer.Status.PUBLISHED)
                    .values_list("sector__track")
                    .annotate(n=Count("offer", distinct=True))
                    .order_by()
                ),
            )
        for track in tracks:
            track.offer_count = counts.get(track.pk, 0)
        return [track for track in tracks if track.offer_count]

    def sectors(self, track):
        """The sectors of ``track`` with published offers, broad fields with their finer ones.

        Each returned sector carries ``offer_count`` (a broad field counts the offers of its
        finer fields too, each offer once) and ``finer``, its finer fields with offers.
        """
        sectors = list(Sector.objects.filter(track=track))
        if self.index is not None:
            # A sector's bitset holds its own offers and those of its finer fields, each once:
            # for a finer field that is its own offers, for a broad one the count with them.
            by_slug = self.index.value_counts("sector")
            own = with_finer = {sector.pk: by_slug.get(sector.slug, 0) for sector in sectors}
        else:
            own, with_finer = self._cached(f"sectors:{track.pk}", lambda: _sector_counts(track))
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
        if self._knows(sector=sector):
            # As with sectors: a district's count is its own, a state's includes its districts.
            within = {"sector": (sector.slug,)}
            by_slug = self.index.value_counts("region", **within)
            total = self.index.count(**within)
            own = with_districts = {region.pk: by_slug.get(region.slug, 0) for region in regions}
        else:
            total, own, with_districts = self._cached(
                f"regions:{sector.pk}", lambda: _region_counts(sector)
            )
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
        """One page of the last step's offers, in the order the page lists them.

        The ordered ids are cached: those of the whole sector, and from them those of each
        region, so a region seen for the first time costs one indexed read of the offers
        served there instead of sorting the sector's offers again. The page's offers are then
        read by id, with what their cards show.
        """
        if self._knows(sector=sector, region=region):
            within = {"sector": (sector.slug,)}
            if region is not None:
                within["region"] = (region.slug,)
            ids = self.index.ids_by_provider(**within)
        else:
            ids = self._cached(
                f"offers:{sector.pk}:all",
                lambda: list(walk_offers(sector).values_list("pk", flat=True)),
            )
            if region is not None:
                ids = self._cached(
                    f"offers:{sector.pk}:{region.pk}", lambda: _served_in(region, ids)
                )
        page = Paginator(ids, per_page).get_page(number)
        offers = (
            Offer.objects.filter(pk__in=page.object_list)
            .select_related("provider", "offer_type")
            .prefetch_related("school_forms")
            .for_lists()
        )
        by_pk = {offer.pk: offer for offer in offers}
        page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
        return page

    def provider_offer_counts(self, provider):
        """The number of published offers of ``provider`` per offer type, in listing order.

        A list of ``(offer_type_id, count)`` pairs ordered as ``ProviderOffers`` lists the
        offers; empty if the provider has no published offer.
        """
        return self._cached(
            f"provider:{provider.pk}",
            lambda: list(
                Offer.objects.published()
                .filter(provider=provider)
                .values_list("offer_type")
                .annotate(n=Count("pk"))
                .order_by(*PROVIDER_ORDER[:3])
            ),
        )


# A provider's offers grouped by type, as the seed's provider pages list them; the type's id
# keeps two types of the same name and position apart, which ``ProviderOffers`` relies on.
PROVIDER_ORDER = ("offer_type__position", "offer_type__name", "offer_type_id", "title", "pk")


class ProviderOffers:
    """The published offers of a provider in listing order, for a ``Paginator``.

    A national provider has thousands of offers. Counting them, or sorting them by type to
    cut out one page, reads every one of their rows; with the cached counts per type
    (``Catalog.provider_offer_counts``) a page reads only the offer types it shows, through
    the index on ``(provider, offer type, title)``.
    """

    def __init__(self, queryset, type_counts):
        self.queryset = queryset.order_by(*PROVIDER_ORDER)
        self.type_counts = type_counts

    def count(self):
        return sum(n for _type, n in self.type_counts)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("ProviderOffers supports slices without a step only.")
        start, stop = index.start or 0, index.stop
        types, before, seen = [], 0, 0
        for offer_type, n in self.type_counts:
            if seen + n <= start:
                before = seen + n
            elif stop is None or seen < stop:
                types.append(offer_type)
            seen += n
        offset = start - before
        limit = None if stop is None else offset + stop - start
        return list(self.queryset.filter(offer_type__in=types)[offset:limit])


def add_school_form_names(offers):
    """Set ``school_form_names`` on each of ``offers``: the short names (or else names) of its
    school forms, in their order.

    One query of the link table; ``prefetch_related`` would build a model instance for every
    link and cost a page of fifty offers four times as much.
    """
    links = (
        OfferSchoolForm.objects.filter(offer__in=offers)
        .values_list("offer", "schoolform__short_name", "schoolform__name")
        .order_by("schoolform__position", "schoolform__name", "schoolform")
    )
    names = defaultdict(list)
    for offer, short_name, name in links:
        names[offer].append(short_name or name)
    for offer in offers:
        offer.school_form_names = names[offer.pk]


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
    return offers.order_by("provider__name", "provider_id", "title", "pk")


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
