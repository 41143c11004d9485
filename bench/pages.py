"""The pages the benchmark times, chosen from the generated data like a real visitor would."""

import random
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from offers.models import Offer, OfferType, Provider, Region, SchoolForm, Sector, Track


def busiest(queryset, relation):
    """The row of ``queryset`` with the most published offers behind ``relation``."""
    return (
        queryset.filter(**{f"{relation}__status": Offer.Status.PUBLISHED})
        .annotate(n=Count(relation))
        .order_by("-n", "pk")
        .first()
    )


WORDS = [
    "Praktikum",
    "Roboter",
    "Labor",
    "Werkstatt",
    "Pflege",
    "Chemie",
    "Elektro",
    "Holz",
    "Daten",
]


def distinct_searches(count, *, text):
    """``count`` different searches with three facets (and a text query when ``text``), so
    that neither a result cache nor one cached text match can make the page look faster."""
    types = list(OfferType.objects.values_list("slug", flat=True))
    forms = list(SchoolForm.objects.values_list("slug", flat=True))
    search = reverse("offers:search")
    urls = []
    for n in range(count):
        params = {
            "type": types[n % len(types)],
            "schoolform": forms[(n // len(types)) % len(forms)],
        }
        params["grade"] = 5 + n % 9
        if text:
            params = {"q": WORDS[n % len(WORDS)], **params}
        urls.append(f"{search}?{urlencode(params)}")
    assert len(set(urls)) == count
    return urls


def many_searches(count):
    """``count`` different searches (type × school form × grade × a word or none) for the
    throughput run, enough that no URL is asked twice while it lasts."""
    types = list(OfferType.objects.values_list("slug", flat=True))
    forms = list(SchoolForm.objects.values_list("slug", flat=True))
    search = reverse("offers:search")
    urls = []
    for word in [None, *WORDS]:
        for offer_type in types:
            for form in forms:
                for grade in range(5, 14):
                    params = {"type": offer_type, "schoolform": form, "grade": grade}
                    if word:
                        params = {"q": word, **params}
                    urls.append(f"{search}?{urlencode(params)}")
    return urls[:count]


def distinct_offers(count):
    """Published offers spread over the whole catalogue."""
    ids = list(Offer.objects.published().order_by("pk").values_list("pk", flat=True))
    step = max(len(ids) // count, 1)
    return [reverse("offers:offer_detail", kwargs={"pk": pk}) for pk in ids[::step][:count]]


def distinct_providers(count):
    """The providers with the most published offers: the most expensive provider pages."""
    providers = (
        Provider.objects.filter(offers__status=Offer.Status.PUBLISHED)
        .annotate(n=Count("offers"))
        .order_by("-n", "pk")[:count]
    )
    return [provider.get_absolute_url() for provider in providers]


def distinct_walk_sectors(count):
    """The region step of every sector and field of study (of both tracks) with offers."""
    sectors = (
        Sector.objects.filter(offers__status=Offer.Status.PUBLISHED)
        .select_related("track")
        .distinct()
        .order_by("track__pk", "pk")[:count]
    )
    return [
        reverse("offers:walk_sector", kwargs={"track": sector.track.slug, "sector": sector.slug})
        for sector in sectors
    ]


def distinct_walk_regions(track, sector, count):
    regions = Region.objects.filter(level=Region.Level.DISTRICT).order_by("pk")[:count]
    return [
        reverse(
            "offers:walk_region",
            kwargs={"track": track.slug, "sector": sector.slug, "region": region.slug},
        )
        for region in regions
    ]


def sample_urls(distinct=45):
    """Page name → list of URLs; a list of one is timed repeatedly, a longer list in turn."""
    track = Track.objects.get(slug="ausbildung")
    sector = busiest(Sector.objects.filter(track=track, parent=None), "offers")
    region = busiest(Region.objects.filter(level=Region.Level.DISTRICT), "offers")
    offer = Offer.objects.published().order_by("pk").first()
    provider = busiest(Provider.objects.all(), "offers")
    offer_type = busiest(OfferType.objects.all(), "offers")
    school_form = busiest(SchoolForm.objects.all(), "offers")
    facets = {"type": offer_type.slug, "schoolform": school_form.slug, "grade": 9}
    search = reverse("offers:search")
    urls = {
        "home": reverse("offers:home"),
        "walk_track": reverse("offers:walk_track", kwargs={"track": track.slug}),
        "walk_sector": reverse(
            "offers:walk_sector", kwargs={"track": track.slug, "sector": sector.slug}
        ),
        "walk_region": reverse(
            "offers:walk_region",
            kwargs={"track": track.slug, "sector": sector.slug, "region": region.slug},
        ),
        "search_text": f"{search}?{urlencode({'q': 'Praktikum', **facets})}",
        "search_facets": f"{search}?{urlencode(facets)}",
        "offer": offer.get_absolute_url(),
        "provider": provider.get_absolute_url(),
        "floor": "/bench/floor/",
    }
    urls = {name: [url] for name, url in urls.items()}
    urls["walk_sector_distinct"] = distinct_walk_sectors(distinct)
    urls["walk_region_distinct"] = distinct_walk_regions(track, sector, distinct)
    urls["search_text_distinct"] = distinct_searches(distinct, text=True)
    urls["search_facets_distinct"] = distinct_searches(distinct, text=False)
    urls["offer_distinct"] = distinct_offers(distinct)
    urls["provider_distinct"] = distinct_providers(distinct)
    return urls


# --- over HTTP (bench/latency.py, bench/writes.py) ---------------------------------------

# Words the HTTP runs search for. None of them is in WORDS, so no search of these runs is one
# the wrk rows (``many_searches``) asked before; a word's text match is kept by the index
# after its first search, as on a portal in use.
HTTP_WORDS = [
    "Energie",
    "Informatik",
    "Mechatronik",
    "Forschung",
    "Recycling",
    "Physik",
    "Biologie",
    "Werkstoff",
    "Software",
    "Umwelt",
    "Mathematik",
    "Solar",
    "Fertigung",
    "Klima",
    "Medizin",
]


def _shuffled(items, seed):
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


def http_searches(seed=7, most=60_000):
    """Different searches of two shapes, shuffled: every word with type, school form and
    grade (the "text + 3 facets" page); and up to ``most`` of type, school form, grade and a
    region (state or district) without a word. Returns the two lists of URLs."""
    types = list(OfferType.objects.values_list("slug", flat=True))
    forms = list(SchoolForm.objects.values_list("slug", flat=True))
    regions = list(Region.objects.values_list("slug", flat=True))
    grades = range(5, 14)
    search = reverse("offers:search")
    text = [(w, t, f, g) for w in HTTP_WORDS for t in types for f in forms for g in grades]
    facets = [(t, f, g, r) for t in types for f in forms for g in grades for r in regions]
    return (
        [
            f"{search}?{urlencode({'q': w, 'type': t, 'schoolform': f, 'grade': g})}"
            for w, t, f, g in _shuffled(text, seed)
        ],
        [
            f"{search}?{urlencode({'type': t, 'schoolform': f, 'grade': g, 'region': r})}"
            for t, f, g, r in _shuffled(facets, seed)[:most]
        ],
    )


def http_walk_sectors(seed=7):
    """The second walk step (regions of a sector) of every sector with offers, shuffled."""
    return _shuffled(distinct_walk_sectors(10_000), seed)


def http_walk_regions(seed=7):
    """The third walk step (offers of a sector in a region) of every sector with published
    offers and every region (state or district), shuffled (at the small sizes many of them
    list no offer); then the same steps' second pages (the last page where there is no
    second), for a long run at a small size."""
    sectors = (
        Sector.objects.filter(offers__status=Offer.Status.PUBLISHED)
        .select_related("track")
        .distinct()
        .order_by("track__pk", "pk")
    )
    regions = list(Region.objects.order_by("pk").values_list("slug", flat=True))
    steps = _shuffled(
        [
            reverse(
                "offers:walk_region",
                kwargs={"track": sector.track.slug, "sector": sector.slug, "region": region},
            )
            for sector in sectors
            for region in regions
        ],
        seed,
    )
    return steps + [f"{url}?page=2" for url in steps]


def http_offers(seed=7):
    ids = Offer.objects.published().order_by("pk").values_list("pk", flat=True)
    return [reverse("offers:offer_detail", kwargs={"pk": pk}) for pk in _shuffled(ids, seed)]


def http_providers(seed=7):
    """Every provider with published offers, shuffled: the page a visitor opens from an offer."""
    providers = (
        Provider.objects.filter(offers__status=Offer.Status.PUBLISHED).distinct().order_by("pk")
    )
    return [provider.get_absolute_url() for provider in _shuffled(providers, seed)]
