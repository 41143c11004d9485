"""Public pages are served from the cache until the catalogue changes, and never after."""

import re

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token

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


def same_page(one, other):
    """The same page but for the Merken forms' CSRF token, masked afresh per response
    (schooldesk/markers.py fills it after the cache)."""

    def unmasked(response):
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)

    return unmasked(one) == unmasked(other)


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
    assert again.content == first.content
    client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=1")
    with django_assert_num_queries(1):
        client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=1")


def test_each_language_has_its_own_page(client, offer):
    german = client.get("/suche/?q=Roboter").content.decode()
    english = client.get("/en/suche/?q=Roboter").content.decode()
    assert 'lang="de"' in german
    assert 'lang="en"' in english
    assert client.get("/suche/?q=Roboter").content.decode() == german


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
    assert again.content == first.content


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
