"""How dates and free places read on cards and offer pages."""

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from .models import start_of_today

CARD_DATES = 2


def places_label(session):
    """“8 places free”, “fully booked – waiting list”, or "" without a limit."""
    left = session.places_left
    if left is None:
        return ""
    if left == 0:
        return gettext("fully booked – waiting list")
    return ngettext("%(n)d place free", "%(n)d places free", left) % {"n": left}


def next_dates(offer):
    """A card's line of the next dates with their free places ("" for none), from the
    sessions ``for_cards`` prefetched (or the search index read, ``SearchIndex``); dates
    past since (a kept index, a kept page) are left out here, at rendering time."""
    sessions = getattr(offer, "upcoming_sessions", None)
    if not sessions:
        return ""
    today = start_of_today()
    upcoming = [s for s in sessions if s.starts_at >= today]
    parts = []
    for session in upcoming[:CARD_DATES]:
        day = formats.date_format(timezone.localtime(session.starts_at), "SHORT_DATE_FORMAT")
        places = places_label(session)
        parts.append(f"{day} ({places})" if places else day)
    if len(upcoming) > CARD_DATES:
        more = len(upcoming) - CARD_DATES
        parts.append(ngettext("%(n)d more date", "%(n)d more dates", more) % {"n": more})
    return ", ".join(parts)
