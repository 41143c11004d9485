"""Dates of an offer for its page (``bookings/_offer_dates.html``)."""

from django import template

from bookings import display

register = template.Library()


@register.filter
def places_label(session):
    return display.places_label(session)
