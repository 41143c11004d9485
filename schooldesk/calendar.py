"""Calendar files (RFC 5545, through ``icalendar``) for offers with dates.

``calendar_for(offers, absolute_url)`` builds one calendar from every registered event
source. A source is a function ``(offers, absolute_url) -> iterable of icalendar.Event``;
the offers' own dates are the first. Another app adds its own (dated sessions, bookings)
with ``@calendar.event_source`` in its ``AppConfig.ready()``. ``absolute_url(path)`` turns a
path into a full address (``request.build_absolute_uri``).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

PRODID = "-//ReTriBuS//Merkliste//DE"
EVENT_SOURCES = []


def event_source(func):
    """Register ``func(offers, absolute_url)`` as a source of calendar events."""
    EVENT_SOURCES.append(func)
    return func


def offer_place(offer):
    """Where the offer takes place, as a calendar's LOCATION: the venue and place, and the
    provider's address when it is held at the provider's."""
    parts = [offer.get_venue_display()]
    if offer.place:
        parts.append(offer.place)
    provider = offer.provider
    if offer.venue == offer.Venue.PROVIDER:
        address = " ".join(p for p in (provider.postal_code, provider.city) if p)
        parts.extend(p for p in (provider.name, provider.street, address) if p)
    return ", ".join(parts)


@event_source
def offer_dates(offers, absolute_url):
    """One all-day event per offer with a first date, up to its last date."""
    host = absolute_url("/").split("//", 1)[-1].strip("/") or "retribus"
    stamp = timezone.now()
    for offer in offers:
        if not offer.start_date:
            continue
        end = offer.end_date if offer.end_date and offer.end_date >= offer.start_date else None
        event = Event()
        event.add("uid", f"offer-{offer.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{offer.title} ({offer.provider.name})")
        event.add("dtstart", offer.start_date)
        # DTEND of an all-day event is the day after the last one (RFC 5545, 3.6.1).
        event.add("dtend", (end or offer.start_date) + timedelta(days=1))
        event.add("location", offer_place(offer))
        url = absolute_url(offer.get_absolute_url())
        event.add("url", url)
        lines = [offer.summary, offer.dates_note, f"{gettext('Details')}: {url}"]
        event.add("description", "\n".join(line for line in lines if line))
        yield event


def calendar_for(offers, absolute_url):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "ReTriBuS")
    offers = list(offers)
    for source in EVENT_SOURCES:
        for event in source(offers, absolute_url):
            calendar.add_component(event)
    return calendar
