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


def sample_urls():
    track = Track.objects.get(slug="ausbildung")
    sector = busiest(Sector.objects.filter(track=track, parent=None), "offers")
    region = busiest(Region.objects.filter(level=Region.Level.DISTRICT), "offers")
    offer = Offer.objects.published().order_by("pk").first()
    provider = busiest(Provider.objects.all(), "offers")
    offer_type = busiest(OfferType.objects.all(), "offers")
    school_form = busiest(SchoolForm.objects.all(), "offers")
    facets = {"type": offer_type.slug, "schoolform": school_form.slug, "grade": 9}
    search = reverse("offers:search")
    return {
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
