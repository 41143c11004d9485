"""The class handout: every offer of a Merkliste or a search on A4, as HTML and as PDF.

Each offer with what a teacher needs to book it (code, type, grades, school forms,
duration, place, dates, cost), the contact data its offer page shows publicly (the offer's
contact person, else the provider's, with phone and e-mail only where the person agreed,
``ContactPerson.show_phone`` / ``show_email``) and a QR code to the offer page, made here
as SVG by ``segno``. The PDF is WeasyPrint's rendering of the same HTML.

E-mail addresses are never in the offer pages (robots harvest them,
offers/views/contact.py); a handout has to carry them to be useful on paper, so a client
address gets them in at most ``HANDOUTS_WITH_EMAIL`` handouts per ``WINDOW_SECONDS``;
after that the handout says where to find them instead.
"""

import segno
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from offers.models import ContactPerson, Offer
from operations import limits

# More would be a catalogue, not a handout; a search handout says when it stops here.
LIMIT = 200
HANDOUTS_WITH_EMAIL = 10
WINDOW_SECONDS = 10 * 60


def offers_in_order(ids):
    """The published offers among ``ids``, in that order, with everything the handout
    shows (a fixed number of queries)."""
    contacts = ContactPerson.objects.order_by("position", "name")
    return (
        Offer.objects.published()
        .select_related("provider", "offer_type", "contact")
        .prefetch_related("school_forms", Prefetch("provider__contacts", queryset=contacts))
        .defer("search_vector")
        .in_order_of(ids)
    )


def contacts_of(offer, *, with_email):
    """The offer's public contact data: as the offer page shows it, e-mail addresses only
    where the person agreed and ``with_email``."""
    people = [offer.contact] if offer.contact else list(offer.provider.contacts.all())
    return [
        {
            "name": person.name,
            "role": person.role,
            "phone": person.phone if person.show_phone else "",
            "email": person.email if person.show_email and with_email else "",
            "email_hidden": bool(person.email and person.show_email and not with_email),
        }
        for person in people
    ]


def qr_svg(url, label):
    """A QR code of ``url`` as an inline SVG element, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=2, border=2, omitsize=True)
    svg = svg.replace(' class="segno"', "", 1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr" ', 1)
    return mark_safe(svg)  # noqa: S308 -- segno's own markup, the label escaped above


def dates_text(offer):
    if offer.start_date:
        start = date_format(offer.start_date, "DATE_FORMAT")
        if offer.end_date and offer.end_date != offer.start_date:
            text = f"{start} – {date_format(offer.end_date, 'DATE_FORMAT')}"
        else:
            text = start
    elif offer.year_round:
        text = gettext("all year by arrangement")
    else:
        text = "" if offer.dates_note else gettext("by arrangement")
    return ", ".join(part for part in (text, offer.dates_note) if part)


def entries(offers, absolute_url, *, with_email):
    """What the handout prints per offer."""
    result = []
    for offer in offers:
        url = absolute_url(offer.get_absolute_url())
        if offer.all_school_forms:
            forms = gettext("all school forms")
        else:
            forms = ", ".join(form.name for form in offer.school_forms.all()) or gettext(
                "not specified"
            )
        venue = offer.get_venue_display()
        result.append(
            {
                "offer": offer,
                "url": url,
                "school_forms": forms,
                "place": f"{venue}: {offer.place}" if offer.place else venue,
                "dates": dates_text(offer),
                "contacts": contacts_of(offer, with_email=with_email),
                "qr": qr_svg(url, gettext("QR code: address of the offer “%s”") % offer.title),
            }
        )
    return result


def _emails_key(request):
    return limits.client_key("handout-emails", request)


def emails_allowed(request):
    """Count one handout against the client address; False once over the limit."""
    count = limits.count(_emails_key(request), WINDOW_SECONDS, what="Handouts")
    return count <= HANDOUTS_WITH_EMAIL


def emails_left(request):
    """Whether the client's next handout may still carry e-mail addresses (counts nothing:
    the PDF's waiting page asks again and again)."""
    return limits.current(_emails_key(request), what="Handouts") < HANDOUTS_WITH_EMAIL


def _no_fetching(url):
    # Everything the PDF needs is in the HTML and the stylesheet given to it.
    raise ValueError(f"the handout PDF loads nothing: {url}")


def pdf(html):
    """The PDF of the handout page ``html`` (A4, print stylesheet ``css/handout.css``)."""
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=finders.find("css/handout.css"), url_fetcher=_no_fetching)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[stylesheet])
