"""A catalogue write keeps the cached pages it cannot have changed, and no other.

Pages are keyed by the stamps of what they show (``offers/search/scopes.py``): a walk step by
its sector or track, an offer page by the offer, its provider and the contacts, the home page
and every search by any offer. After random writes (each followed by the patch a worker makes
on its next request) every page served from the cache must equal the same page rendered with
no cache at all, and pages of untouched sectors and providers must still come from the cache.
Runs on SQLite and PostgreSQL.
"""

import pytest
from django.core.cache.backends.dummy import DummyCache
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from offers import page_cache
from offers.models import ContactPerson, Offer
from offers.search import engine
from tests.factories import add_search_vocabulary, make_offer, make_provider
from tests.test_index_patching import apply
from tests.test_page_cache import same_page

CONTACT_PHONES = ["0651 111", "0651 222", "0651 333"]


@pytest.fixture
def vocab(taxonomy):
    vocab = add_search_vocabulary(taxonomy)
    vocab["provider_a"] = make_provider(vocab, name="Anbieter A", slug="anbieter-a")
    vocab["provider_b"] = make_provider(vocab, name="Zentrum B", slug="zentrum-b")
    for provider in ("provider_a", "provider_b"):
        ContactPerson.objects.create(
            provider=vocab[provider], name="Frau Kontakt", phone=CONTACT_PHONES[0]
        )
    make_offer(vocab, title="Roboter bauen", provider=vocab["provider_a"], sectors=[vocab["it"]])
    make_offer(vocab, title="Chemielabor", provider=vocab["provider_b"], sectors=[vocab["chemie"]])
    make_offer(
        vocab,
        title="Metall biegen",
        provider=vocab["provider_b"],
        sectors=[vocab["metall"]],
        regions=[vocab["vulkaneifel"]],
    )
    engine.reset()
    yield vocab
    engine.reset()


def urls():
    pages = [
        "/",
        "/suche/",
        "/suche/?sector=it-computer",
        "/angebote/ausbildung/",
        "/angebote/studium/",
        "/angebote/ausbildung/it-computer/",
        "/angebote/ausbildung/metall-maschinenbau/",
        "/angebote/studium/mathematik-naturwissenschaften/",
        "/angebote/ausbildung/it-computer/stadt-trier/",
        "/angebote/studium/chemie/alle-regionen/",
        "/anbieter/anbieter-a/",
        "/anbieter/zentrum-b/",
    ]
    return pages + [
        f"/angebot/{pk}/" for pk in Offer.objects.order_by("pk").values_list("pk", flat=True)
    ]


def as_a_worker_would():
    """What the next request of a worker does after a write: patch its index (or, when the
    log cannot say, build one) and install it."""
    index = engine._State.index
    if index is None or engine.patched_index(index) is None:
        engine.reset()
        engine.engine()


def uncached(client, url, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "caches", {"pages": DummyCache("none", {})})
        return client.get(url)


def assert_every_page_is_fresh(client, monkeypatch):
    for url in urls():
        cached = client.get(url)
        fresh = uncached(client, url, monkeypatch)
        assert cached.status_code == fresh.status_code, url
        assert same_page(cached, fresh), url


steps = st.lists(
    st.tuples(
        st.sampled_from(["create", "edit", "relink", "archive", "publish", "delete", "contact"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=5,
)


@hypothesis_settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_a_cached_page_always_equals_a_fresh_one(client, vocab, monkeypatch, steps):
    page_cache.caches["pages"].clear()
    engine.engine()
    for url in urls():  # every page in the cache before the writes
        client.get(url)
    for operation, n in steps:
        if operation == "contact":
            contact = ContactPerson.objects.order_by("pk")[n % 2]
            contact.phone = CONTACT_PHONES[n % len(CONTACT_PHONES)]
            contact.save()
        else:
            apply(operation, n, vocab)
        as_a_worker_would()
        assert_every_page_is_fresh(client, monkeypatch)


def is_cached(client, url):
    """Served from the page cache: no template was rendered for it."""
    response = client.get(url)
    assert response.status_code == 200, url
    return not response.templates


def test_an_edit_keeps_the_pages_of_other_sectors_and_providers(client, vocab):
    engine.engine()
    robot = Offer.objects.get(title="Roboter bauen")
    chemistry = Offer.objects.get(title="Chemielabor")
    kept = [
        "/angebote/studium/",
        "/angebote/studium/mathematik-naturwissenschaften/",
        "/angebote/studium/chemie/alle-regionen/",
        "/anbieter/zentrum-b/",
        f"/angebot/{chemistry.pk}/",
    ]
    renewed = [
        "/",
        "/suche/",
        "/angebote/ausbildung/",
        "/angebote/ausbildung/it-computer/stadt-trier/",
        "/anbieter/anbieter-a/",
        f"/angebot/{robot.pk}/",
    ]
    for url in kept + renewed:
        client.get(url)

    robot.title = "Roboter programmieren"
    robot.save()
    as_a_worker_would()

    assert [url for url in kept if not is_cached(client, url)] == []
    assert [url for url in renewed if is_cached(client, url)] == []
    assert "Roboter programmieren" in client.get(f"/angebot/{robot.pk}/").content.decode()
    page = client.get("/angebote/ausbildung/it-computer/stadt-trier/").content.decode()
    assert "Roboter programmieren" in page


def test_moving_an_offer_renews_the_sector_it_left(client, vocab):
    engine.engine()
    robot = Offer.objects.get(title="Roboter bauen")
    left = "/angebote/ausbildung/it-computer/stadt-trier/"
    assert "Roboter bauen" in client.get(left).content.decode()

    robot.sectors.set([vocab["metall"]])
    as_a_worker_would()

    assert "Roboter bauen" not in client.get(left).content.decode()
    assert (
        "Roboter bauen"
        in client.get("/angebote/ausbildung/metall-maschinenbau/alle-regionen/").content.decode()
    )


def test_a_contact_edit_renews_offer_and_provider_pages_only(client, vocab):
    engine.engine()
    chemistry = Offer.objects.get(title="Chemielabor")
    walk = "/angebote/studium/chemie/alle-regionen/"
    for url in (walk, f"/angebot/{chemistry.pk}/", "/anbieter/zentrum-b/"):
        client.get(url)

    ContactPerson.objects.filter(provider=vocab["provider_b"]).update(phone="0651 999 999")
    as_a_worker_would()

    assert is_cached(client, walk)
    assert "0651 999 999" in client.get(f"/angebot/{chemistry.pk}/").content.decode()
    assert "0651 999 999" in client.get("/anbieter/zentrum-b/").content.decode()
