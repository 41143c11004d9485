"""Public pages: the home page, the guided walk, search, offer and provider pages."""

from django.db.models import Count, Q
from django.shortcuts import render

from .models import Offer, Track


def home(request):
    """The start of the walk: each track with the number of published offers behind it."""
    tracks = Track.objects.annotate(
        offer_count=Count(
            "sectors__offers",
            filter=Q(sectors__offers__status=Offer.Status.PUBLISHED),
            distinct=True,
        )
    )
    return render(
        request,
        "offers/home.html",
        {"tracks": tracks, "offer_count": Offer.objects.published().count()},
    )
