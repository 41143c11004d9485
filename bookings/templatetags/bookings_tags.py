"""Dates of an offer for its page (``bookings/_offer_dates.html``)."""

from django import template

from bookings import display
from bookings.models import Session

register = template.Library()


@register.simple_tag
def upcoming_sessions(offer):
    """The offer's dates from today on (one query)."""
    return list(Session.objects.upcoming().filter(offer=offer))


@register.filter
def places_label(session):
    return display.places_label(session)
