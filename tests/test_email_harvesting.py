"""No e-mail address of a contact is in the offer and provider pages for a robot to collect:
each is shown on request (a POST, limited per client address), and contacts choose what
is public."""

import html
import re
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.cache import cache

from offers.models import ContactPerson
from tests.factories import make_offer, make_provider
from tests.public_urls import forms_on

# What a harvester looks for, in the page as sent, with HTML entities and %-escapes undone.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def harvest(page):
    text = page.content.decode()
    decoded = [text, html.unescape(text), unquote(html.unescape(text))]
    return {address for version in decoded for address in EMAIL.findall(version)}


@pytest.fixture
def contacts(taxonomy):
    provider = make_provider(
        taxonomy, name="Offen GmbH", slug="offen-gmbh", email="info@offen.example.org"
    )
    erika = ContactPerson.objects.create(
        provider=provider, name="Erika Sichtbar", email="e.sichtbar@example.org", phone="0651 1"
    )
    max_ = ContactPerson.objects.create(
        provider=provider,
        name="Max Verborgen",
        email="m.verborgen@example.org",
        phone="0651 2",
        show_email=False,
        show_phone=False,
    )
    offer = make_offer(taxonomy, provider=provider, contact=erika)
    return provider, erika, max_, offer


# Where the "show e-mail address" buttons post to (offers:contact_email, offers:provider_email).
REVEAL_ACTION = re.compile(r"/(kontakt|anbieter)/[^/]+/e-mail/$")


def reveal_forms(page, kind=""):
    """The page's forms that reveal an address on request (not its other POST forms, such
    as Merken); with ``kind`` ("kontakt", "anbieter") only those revealing a contact
    person's or a provider's address."""
    return [
        form
        for form in forms_on(page.content.decode())
        if form["method"] == "post"
        and (match := REVEAL_ACTION.search(form["action"] or ""))
        and kind in ("", match.group(1))
    ]


def test_offer_and_provider_pages_hold_no_email_address(client, taxonomy):
    # Only the fields contacts had before they could choose: today's data, as it is.
    provider = make_provider(taxonomy, slug="offen", email="info@offen.example.org")
    erika = ContactPerson.objects.create(
        provider=provider, name="Erika Sichtbar", email="e.sichtbar@example.org"
    )
    ContactPerson.objects.create(provider=provider, name="Max", email="max@example.org")
    offer = make_offer(taxonomy, provider=provider, contact=erika)
    for url in [offer.get_absolute_url(), provider.get_absolute_url()]:
        for prefix in ("", "/en"):
            page = client.get(prefix + url)
            assert page.status_code == 200
            assert harvest(page) == set(), f"{prefix}{url} shows e-mail addresses"
            assert "mailto:" not in page.content.decode()


def test_without_javascript_the_button_posts_and_the_answer_shows_the_address(client, contacts):
    provider, erika, max_, offer = contacts
    page = client.get(offer.get_absolute_url())
    (form,) = reveal_forms(page, "kontakt")
    # No CSRF token: the reveal needs no cookie. The page's only cookie is the CSRF
    # cookie of its Merken form (tests/test_security_headers.py), no session.
    assert form["fields"] == ["next"]
    assert set(page.cookies) <= {settings.CSRF_COOKIE_NAME}

    answer = client.post(form["action"], {"next": offer.get_absolute_url()})

    assert answer.status_code == 200
    assert harvest(answer) == {"e.sichtbar@example.org"}
    assert 'href="mailto:e.sichtbar@example.org"' in answer.content.decode()
    assert f'href="{offer.get_absolute_url()}"' in answer.content.decode()
    assert "no-store" in answer["Cache-Control"]
    assert "noindex" in answer["X-Robots-Tag"]
    assert not answer.cookies


def test_the_providers_own_address_is_shown_on_request_too(client, contacts):
    provider, erika, max_, offer = contacts
    actions = [form["action"] for form in reveal_forms(client.get(provider.get_absolute_url()))]
    # Erika's and the provider's; Max chose not to show his address.
    assert len(actions) == 2

    shown = set()
    for action in actions:
        shown |= harvest(client.post(action))

    assert shown == {"e.sichtbar@example.org", "info@offen.example.org"}


def test_a_get_shows_the_button_not_the_address(client, contacts):
    provider, erika, max_, offer = contacts
    (form,) = reveal_forms(client.get(offer.get_absolute_url()), "kontakt")

    page = client.get(form["action"])

    assert page.status_code == 200
    assert harvest(page) == set()
    assert reveal_forms(page)


def test_contacts_choose_what_is_public(client, contacts):
    provider, erika, max_, offer = contacts
    text = client.get(provider.get_absolute_url()).content.decode()

    assert "Max Verborgen" in text
    assert "0651 2" not in text
    assert "0651 1" in text
    assert client.post(f"/kontakt/{max_.pk}/e-mail/").status_code == 404


def test_contacts_of_providers_without_published_offers_are_not_revealed(client, taxonomy):
    hidden = make_provider(taxonomy, slug="geheim", email="info@geheim.example.org")
    person = ContactPerson.objects.create(provider=hidden, name="Eva", email="eva@example.org")
    make_offer(taxonomy, provider=hidden, contact=person, status="draft")

    assert client.post(f"/kontakt/{person.pk}/e-mail/").status_code == 404
    assert client.post("/anbieter/geheim/e-mail/").status_code == 404


def test_a_foreign_next_address_is_not_linked(client, contacts):
    provider, erika, max_, offer = contacts

    answer = client.post(f"/kontakt/{erika.pk}/e-mail/", {"next": "https://evil.example/"})

    assert "evil.example" not in answer.content.decode()
    assert f'href="{provider.get_absolute_url()}"' in answer.content.decode()


def test_reveals_are_limited_per_client_address(client, contacts, monkeypatch):
    from offers.views import contact as reveal

    provider, erika, max_, offer = contacts
    monkeypatch.setattr(reveal, "REVEALS_PER_WINDOW", 3)
    url = f"/kontakt/{erika.pk}/e-mail/"

    answers = [client.post(url) for _ in range(4)]
    other_client = client.post(url, REMOTE_ADDR="192.0.2.7")

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert harvest(answers[-1]) == set()
    assert answers[-1]["Retry-After"]
    assert other_client.status_code == 200


def test_a_failing_cache_still_reveals_and_still_limits(client, contacts, monkeypatch):
    from offers.views import contact as reveal

    provider, erika, max_, offer = contacts
    monkeypatch.setattr(reveal, "REVEALS_PER_WINDOW", 2)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", broken)
    url = f"/kontakt/{erika.pk}/e-mail/"

    answers = [client.post(url).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_the_admin_asks_what_is_public(client, contacts):
    from django.urls import reverse

    from tests.admin_support import make_user, setup_roles

    provider, erika, max_, offer = contacts
    setup_roles()
    client.force_login(make_user("Anbieter-Redaktion", providers=[provider]))

    contact_form = client.get(reverse("admin:offers_contactperson_change", args=[erika.pk]))
    provider_form = client.get(reverse("admin:offers_provider_change", args=[provider.pk]))

    assert 'name="show_email"' in contact_form.text and 'name="show_phone"' in contact_form.text
    assert 'name="contacts-0-show_email"' in provider_form.text
    assert 'name="contacts-0-show_phone"' in provider_form.text
