"""Every public page of the portal, found from the URLconf and filled with real data.

Used by the robustness, header and privacy tests, so that a page added later is checked
without anyone remembering to list it. "Public" means: not the admin, not the language
switch endpoint; the concrete address comes from reversing each named pattern with values
taken from a small, fully linked database (see ``populate``).
"""

import itertools
from datetime import timedelta
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone, translation

from network.models import NetworkProfile
from offers.models import ContactPerson
from pages.models import LegalPage
from schooldesk.models import SharedList
from tests import factories

# The JSON API answers JSON, errors included (tests/test_opendata_api.py), not pages.
EXCLUDED_NAMESPACES = {"admin", "api"}
EXCLUDED_NAMES = {"set_language", "healthz"}


def populate(taxonomy=None):
    """A small linked database: taxonomy, provider with a contact person, published offer,
    a shared Merkliste, a network partner.

    Returns candidate values per URL keyword (``slug``, ``pk``, ``track`` …).
    """
    taxonomy = taxonomy or factories.make_taxonomy()
    for kind, title in LegalPage.Kind.choices:
        # Seeded by a data migration, but gone after a transactional test's flush.
        LegalPage.objects.get_or_create(kind=kind, defaults={"title": title, "body": title})
    provider = factories.make_provider(
        taxonomy, name="IT Haus GmbH", slug="it-haus-gmbh", email="info@it-haus.example.org"
    )
    # Dated, so that it has a calendar file (schooldesk:offer_ics).
    start = timezone.localdate() + timedelta(days=60)
    offer = factories.make_offer(
        taxonomy, provider=provider, title="Praktikum Robotik", start_date=start, end_date=start
    )
    # A dated session (bookings): the offer page and cards show its date and free places.
    factories.make_session(offer)
    # Its e-mail address is shown on request (offers:contact_email), not in the pages.
    contact = ContactPerson.objects.create(
        provider=provider, name="Erika Kontakt", email="e.kontakt@example.org", phone="0651 1"
    )
    values = {
        "track": [taxonomy["ausbildung"].slug],
        "sector": [taxonomy["it"].slug],
        "region": [taxonomy["trier"].slug],
        "pk": [offer.pk, contact.pk],
        "slug": [provider.slug],
        # A password-reset link of a user that does not exist: the "invalid link" page.
        "uidb64": ["MTIzNDU2"],
        "token": ["c0ffee-0123456789abcdef"],
        # A section of sitemap.xml (opendata/sitemaps.py).
        "section": ["offers"],
    }
    # A Merkliste shared by its link (schooldesk): its page, handouts and calendar file.
    shared = SharedList.objects.create(
        items=[[offer.pk, offer.title, provider.name]], note="Klasse 9b, Herbst"
    )
    values["token"].append(shared.token)
    # The online support declaration is open only once the network has a declaration text.
    profile = NetworkProfile.load()
    profile.declaration_text = "Wir unterstützen die MINT-Bildung in der Region Trier."
    profile.save()
    partner = factories.make_partner(taxonomy)
    values["slug"].append(partner.slug)
    values["pk"].append(partner.pk)
    return values


def _named_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            if namespace in EXCLUDED_NAMESPACES:
                continue
            yield from _named_patterns(
                entry.url_patterns, f"{prefix}{namespace}:" if namespace else prefix
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def public_url_names():
    """The names of all public URL patterns, with the keyword arguments each one needs."""
    found = {}
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        if name.split(":")[-1] in EXCLUDED_NAMES:
            continue
        found[name] = sorted(pattern.pattern.converters)
    return found


def public_urls(client, values):
    """One concrete address per public page (see ``public_endpoints``)."""
    return public_endpoints(client, values)[0]


def public_endpoints(client, values):
    """``(pages, actions)``: one concrete address per public pattern.

    ``pages`` answer GET; each prefers an address that answers 200. Patterns whose
    keywords have no value at all are returned with ``None`` so callers can report them
    instead of silently skipping them. ``actions`` are the patterns that answer a GET with
    405 and allow only POST (the target of a form, such as Merken): no page to fetch, but
    an address to post to.
    """
    pages, actions = {}, {}
    with translation.override("de"):
        for name, keywords in public_url_names().items():
            candidates = [values.get(keyword, []) for keyword in keywords]
            first = first_answer = None
            for combination in itertools.product(*candidates):
                try:
                    url = reverse(name, kwargs=dict(zip(keywords, combination, strict=True)))
                except NoReverseMatch:
                    continue
                answer = client.get(url)
                if first is None:
                    first, first_answer = url, answer
                if answer.status_code == 200:
                    pages[name] = url
                    break
            else:
                if first_answer is not None and post_only(first_answer):
                    actions[name] = first
                else:
                    pages[name] = first
    return pages, actions


def post_only(response):
    """Whether ``response`` is the 405 of an address that takes only POST."""
    allowed = {method.strip() for method in response.get("Allow", "").split(",")}
    return response.status_code == 405 and allowed == {"POST"}


class FormCollector(HTMLParser):
    """Collects the forms of a page: method, action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action"),
                    "fields": [],
                }
            )
        elif tag in {"input", "select", "textarea", "button"} and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].append(attrs["name"])


def forms_on(html):
    collector = FormCollector()
    collector.feed(html)
    return collector.forms
