"""Template tags and filters for the public offer and provider pages and the walk."""

import functools
import html
import re

from django import template
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from bookings.display import next_dates
from retribus.per_language import address_around, per_language
from schooldesk.markers import save_form

from .german import soft_hyphens

register = template.Library()


def tel_href(number):
    """A ``tel:`` link target from a phone number as printed (“06502 - 9208101”).

    Spaces, dashes and slashes are fine on paper but not in a URL.
    """
    return "tel:" + re.sub(r"[^\d+]", "", number)


# A slug no provider has, to cut addresses around it.
_SLUG_MARKER = "0slug0"


def offer_url_parts():
    """The offer page's address in the active language, cut around the offer's id: rows of
    links reverse it once, not once per row."""
    return address_around("offers:offer_detail", "pk")


@register.simple_tag
def breadcrumb_trail(crumbs):
    """The breadcrumbs of a page (walk steps, offer and provider pages): ``crumbs``
    (``walk.Crumb``) from the home page to the page itself, the last one marked current;
    nothing without crumbs."""
    if not crumbs:
        return ""
    esc = conditional_escape
    *steps, current = crumbs
    items = [f'<li><a href="{esc(crumb.url)}">{esc(crumb.label)}</a></li>' for crumb in steps]
    items.append(
        f'<li><a href="{esc(current.url)}" aria-current="page">{esc(current.label)}</a></li>'
    )
    label = esc(gettext("Your choices so far"))
    return mark_safe(
        f'<nav class="breadcrumbs" aria-label="{label}">\n'
        "  <ol>\n    " + "\n    ".join(items) + "\n  </ol>\n</nav>\n"
    )


class _ContactTexts:
    """The fixed parts of a contact block in the active language, escaped."""

    def __init__(self):
        esc = html.escape
        self.phone = esc(gettext("Phone"))
        self.email = esc(gettext("E-mail"))
        self.website = esc(gettext("Website"))
        self.show_email = esc(gettext("Show e-mail address"))
        self.of_name = gettext("of %(name)s")
        self.person_email_parts = [
            esc(part) for part in address_around("offers:contact_email", "pk")
        ]
        # Slugs need no quoting in a URL.
        self.provider_email_parts = [
            esc(part) for part in address_around("offers:provider_email", "slug", _SLUG_MARKER)
        ]


_contact_texts = per_language(_ContactTexts)


def _email_reveal(texts, action, name, back_path):
    """An e-mail address behind a button, so that the cached page holds no address for
    robots to collect (offers/views/contact.py). ``action``: the reveal address, escaped;
    ``back_path``: the page's address, escaped. No CSRF token on purpose: the page is cached
    whole and sets no cookie."""
    return (
        f'<form class="email-reveal" method="post" action="{action}">\n'
        f'  <input type="hidden" name="next" value="{back_path}">\n'
        f'  <button type="submit" class="email-reveal__button">{texts.show_email}'
        f'<span class="visually-hidden"> {texts.of_name % {"name": html.escape(name)}}</span>'
        "</button>\n</form>\n"
    )


def contact_block(provider, contacts, back_path, *, provider_url=None):
    """The provider's contact block as the seed's provider page shows it: ``contacts``
    (contact persons), address, phone, e-mails, website; with ``provider_url`` (the offer
    page) the provider's name linked to its page first. E-mail addresses sit behind a
    button, never in the page; a contact person's phone and address only if they agreed
    to show them. ``back_path``: the page's address, where the reveal page links back to."""
    esc = html.escape
    texts = _contact_texts()
    back_path = esc(back_path)
    parts = ['<div class="contact-block">\n']
    if provider_url is not None:
        parts.append(
            f'  <p class="contact-block__name"><a href="{esc(provider_url)}">'
            f"{esc(provider.name)}</a></p>\n"
        )
    if contacts:
        parts.append('  <ul class="contact-persons">\n')
        before, after = texts.person_email_parts
        for person in contacts:
            role = f", {esc(person.role)}" if person.role else ""
            parts.append(
                f'    <li>\n      <span class="contact-persons__name">{esc(person.name)}</span>'
                f"{role}\n"
            )
            if person.phone and person.show_phone:
                parts.append(
                    f'      <br>{texts.phone}: <a href="{esc(tel_href(person.phone))}">'
                    f"{esc(person.phone)}</a>\n"
                )
            if person.email and person.show_email:
                action = f"{before}{person.pk}{after}"
                parts.append(
                    f"      <br>{texts.email}: "
                    f"{_email_reveal(texts, action, person.name, back_path)}"
                )
            parts.append("    </li>\n")
        parts.append("  </ul>\n")
    if provider.street or provider.city:
        street = f"{esc(provider.street)}<br>" if provider.street else ""
        parts.append(
            f'  <p class="contact-block__address">\n      {street}\n'
            f"      {esc(provider.postal_code)} {esc(provider.city)}\n  </p>\n"
        )
    parts.append('  <ul class="contact-channels">\n')
    if provider.phone:
        parts.append(
            f'    <li>{texts.phone}: <a href="{esc(tel_href(provider.phone))}">'
            f"{esc(provider.phone)}</a></li>\n"
        )
    if provider.email:
        before, after = texts.provider_email_parts
        action = f"{before}{esc(provider.slug)}{after}"
        parts.append(
            f"    <li>{texts.email}: {_email_reveal(texts, action, provider.name, back_path)}"
            "</li>\n"
        )
    if provider.website:
        website = esc(provider.website)
        parts.append(
            f'    <li>{texts.website}: <a class="url" href="{website}">{website}</a></li>\n'
        )
    parts.append("  </ul>\n</div>\n")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def provider_contact(context, provider, contacts):
    """``contact_block`` in a template (the provider page), which needs ``request``."""
    return mark_safe(contact_block(provider, contacts, context["request"].get_full_path()))


@register.simple_tag
def provider_offer_rows(offers):
    """The rows of a provider's table of offers (``offers/provider_detail.html``).

    Built in Python rather than in the template: a page has fifty rows of six cells, and the
    template language spends about 100 µs on a row, half the page's time. The offer pages'
    address is reversed once for all rows (a ``reverse`` costs as much as the rest of a
    cell), and cells are escaped with ``html.escape``, which is what Django's ``escape``
    does to a string after asking whether it is lazy. Needs ``offer_type`` and
    ``school_form_names`` set (``provider_table``).
    """
    esc = html.escape
    type_, description = esc(gettext("Type of offer")), esc(gettext("Short description"))
    school_form, duration = esc(gettext("School form")), esc(gettext("Duration / place"))
    grade, participants = esc(gettext("Grade")), esc(gettext("Participants"))
    all_forms, place = esc(gettext("all")), esc(gettext("Place"))
    url_before, url_after = (esc(part) for part in offer_url_parts())
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
            f'<td data-label="{description}"><a href="{url_before}{offer.pk}{url_after}">'
            f"{code}{esc(offer.title)}</a>{summary}</td>"
            f'<td data-label="{school_form}">{forms}</td>'
            f'<td data-label="{duration}">{esc(offer.duration_label or "–")}<br>'
            f"{place}: {venue}</td>"
            f'<td data-label="{grade}">{esc(offer.grades_label)}</td>'
            f'<td data-label="{participants}">{esc(offer.participants_label or "–")}</td>'
            f'<td class="provider-offers__save">{save_form(offer.pk, offer.title)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def pagination(page_obj, query=""):
    """Links to the previous and next page of ``page_obj`` (a search, a walk step, a
    provider's offers), keeping the page's other parameters ``query`` (urlencoded)."""
    if not page_obj.has_other_pages():
        return ""
    esc = conditional_escape
    start = f"?{esc(query)}&amp;page=" if query else "?page="
    where = gettext("Page %(number)s of %(total)s") % {
        "number": localize(page_obj.number),
        "total": localize(page_obj.paginator.num_pages),
    }
    links = []
    if page_obj.has_previous():
        previous = esc(gettext("Previous page"))
        links.append(
            f'<li><a href="{start}{page_obj.previous_page_number()}" rel="prev">{previous}</a></li>'
        )
    links.append(f"<li>{where}</li>")
    if page_obj.has_next():
        following = esc(gettext("Next page"))
        links.append(
            f'<li><a href="{start}{page_obj.next_page_number()}" rel="next">{following}</a></li>'
        )
    pages = esc(gettext("Pages"))
    return mark_safe(
        f'<nav class="pagination" aria-label="{pages}">\n  <ul>\n    '
        + "\n    ".join(links)
        + "\n  </ul>\n</nav>\n"
    )


def count_html(count):
    """The number of offers behind a choice, as ``includes/_choice_count.html`` shows it."""
    return count_html_in(get_language(), count)


@functools.lru_cache(maxsize=4096)
def count_html_in(language, count):
    """``count_html`` in ``language``, the active language of the caller: made once per
    number, as a page shows hundreds of counts and the same numbers come back."""
    noun = conditional_escape(ngettext("offer", "offers", count))
    return (
        f'<span class="count">{localize(count)}<span class="visually-hidden"> {noun}</span></span>'
    )


@register.simple_tag
def region_choices(regions, step_url):
    """The walk's region choices (``offers/walk_sector.html``): a link from the step at
    ``step_url`` to the offers of each region, with their number (``offer_count``).

    Built in Python rather than in the template: a national portal lists 400 districts on one
    page, and the template language spent 5 ms on them.
    """
    esc = conditional_escape
    step_url = esc(step_url)
    choices = []
    for region in regions:
        count = region.offer_count
        choices.append(
            f'<li class="choice"><a class="choice__link" href="{step_url}{esc(region.slug)}/">'
            f'<span class="choice__label">{esc(soft_hyphens(region.name))}</span> '
            f"{count_html(count)}</a></li>"
        )
    return mark_safe("\n".join(choices))


def _school_forms(offer, labels):
    if offer.all_school_forms:
        return labels.all_forms
    names = getattr(offer, "school_form_names", None)
    if names is None:  # school_forms prefetched
        names = [form.short_name or form.name for form in offer.school_forms.all()]
    return ", ".join(names) if names else labels.not_specified


class _CardLabels:
    """The terms of a card in one language, escaped once rather than looked up per card."""

    def __init__(self):
        esc = conditional_escape
        self.terms = [
            esc(gettext("Type")),
            esc(gettext("Grades")),
            esc(gettext("School forms")),
            esc(gettext("Participants")),
            esc(gettext("Duration")),
            esc(gettext("Venue")),
        ]
        self.next_dates = esc(gettext("Next dates"))
        self.all_forms = gettext("all")
        self.not_specified = gettext("not specified")


@functools.lru_cache(maxsize=8)
def _card_labels(language):
    """``_CardLabels`` of ``language``, the active language of the caller."""
    return _CardLabels()


@register.simple_tag
def offer_card(offer, heading_level=3, hide_provider=False, save_button=True):
    """One offer in a list of results (search page, the walk's last step).

    Needs ``provider`` and ``offer_type`` selected and ``school_forms`` prefetched (or
    ``school_form_names`` set), or every card costs queries. Built in Python rather than
    in a template: twenty to fifty cards with seven labels each cost the template language
    about 150 µs a card, a third of a search page's time.

    The card is kept on the offer object, per language and kind of card, for the day (its
    dates leave out the past ones at rendering time): the search index keeps the offers of
    result pages for as long as nothing about them can change (``SearchIndex._offers``,
    dropped for an offer that a patch reads again), and popular offers turn up on many
    result pages; the per-visitor parts of the Merken button are placeholders.
    """
    kind = (get_language(), int(heading_level), bool(hide_provider), save_button)
    return _kept_card(offer, kind, timezone.localdate())


@register.simple_tag
def offer_list_items(offers, heading_level=3, hide_provider=False, save_button=True):
    """``offer_card`` of each of ``offers`` in a list item: one tag for a page of results
    rather than a template loop over a tag."""
    kind = (get_language(), int(heading_level), bool(hide_provider), save_button)
    today = timezone.localdate()
    return mark_safe("\n".join(f"<li>{_kept_card(offer, kind, today)}</li>" for offer in offers))


def _kept_card(offer, kind, today):
    kept = offer.__dict__.setdefault("kept_cards", {})
    day, html = kept.get(kind, (None, None))
    if day != today:
        html = mark_safe(_card(offer, *kind))
        kept[kind] = (today, html)
    return html


def _card(offer, language, level, hide_provider, save_button):
    esc = conditional_escape
    labels = _card_labels(language)
    code = f'<span class="offer-card__code">{esc(offer.code)}</span> ' if offer.code else ""
    parts = [
        f'<article class="offer-card"><h{level} class="offer-card__title">'
        f'<a href="{esc(offer.get_absolute_url())}">{code}{esc(offer.title)}</a></h{level}>'
    ]
    if not hide_provider:
        city = f" ({esc(offer.provider.city)})" if offer.provider.city else ""
        parts.append(f'<p class="offer-card__provider">{esc(offer.provider.name)}{city}</p>')
    if offer.summary:
        parts.append(f'<p class="offer-card__summary">{esc(offer.summary)}</p>')
    venue = offer.get_venue_display()
    # The same rows in the same order on every card, so cards line up when scanned.
    facts = list(
        zip(
            labels.terms,
            (
                offer.offer_type.name,
                offer.grades_label,
                _school_forms(offer, labels),
                offer.participants_label or labels.not_specified,
                offer.duration_label or labels.not_specified,
                f"{venue}: {offer.place}" if offer.place else venue,
            ),
            strict=True,
        )
    )
    if dates := next_dates(offer):  # bookings: the next dated sessions, free places
        facts.append((labels.next_dates, dates))
    # One row per fact, term beside value (site.css .offer-card__facts); long German
    # values get soft hyphens so that they fit a phone's card.
    parts.append('<dl class="facts offer-card__facts">')
    parts.extend(
        f"<div><dt>{term}</dt><dd>{esc(soft_hyphens(value))}</dd></div>" for term, value in facts
    )
    parts.append("</dl>")
    if save_button:  # the Merkliste (schooldesk/markers.py); "detached" inside another form
        parts.append(save_form(offer.pk, offer.title, detached=save_button == "detached"))
    parts.append("</article>")
    return "".join(parts)
