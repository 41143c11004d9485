"""Dated sessions in the calendar files of schooldesk (an offer's .ics, a Merkliste's):
one event per upcoming session, registered with ``schooldesk.calendar.event_source``."""

from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Event

from .display import places_label
from .models import Session


def session_events(offers, absolute_url):
    """One event per upcoming session of ``offers`` (one query)."""
    from schooldesk.calendar import offer_place

    by_pk = {offer.pk: offer for offer in offers}
    if not by_pk:
        return
    host = absolute_url("/").split("//", 1)[-1].strip("/") or "retribus"
    stamp = timezone.now()
    for session in Session.objects.upcoming().filter(offer_id__in=list(by_pk)):
        offer = by_pk[session.offer_id]
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{offer.title} ({offer.provider.name})")
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("location", offer_place(offer))
        url = absolute_url(offer.get_absolute_url())
        event.add("url", url)
        lines = [session.note, places_label(session), f"{gettext('Details')}: {url}"]
        event.add("description", "\n".join(line for line in lines if line))
        yield event
