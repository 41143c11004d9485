"""A provider's table of published offers, grouped by type as the seed's provider pages
list them, cut into pages from counts cached under the catalogue version."""

from collections import defaultdict

from django.db.models import Count

from . import page_cache
from .models import Offer

OfferSchoolForm = Offer.school_forms.through


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


# A provider's offers grouped by type, as the seed's provider pages list them; the type's id
# keeps two types of the same name and position apart, which ``ProviderOffers`` relies on.
PROVIDER_ORDER = ("offer_type__position", "offer_type__name", "offer_type_id", "title", "pk")


class ProviderOffers:
    """The published offers of a provider in listing order, for a ``Paginator``.

    A national provider has thousands of offers. Counting them, or sorting them by type to
    cut out one page, reads every one of their rows; with the cached counts per type
    (``offer_counts_by_type``) a page reads only the offer types it shows, through
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
