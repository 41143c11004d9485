"""Template tags and filters for the public offer and provider pages and the walk."""

import re

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def tel_href(number):
    """A ``tel:`` link target from a phone number as printed (“06502 - 9208101”).

    Spaces, dashes and slashes are fine on paper but not in a URL.
    """
    return "tel:" + re.sub(r"[^\d+]", "", number)


@register.simple_tag
def provider_offer_rows(offers):
    """The rows of a provider's table of offers (``offers/provider_detail.html``).

    Built in Python rather than in the template: a page has fifty rows of six cells, and the
    template language spends about 100 µs on a row, half the page's time. Needs
    ``offer_type`` selected and ``school_form_names`` set (``walk.add_school_form_names``).
    """
    esc = conditional_escape
    type_, description, school_form, duration, grade, participants = (
        esc(gettext(label))
        for label in (
            "Type of offer",
            "Short description",
            "School form",
            "Duration / place",
            "Grade",
            "Participants",
        )
    )
    all_forms, place = esc(gettext("all")), esc(gettext("Place"))
    rows = []
    for offer in offers:
        code = f"{esc(offer.code)} " if offer.code else ""
        summary = f"<br>{esc(offer.summary)}" if offer.summary else ""
        if offer.all_school_forms:
            forms = all_forms
        else:
            names = offer.school_form_names
            forms = esc(", ".join(names)) if names else "–"
        venue = esc(offer.get_venue_display())
        if offer.place:
            venue = f"{venue}, {esc(offer.place)}"
        rows.append(
            f'<tr><td data-label="{type_}">{esc(offer.offer_type.name)}</td>'
            f'<td data-label="{description}"><a href="{esc(offer.get_absolute_url())}">'
            f"{code}{esc(offer.title)}</a>{summary}</td>"
            f'<td data-label="{school_form}">{forms}</td>'
            f'<td data-label="{duration}">{esc(offer.duration_text or "–")}<br>'
            f"{place}: {venue}</td>"
            f'<td data-label="{grade}">{esc(offer.grades_label)}</td>'
            f'<td data-label="{participants}">{esc(offer.participants_label or "–")}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def region_choices(regions, step_url):
    """The walk's region choices (``offers/walk_sector.html``): a link from the step at
    ``step_url`` to the offers of each region, with their number (``offer_count``).

    Built in Python rather than in the template: a national portal lists 400 districts on one
    page, and the template language spent 5 ms on them.
    """
    esc = conditional_escape
    one, many = esc(gettext("offer")), esc(gettext("offers"))
    step_url = esc(step_url)
    choices = []
    for region in regions:
        count = region.offer_count
        choices.append(
            f'<li class="choice"><a class="choice__link" href="{step_url}{esc(region.slug)}/">'
            f'<span class="choice__label">{esc(region.name)}</span> '
            f'<span class="count">{localize(count)}<span class="visually-hidden"> '
            f"{one if count == 1 else many}</span></span></a></li>"
        )
    return mark_safe("\n".join(choices))
