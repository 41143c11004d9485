"""Public pages are served from the cache until the catalogue changes, and never after."""

import pytest

from offers.models import ContactPerson, Offer
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


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_page_costs_one_query_and_is_the_same_page(
    client, offer, django_assert_num_queries, url
):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_offer_and_provider_pages_are_cached_too(client, offer, django_assert_num_queries):
    for url in (offer.get_absolute_url(), offer.provider.get_absolute_url()):
        first = client.get(url)
        with django_assert_num_queries(1):
            assert client.get(url).content == first.content


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
