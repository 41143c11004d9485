"""The Merkliste's parts of shared templates: the Merken form and the header link."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .. import markers

register = template.Library()


@register.simple_tag
def save_form(offer):
    """The Merken form of ``offer`` (placeholders filled per request, markers.fill)."""
    return mark_safe(markers.save_form(offer.pk, offer.title))


@register.simple_tag
def merken_forms(offers):
    """The forms of the detached Merken buttons of ``offers`` (markers.save_form)."""
    return mark_safe(markers.detached_forms([offer.pk for offer in offers]))


@register.simple_tag
def merkliste_link():
    """The header's link to the Merkliste with the visitor's count, filled per request."""
    label = escape(gettext("Shortlist"))
    return mark_safe(
        f'<a href="{escape(reverse("schooldesk:list"))}" class="merkliste-link">{label} '
        f"(<span data-merkliste-count>{markers.COUNT}</span>)</a>"
    )
