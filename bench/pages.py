"""The pages the benchmark times, chosen from the generated data like a real visitor would."""

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
