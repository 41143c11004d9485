"""A provider's table of published offers, grouped by type as the seed's provider pages
list them, cut into pages, and the number of its offers in each field (its main field leads
the breadcrumbs).

``provider_offers`` chooses where they come from: the worker's search index when it
describes the catalogue version (``IndexedOffers``: no query but the page's offers, their
types and school forms taken from the index), else SQL (``ProviderOffers``: counts per type
cached under the version). ``tests/test_provider_index.py`` holds the two to the same pages.
"""

from collections import defaultdict

import numpy as np
from django.db.models import Count

from . import page_cache
from .linked import CARD_FIELDS
from .models import Offer
from .search.engine import current_index_or_start_build

OfferSchoolForm = Offer.school_forms.through
OfferSector = Offer.sectors.through


def provider_offers(provider, version):
    """The published offers of ``provider`` in listing order, for a ``Paginator``: from the
    worker's index when it describes catalogue ``version`` (just read by the caller), else
    from SQL (and the index is rebuilt meanwhile)."""
    index = current_index_or_start_build(version)
    if index is None:
        return ProviderOffers(provider, offer_counts_by_type(provider, version))
    return IndexedOffers(index, provider)


def offer_counts_by_type(provider, version):
    """The number of published offers of ``provider`` per offer type, in listing order.

    A list of ``(offer_type_id, count)`` pairs ordered as ``ProviderOffers`` lists the
    offers; empty if the provider has no published offer. Cached under the catalogue
    ``version``.
    """
    return page_cache.cached(
        "walk",
        version,
        f"provider:{provider.pk}",
        lambda: list(
            Offer.objects.published()
            .filter(provider=provider)
            .values_list("offer_type")
            .annotate(n=Count("pk"))
            .order_by(*PROVIDER_ORDER[:3])
        ),
    )


def offers_per_sector(provider):
    """The number of published offers of ``provider`` linked to each field, by its id (one
    query of the link table)."""
    return dict(
        OfferSector.objects.filter(offer__provider=provider, offer__status=Offer.Status.PUBLISHED)
        .values_list("sector")
        .annotate(n=Count("offer"))
        .order_by()
    )


# A provider's offers grouped by type, as the seed's provider pages list them; the type's id
# keeps two types of the same name and position apart, which ``ProviderOffers`` relies on.
PROVIDER_ORDER = ("offer_type__position", "offer_type__name", "offer_type_id", "title", "pk")


def _check_slice(index):
    if not isinstance(index, slice) or index.step is not None:
        raise TypeError("A provider's offers support slices without a step only.")


class ProviderOffers:
    """The published offers of a provider in listing order, from SQL.

    A national provider has thousands of offers. Counting them, or sorting them by type to
    cut out one page, reads every one of their rows; with the cached counts per type
    (``offer_counts_by_type``) a page reads only the offer types it shows, through
    the index on ``(provider, offer type, title)``.
    """

    def __init__(self, provider, type_counts):
        self.provider = provider
        self.queryset = (
            Offer.objects.published()
            .filter(provider=provider)
            .select_related("offer_type")
            .only(*CARD_FIELDS, "offer_type__name")
            .order_by(*PROVIDER_ORDER)
        )
        self.type_counts = type_counts

    def count(self):
        return sum(n for _type, n in self.type_counts)

    def __getitem__(self, index):
        _check_slice(index)
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
        offers = list(self.queryset.filter(offer_type__in=types)[offset:limit])
        add_school_form_names(offers)
        return offers

    def per_sector(self):
        """The number of the offers linked to each field, by its id."""
        return offers_per_sector(self.provider)


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


def _listing_order(types):
    """``types`` (offer types) in the order of ``PROVIDER_ORDER``, given in the order of the
    vocabulary, which the database sorted by position and name (so names compare as the
    database's collation has them)."""
    first = {}
    for rank, offer_type in enumerate(types):
        first.setdefault((offer_type.position, offer_type.name), rank)
    return sorted(types, key=lambda t: (first[t.position, t.name], t.pk))


class IndexedOffers:
    """The published offers of a provider in listing order, from the worker's search index:
    the positions of its offers by type in title order, and each offer's school forms, are
    in the index, so a page reads only its own offers (by primary key)."""

    def __init__(self, index, provider):
        self.index = index
        self.provider = provider
        self.vocabulary = index.vocabulary()
        by_type = index.provider_offers(provider.pk, "type")
        types = [t for slug, t in self.vocabulary.type.items() if slug in by_type]
        grouped = [by_type[t.slug] for t in _listing_order(types)]
        self.positions = np.concatenate(grouped) if grouped else np.zeros(0, dtype=np.int64)

    def count(self):
        return len(self.positions)

    def __getitem__(self, index):
        _check_slice(index)
        positions = self.positions[index]
        ids = self.index.ids[positions].tolist()
        offers = Offer.objects.published().only(*CARD_FIELDS).order_by().in_order_of(ids)
        self.index.add_types_and_school_forms(offers, positions)
        return offers

    def per_sector(self):
        """The number of the offers linked to each field, by its id. The index counts an
        offer of a finer field for the broad field above it too, which is the link count
        only while none of the offers is in a finer field (most providers); else SQL."""
        held = self.index.counts_at(self.positions, "sector")
        nodes = self.vocabulary.sector
        if any(nodes[key].parent_id is not None for key in held):
            return offers_per_sector(self.provider)
        return {nodes[key].pk: n for key, n in held.items()}
