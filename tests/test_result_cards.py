"""A result card is the same whether the search index read its offer for the card (one
statement; type, school forms and whether it has dates from the index) or the ORM read the
offer whole, and a card the index keeps never outlives what it shows."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from bookings.models import Session
from demo import generator
from offers.models import CatalogChange, CatalogVersion, Offer
from offers.search.index import SearchIndex
from offers.search.patching import patched
from offers.search.spec import SearchSpec
from offers.templatetags.offer_tags import offer_list_items

pytestmark = pytest.mark.usefixtures("fresh_index")


def add_session(offer, days, places=None, taken=0):
    start = timezone.now() + datetime.timedelta(days=days)
    return Session.objects.create(
        offer=offer,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        places=places,
        places_taken=taken,
    )


@pytest.fixture
def catalogue(db):
    """Generated offers, some changed to show what generated ones do not (a duration in a
    unit, no facts at all, every school form), some with dates: places free, without a
    limit, fully booked, more than a card lists, only past ones."""
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generator.generate_offers(count=60, seed=3)
    offers = list(Offer.objects.published().order_by("pk"))
    Offer.objects.filter(pk=offers[0].pk).update(
        duration_text="", duration_min_minutes=960, duration_max_minutes=2400, duration_unit="days"
    )
    Offer.objects.filter(pk=offers[1].pk).update(
        summary="", place="", participants_min=None, participants_max=None, participants_note=""
    )
    Offer.objects.filter(pk=offers[2].pk).update(all_school_forms=True, code="N 23")
    add_session(offers[3], 3, places=12, taken=4)
    add_session(offers[3], 10)
    add_session(offers[3], 17, places=8, taken=8)
    add_session(offers[4], 5, places=20, taken=20)
    add_session(offers[5], -3, places=10)
    return offers


def test_the_index_reads_the_cards_the_orm_reads(catalogue):
    index = SearchIndex.build()
    shown = [offer for n in (1, 2) for offer in index.search(SearchSpec(page=n), per_page=40).page]
    assert len(shown) == len(catalogue)
    whole = Offer.objects.for_cards().in_order_of([offer.pk for offer in shown])
    for language in ("de", "en"):
        with translation.override(language):
            for options in (
                {"save_button": "detached"},
                {"heading_level": 2, "hide_provider": True},
            ):
                assert offer_list_items(shown, **options) == offer_list_items(whole, **options)
    cards = offer_list_items(shown)
    assert "8 Plätze frei" in cards and "ausgebucht – Warteliste" in cards
    assert "1 weiterer Termin" in cards and "N 23" in cards


def test_a_changed_offer_gets_a_new_card_from_the_patched_index(catalogue):
    offer, other = catalogue[3], catalogue[4]
    index = SearchIndex.build()

    def cards(index):
        page = index.search(SearchSpec(sort="title"), per_page=100).page
        return {kept.pk: offer_list_items([kept]) for kept in page}

    before = cards(index)
    last = CatalogChange.objects.order_by("-pk").first().pk
    Offer.objects.filter(pk=offer.pk).update(title="Roboter bauen", place="Wittlich")
    Session.objects.filter(offer=offer, places=12).update(places_taken=10)
    changed = set(CatalogChange.objects.filter(pk__gt=last).values_list("offer_id", flat=True))
    assert changed == {offer.pk}

    after = cards(patched(index, CatalogVersion.current(), None, changed))
    assert "Roboter bauen" in after[offer.pk] and "2 Plätze frei" in after[offer.pk]
    assert after[offer.pk] == offer_list_items(Offer.objects.for_cards().filter(pk=offer.pk))
    assert after[other.pk] == before[other.pk]
