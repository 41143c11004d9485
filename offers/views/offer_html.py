"""The offer page's content, built in Python rather than by the template language.

A new offer page (one that no cache has seen) is what a visitor arriving from a search
engine asks for, and at 100,000 offers the template version spent 4 of the page's 7 ms of
CPU in the template language's nodes: twenty translations, a dozen URL reversals, loops
over the offer's regions, sectors and school forms, and the includes of the contact block,
the dates and the e-mail buttons. Here the parts that are the same on every page of a
language are made once (``_Fixed``) and a page joins them with the offer's values, as the
search page does (``search_html``).

The markup is that of the template it replaced (``offers/offer_detail.html`` keeps the
page's title, head and breadcrumbs). Texts come from gettext with the template's message
ids; like ``{% translate %}`` their output is escaped, and like ``{% blocktranslate %}`` a
message with placeholders is filled with escaped values. Parts made elsewhere are joined as
they are: the Merken form (``schooldesk.markers``), the dates with the request link
(``bookings.display``) and the contact block, which the provider page shows too
(``offer_tags.contact_block``).
"""

from html import escape as esc

from django.utils.formats import date_format, localize
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from bookings.display import offer_dates
from retribus.per_language import address_around, per_language
from schooldesk.markers import save_form

from ..models import grades_label
from ..templatetags.offer_tags import contact_block, offer_url_parts


class _Fixed:
    """The escaped texts and addresses of the offer page in the active language. Each
    message is written out in a ``gettext`` call outside any f-string, where makemessages
    finds it."""

    def __init__(self):
        self.ics_start, self.ics_end = (
            esc(part) for part in address_around("schooldesk:offer_ics", "pk")
        )
        add_dates = esc(gettext("Add the dates to your calendar (.ics)"))
        self.ics_end += f'">{add_dates}</a>'
        self.offer_start, self.offer_end = (esc(part) for part in offer_url_parts())
        self.offered_by = gettext('offered by <a href="%(url)s">%(provider)s</a>')
        at_a_glance = esc(gettext("At a glance"))
        self.facts_start = (
            '  <div class="offer__body">\n'
            '    <section class="offer__facts" aria-labelledby="facts-heading">\n'
            f'      <h2 id="facts-heading">{at_a_glance}</h2>\n'
            '      <dl class="facts facts--wide">\n'
        )
        self.type = _term(gettext("Type"))
        self.grades = _term(gettext("Grades"))
        self.school_forms = _term(gettext("School forms"))
        self.participants = _term(gettext("Participants"))
        self.duration = _term(gettext("Duration"))
        self.venue = _term(gettext("Venue"))
        self.regions = _term(gettext("For schools in"))
        self.dates = _term(gettext("Dates"))
        self.cost = _term(gettext("Cost"))
        self.audience = _term(gettext("For"))
        self.sectors = _term(gettext("Fields"))
        self.subjects = _term(gettext("MINT subjects"))
        self.all_school_forms = esc(gettext("all school forms"))
        self.not_specified = esc(gettext("not specified"))
        self.free = esc(gettext("free of charge"))
        self.all_year = esc(gettext("all year by arrangement"))
        self.by_arrangement = esc(gettext("by arrangement"))
        description, contact = esc(gettext("Description")), esc(gettext("Contact"))
        self.description = (
            '    <section class="offer__description" aria-labelledby="description-heading">\n'
            f'      <h2 id="description-heading">{description}</h2>\n'
        )
        self.contact = (
            '    <section class="offer__contact" aria-labelledby="contact-heading">\n'
            f'      <h2 id="contact-heading">{contact}</h2>\n'
        )
        self.last_confirmed = gettext("Last confirmed by the provider on %(date)s.")
        self.more_from = gettext("More offers from %(provider)s")
        self.all_of = gettext("All offers of %(provider)s")
        self.grades_of_other = gettext("grades %(grades)s")


def _term(text):
    """The start of a row of the facts list: the escaped term, the value's opening tag."""
    return f"<div><dt>{esc(text)}</dt><dd>"


_fixed = per_language(_Fixed)


def _names(nodes):
    return ", ".join(esc(node.name) for node in nodes)


def _dates(fixed, offer, sessions):
    """The facts list's dates: a pointer to the dated sessions below, else the offer's own
    first and last date or "all year", its note, or "by arrangement"."""
    if sessions:
        count = ngettext(
            "%(counter)s upcoming date, see below",
            "%(counter)s upcoming dates, see below",
            len(sessions),
        ) % {"counter": localize(len(sessions))}
        return f'<a href="#dates-heading">{count}</a>'
    parts = []
    if offer.start_date:
        first = date_format(offer.start_date, "DATE_FORMAT")
        if offer.end_date and offer.end_date != offer.start_date:
            parts.append(f"{esc(first)} – {esc(date_format(offer.end_date, 'DATE_FORMAT'))}")
        else:
            parts.append(esc(first))
    elif offer.year_round:
        parts.append(fixed.all_year)
    if offer.dates_note:
        parts.append(esc(offer.dates_note))
    return "<br>".join(parts) or fixed.by_arrangement


def _facts(fixed, offer, sessions):
    """The facts list ("At a glance"): the same rows in the same order for every offer."""
    if offer.all_school_forms:
        school_forms = fixed.all_school_forms
    else:
        school_forms = _names(offer.school_forms.all()) or fixed.not_specified
    venue = esc(offer.get_venue_display())
    if offer.place:
        venue = f"{venue}: {esc(offer.place)}"
    sectors = "<br>".join(
        f"{esc(sector.track.name)}: {esc(sector.name)}" for sector in offer.sectors.all()
    )
    rows = [
        f"{fixed.type}{esc(offer.offer_type.name)}",
        f"{fixed.grades}{esc(offer.grades_label)}",
        f"{fixed.school_forms}{school_forms}",
        f"{fixed.participants}{esc(offer.participants_label) or fixed.not_specified}",
        f"{fixed.duration}{esc(offer.duration_label) or fixed.not_specified}",
        f"{fixed.venue}{venue}",
        f"{fixed.regions}{_names(offer.regions.all())}",
        f"{fixed.dates}{_dates(fixed, offer, sessions)}",
        f"{fixed.cost}{esc(offer.cost) or fixed.free}",
        f"{fixed.audience}{esc(offer.get_audience_display())}",
        f"{fixed.sectors}{sectors}",
    ]
    if subjects := offer.subjects.all():
        rows.append(f"{fixed.subjects}{_names(subjects)}")
    items = "</dd></div>\n        ".join(rows)
    return f"{fixed.facts_start}        {items}</dd></div>\n      </dl>\n    </section>\n"


def _header(fixed, offer, provider, provider_url, sessions):
    code = f' · <span class="offer__code">{esc(offer.code)}</span>' if offer.code else ""
    offered_by = fixed.offered_by % {"url": esc(provider_url), "provider": esc(provider.name)}
    city = f" ({esc(provider.city)})" if provider.city else ""
    lead = f'    <p class="lead">{esc(offer.summary)}</p>\n' if offer.summary else ""
    ics = ""
    if offer.start_date or sessions:
        ics = (
            f'\n      <a class="button button--secondary no-print" '
            f'href="{fixed.ics_start}{offer.pk}{fixed.ics_end}'
        )
    return (
        f'  <header class="offer__header">\n'
        f'    <p class="offer__type">{esc(offer.offer_type.name)}{code}</p>\n'
        f"    <h1>{esc(offer.title)}</h1>\n"
        f'    <p class="offer__provider">{offered_by}{city}</p>\n{lead}'
        f'    <div class="offer__actions">\n      {save_form(offer.pk, offer.title)}{ics}\n'
        f"    </div>\n  </header>\n\n"
    )


def _contact(fixed, offer, provider, provider_url, contacts, back_path):
    confirmed = ""
    if offer.last_confirmed:
        date = esc(date_format(offer.last_confirmed, "DATE_FORMAT"))
        confirmed = f'      <p class="muted">{fixed.last_confirmed % {"date": date}}</p>\n'
    block = contact_block(provider, contacts, back_path, provider_url=provider_url)
    return f"{fixed.contact}{block}{confirmed}    </section>\n"


def _others(fixed, provider, provider_url, others, shown):
    """The provider's other offers, ``others`` being rows of (pk, title, grade_min,
    grade_max, offer type name); the first ``shown`` of them, and a link to the provider's
    page for all when there are more."""
    if not others:
        return ""
    name = esc(provider.name)
    items = "\n".join(
        f'<li><a href="{fixed.offer_start}{pk}{fixed.offer_end}">{esc(title)}</a> '
        f'<span class="muted">({esc(type_name)}, '
        f"{esc(fixed.grades_of_other % {'grades': grades_label(grade_min, grade_max)})})"
        "</span></li>"
        for pk, title, grade_min, grade_max, type_name in others[:shown]
    )
    all_offers = ""
    if len(others) > shown:
        all_offers = (
            f'      <p><a href="{esc(provider_url)}">{fixed.all_of % {"provider": name}}</a></p>\n'
        )
    return (
        f'\n  <section class="offer__others" aria-labelledby="others-heading">\n'
        f'    <h2 id="others-heading">{fixed.more_from % {"provider": name}}</h2>\n'
        f'    <ul class="link-list">\n{items}\n    </ul>\n{all_offers}  </section>\n'
    )


def offer_content(offer, *, provider_url, contacts, sessions, others, others_shown, back_path):
    """The offer page's ``main`` content. ``offer`` with its provider, type and links
    (``linked.published_offer``, ``linked.attach``); ``provider_url``: the provider page's
    address; ``contacts``: the contact persons to show; ``sessions``: its upcoming dates;
    ``others``: rows of the provider's other offers (``linked.other_offers``), of which the
    first ``others_shown``; ``back_path``: the page's address (for the e-mail buttons)."""
    fixed = _fixed()
    provider = offer.provider
    description = ""
    if offer.description:
        description = (
            f"{fixed.description}        {linebreaks(offer.description, autoescape=True)}\n"
            "    </section>\n"
        )
    return mark_safe(
        '<article class="wrap offer">\n'
        f"{_header(fixed, offer, provider, provider_url, sessions)}"
        f"{_facts(fixed, offer, sessions)}\n"
        f"    {offer_dates(offer.pk, sessions)}\n"
        f"{description}"
        f"{_contact(fixed, offer, provider, provider_url, contacts, back_path)}  </div>\n"
        f"{_others(fixed, provider, provider_url, others, others_shown)}</article>\n"
    )
