"""Feeds of new and changed offers (Atom, ``django.contrib.syndication``) and a calendar
(iCalendar) of a search's dated offers.

Each feed takes the search page's parameters; the region and sector feeds add their one
filter to them. The newest changes first, 50 entries; only published offers (an offer
that is archived leaves the feed). Unreadable numbers get the friendly 400 page, a region
or sector that does not exist a 404.
"""

import datetime
from urllib.parse import urlencode

import icalendar
from django.apps import apps
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from offers.search import facets
from offers.views.search import bad_request

from . import searching

FEED_ENTRIES = 50
CALENDAR_EVENTS = 500


def search_words(spec, vocabulary):
    """The active filters as words: “Region: Stadt Trier; Klasse: 9”."""
    parts = []
    if spec.selected("q"):
        parts.append(_("Search words") + f": {spec.q}")
    for facet in facets.registered():
        values = spec.selected(facet.name)
        if values:
            labels = ", ".join(facet.value_label(value, vocabulary) for value in values)
            parts.append(f"{facet.label}: {labels}")
    return "; ".join(parts)


def search_page_url(spec):
    params = [("q", spec.q)] if spec.selected("q") else []
    for facet in facets.registered():
        params += [(facet.name, value) for value in spec.selected(facet.name)]
    query = urlencode(params)
    return reverse("offers:search") + (f"?{query}" if query else "")


class FeedSearch:
    """The validated search a feed shows, and how to name it."""

    def __init__(self, request, filterset):
        self.request = request
        self.filterset = filterset
        self.spec = filterset.spec
        self.words = search_words(self.spec, filterset.vocabulary)

    def offers(self):
        return (
            searching.ordered_matches(self.filterset)
            .select_related("provider", "offer_type")
            .defer("description", "search_vector")
        )


class OfferFeed(Feed):
    """New and changed offers of the whole catalogue or of a search (``?region=…``)."""

    feed_type = Atom1Feed
    fixed = None  # (parameter, URL keyword): the one filter the address itself gives

    def __call__(self, request, *args, **kwargs):
        data = request.GET.copy()
        if self.fixed:
            name, keyword = self.fixed
            data.setlist(name, [kwargs[keyword]])
        _engine, filterset = searching.read_search(request, data)
        if not filterset.is_valid():
            return bad_request(request, filterset)
        if self.fixed and kwargs[self.fixed[1]] not in filterset.spec.selected(self.fixed[0]):
            raise Http404("No such value.")
        request.opendata_search = FeedSearch(request, filterset)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.opendata_search

    def title(self, search):
        title = _("New and changed offers – ReTriBuS")
        return f"{title}: {search.words}" if search.words else title

    def subtitle(self, search):
        return _("Career and study orientation offers in the Trier region, newest changes first.")

    def link(self, search):
        return search_page_url(search.spec)

    def feed_guid(self, search):
        return search.request.build_absolute_uri()

    def feed_url(self, search):
        return search.request.build_absolute_uri()

    def author_name(self, search):
        return _("ReTriBuS")

    def items(self, search):
        return search.offers().order_by("-updated_at", "-pk")[:FEED_ENTRIES]

    def item_title(self, offer):
        return offer.title

    def item_description(self, offer):
        return offer.summary or offer.title

    def item_author_name(self, offer):
        return offer.provider.name

    def item_pubdate(self, offer):
        return offer.created_at

    def item_updateddate(self, offer):
        return offer.updated_at

    def item_categories(self, offer):
        return [offer.offer_type.name]


class RegionFeed(OfferFeed):
    fixed = ("region", "region")


class SectorFeed(OfferFeed):
    fixed = ("sector", "sector")


def _dated(offers):
    """Offers with dates that have not all passed."""
    today = timezone.localdate()
    return offers.filter(start_date__isnull=False).filter(
        Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
    )


def calendar(request):
    """The dated offers of a search (and their sessions, where the bookings app has them)
    as an iCalendar file a calendar program can subscribe to."""
    _engine, filterset = searching.read_search(request)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    search = FeedSearch(request, filterset)
    host = request.get_host().split(":")[0]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ReTriBuS//Angebote//DE")
    cal.add("version", "2.0")
    name = _("Offers – ReTriBuS")
    cal.add("x-wr-calname", f"{name}: {search.words}" if search.words else name)
    matches = search.offers()
    for offer in _dated(matches).order_by("start_date", "pk")[:CALENDAR_EVENTS]:
        event = icalendar.Event()
        event.add("uid", f"offer-{offer.pk}@{host}")
        event.add("summary", offer.title)
        event.add("dtstart", offer.start_date)
        event.add("dtend", (offer.end_date or offer.start_date) + datetime.timedelta(days=1))
        event.add("dtstamp", offer.updated_at)
        event.add("url", request.build_absolute_uri(offer.get_absolute_url()))
        event.add("description", "\n".join(filter(None, [offer.summary, offer.dates_note])))
        event.add("location", offer.place or offer.provider.city or "")
        cal.add_component(event)
    if apps.is_installed("bookings"):
        from bookings.models import Session

        sessions = (
            Session.objects.upcoming()
            .filter(offer__in=matches.values("pk"))
            .select_related("offer", "offer__provider")
            .order_by("starts_at", "pk")[:CALENDAR_EVENTS]
        )
        for session in sessions:
            offer = session.offer
            event = icalendar.Event()
            event.add("uid", f"session-{session.pk}@{host}")
            event.add("summary", offer.title)
            event.add("dtstart", session.starts_at)
            event.add("dtend", session.ends_at)
            event.add("dtstamp", offer.updated_at)
            event.add("url", request.build_absolute_uri(offer.get_absolute_url()))
            event.add("description", "\n".join(filter(None, [offer.summary, session.note])))
            event.add("location", offer.place or offer.provider.city or "")
            cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="angebote.ics"'
    return response
