"""Public pages are served from the cache until the catalogue changes, and never after."""

import re

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.utils.html import escape

from offers import page_cache
from offers.models import ContactPerson, Offer, OfferType
from tests.factories import make_offer

PAGES = [
    "/",
    "/suche/?q=Roboter",
    "/angebote/ausbildung/",
    "/angebote/ausbildung/it-computer/",
    "/angebote/ausbildung/it-computer/stadt-trier/",
]


@pytest.fixture
def offer(taxonomy):
    return make_offer(taxonomy, title="Roboter bauen")


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]*)"')


def same_page(one, other):
    """The same page byte for byte, but for what schooldesk/markers.py fills in after the
    cache: the Merken forms' CSRF token, the visitor's own and masked afresh for each
    response (``test_a_page_from_the_cache_holds_each_visitors_own_form_token``), and
    their return address, the address as this visitor asked for it."""

    def normalised(response):
        content = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value="TOKEN"', response.content)
        query = response.request.get("QUERY_STRING")
        own = escape(response.request["PATH_INFO"] + (f"?{query}" if query else ""))
        return content.replace(f'name="next" value="{own}"'.encode(), b'name="next" value="HERE"')

    return normalised(one) == normalised(other)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_page_costs_one_query_and_is_the_same_page(
    client, offer, django_assert_num_queries, url
):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.status_code == 200
    assert same_page(again, first)
    assert again["Content-Type"] == first["Content-Type"]


def test_offer_and_provider_pages_are_cached_too(client, offer, django_assert_num_queries):
    for url in (offer.get_absolute_url(), offer.provider.get_absolute_url()):
        first = client.get(url)
        with django_assert_num_queries(1):
            assert same_page(client.get(url), first)


@pytest.mark.parametrize("url", PAGES)
def test_publishing_an_offer_reaches_every_cached_page(client, taxonomy, offer, url):
    client.get(url)
    draft = make_offer(taxonomy, title="Roboter programmieren", status=Offer.Status.DRAFT)
    before = client.get(url).content.decode()
    Offer.objects.filter(pk=draft.pk).update(status=Offer.Status.PUBLISHED)
    after = client.get(url).content.decode()
    assert after != before
    if "suche" in url or url.endswith("stadt-trier/"):
        assert "Roboter programmieren" not in before
        assert "Roboter programmieren" in after


def test_archiving_an_offer_takes_its_cached_page_down(client, offer):
    url = offer.get_absolute_url()
    assert client.get(url).status_code == 200
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.ARCHIVED)
    assert client.get(url).status_code == 404


def test_a_new_contact_person_reaches_the_cached_provider_page(client, offer):
    url = offer.provider.get_absolute_url()
    assert "Erika Beispiel" not in client.get(url).content.decode()
    ContactPerson.objects.create(provider=offer.provider, name="Erika Beispiel")
    assert "Erika Beispiel" in client.get(url).content.decode()


def test_pages_that_are_not_a_plain_success_are_not_stored(client, offer):
    """A search the page cannot read gets its 400 page every time, rendered afresh."""
    for _ in range(2):
        response = client.get("/suche/", {"grade": "abc"})
        assert response.status_code == 400
        assert response.templates, "the error page was rendered, not taken from the cache"


def test_a_renamed_offer_type_and_a_new_school_form_reach_the_cached_offer_page(
    client, taxonomy, offer
):
    url = offer.get_absolute_url()
    assert "Schnuppertag" not in client.get(url).content.decode()
    OfferType.objects.filter(pk=offer.offer_type_id).update(name="Schnuppertag")
    assert "Schnuppertag" in client.get(url).content.decode()
    offer.school_forms.add(taxonomy["gym"])
    assert taxonomy["gym"].name in client.get(url).content.decode()


def test_urls_with_parameters_the_page_does_not_read_are_not_stored(
    client, offer, django_assert_num_queries
):
    """``?utm_source=…`` and invented parameters would each take a cache entry."""
    url = "/angebote/ausbildung/it-computer/stadt-trier/?utm_source=newsletter"
    first = client.get(url)
    again = client.get(url)
    assert again.status_code == 200
    assert again.templates, "rendered again, not taken from the cache"
    assert same_page(again, first)
    client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=1")
    with django_assert_num_queries(1):
        client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=1")


def test_each_language_has_its_own_page(client, offer):
    german = client.get("/suche/?q=Roboter")
    english = client.get("/en/suche/?q=Roboter")
    assert 'lang="de"' in german.content.decode()
    assert 'lang="en"' in english.content.decode()
    again = client.get("/suche/?q=Roboter")
    assert not again.templates, "the German page from the cache"
    assert same_page(again, german)


def test_a_page_from_the_cache_has_the_security_headers_and_answers_head(client, offer):
    first = client.get("/")
    again = client.get("/")
    assert not again.templates
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert again[header] == first[header]
    head = client.head("/")
    assert head.status_code == 200
    assert not head.templates


def test_a_new_release_does_not_serve_pages_of_the_old_one(client, offer, monkeypatch):
    client.get("/")
    monkeypatch.setattr(page_cache, "release", lambda: "next-release")
    assert client.get("/").templates, "rendered anew for the new release"


@pytest.mark.parametrize("url", PAGES)
def test_a_failing_cache_renders_the_page(client, offer, monkeypatch, url):
    """Redis down: the pages and the walk's and search's counts are computed as if the
    cache were empty."""

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("default", "pages"):
        for method in ("get", "set", "get_or_set"):
            monkeypatch.setattr(caches[name], method, broken)
    response = client.get(url)
    assert response.status_code == 200
    if "suche" in url or url.endswith("stadt-trier/"):
        assert "Roboter bauen" in response.content.decode()


def test_counts_are_kept_per_catalogue_version_and_release(monkeypatch):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert page_cache.cached("walk", "v1", "total", compute) == 1
    assert page_cache.cached("walk", "v1", "total", compute) == 1
    assert page_cache.cached("walk", "v2", "total", compute) == 2
    monkeypatch.setattr(page_cache, "release", lambda: "next-release")
    assert page_cache.cached("walk", "v2", "total", compute) == 3


def test_the_same_search_in_another_parameter_order_is_the_same_page(
    client, offer, django_assert_num_queries
):
    first = client.get("/suche/?q=Roboter&grade=9&sort=title")
    with django_assert_num_queries(1):
        again = client.get("/suche/?sort=title&grade=9&q=Roboter")
    assert same_page(again, first)


def test_a_page_from_the_cache_holds_each_visitors_own_form_token(offer, django_assert_num_queries):
    """The Merken forms' token is filled in per visitor after the cache: another visitor's
    token, stored with the page, would be refused (or, worse, be theirs to use)."""
    anna, ben = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = offer.get_absolute_url()
    anna_page = anna.get(url)
    with django_assert_num_queries(1):
        ben_page = ben.get(url)
    assert not ben_page.templates, "served from the cache"
    # Nor may a proxy between the site and its visitors keep it for the next one.
    assert "private" in ben_page["Cache-Control"]
    (anna_token, *_), (ben_token, *_) = (
        CSRF_TOKEN.findall(p.content) for p in (anna_page, ben_page)
    )
    assert set(CSRF_TOKEN.findall(ben_page.content)) == {ben_token}
    merken = {"offer": offer.pk, "next": url}
    refused = ben.post("/merkliste/merken/", {**merken, "csrfmiddlewaretoken": anna_token.decode()})
    assert refused.status_code == 403
    saved = ben.post("/merkliste/merken/", {**merken, "csrfmiddlewaretoken": ben_token.decode()})
    assert saved.status_code == 302
    # Ben's page from the cache again: his count, his token; Anna's still shows none saved.
    assert b"data-merkliste-count>1<" in ben.get(url).content
    assert b"data-merkliste-count>0<" in anna.get(url).content


def test_a_page_that_used_the_csrf_token_or_the_session_is_not_stored(rf, offer):
    """If a cached page ever shows a form with a token, one visitor's token must not be
    served to all."""
    rendered = []

    def with_token(request):
        rendered.append(1)
        return HttpResponse(get_token(request))

    def with_session(request):
        rendered.append(1)
        request.session.get("seen")
        return HttpResponse("hello")

    for view, prepare in ((with_token, lambda r: None), (with_session, add_session)):
        rendered.clear()
        cached = page_cache.catalog_page(view)
        for _ in range(2):
            request = rf.get("/")
            prepare(request)
            cached(request)
        assert len(rendered) == 2


def add_session(request):
    SessionMiddleware(lambda r: None).process_request(request)
