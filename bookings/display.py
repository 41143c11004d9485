"""How dates and free places read on cards and offer pages."""

from html import escape

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from retribus.per_language import address_around, per_language

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


class _DatesTexts:
    """The fixed parts of the offer page's dates in the active language, escaped."""

    def __init__(self):
        # Messages outside f-strings, where makemessages finds them.
        heading = escape(gettext("Dates and request"))
        no_dates = escape(gettext("No fixed dates: the provider arranges a date with you."))
        ask = escape(gettext("Ask for this offer"))
        self.start = (
            '<section class="offer__dates" aria-labelledby="dates-heading">\n'
            f'  <h2 id="dates-heading">{heading}</h2>\n'
        )
        self.oclock = escape(gettext("o’clock"))
        self.no_dates = f"  <p>{no_dates}</p>\n"
        before, after = address_around("bookings:request", "pk")
        self.request_start = f'  <p><a class="request-link" href="{escape(before)}'
        self.request_end = f'{escape(after)}">{ask}</a></p>\n</section>\n'


_dates_texts = per_language(_DatesTexts)


def _session_item(session, oclock):
    starts = formats.date_format(timezone.localtime(session.starts_at), "D, d.m.Y, H:i")
    ends = formats.date_format(timezone.localtime(session.ends_at), "H:i")
    parts = [f"<li>{escape(starts)}–{escape(ends)} {oclock}"]
    if places := places_label(session):
        full = " sessions__places--full" if session.places_left == 0 else ""
        parts.append(f' · <span class="sessions__places{full}">{escape(places)}</span>')
    if session.registration_deadline:
        deadline = formats.date_format(session.registration_deadline, "d.m.Y")
        parts.append(" · " + gettext("register by %(date)s") % {"date": escape(deadline)})
    if session.note:
        parts.append(f" · {escape(session.note)}")
    parts.append("</li>")
    return "".join(parts)


def offer_dates(offer_id, sessions):
    """The offer page's dates and its link to the request form (its own, uncached address:
    the offer page itself is cached and holds no form token), as HTML. ``sessions``: the
    offer's upcoming dates (``bookings.search.upcoming_sessions``), read once by the offer
    page's view, whose facts list and calendar link use them too."""
    texts = _dates_texts()
    if sessions:
        items = "\n      ".join(_session_item(session, texts.oclock) for session in sessions)
        dates = f'  <ul class="sessions">\n      {items}\n  </ul>\n'
    else:
        dates = texts.no_dates
    return f"{texts.start}{dates}{texts.request_start}{offer_id}{texts.request_end}"
