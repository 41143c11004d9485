"""A patched search index equals one built afresh.

After a catalogue write a worker patches its index for just the offers the change log names
(``offers/search/patching.py``) instead of building it anew. Random sequences of creates,
edits (titles, grades, sizes, durations, links), archives, republications, deletes and the
odd taxonomy change (which needs a build) must leave the patched index answering exactly
what a fresh build answers: the same offers in every order, the same offers behind every
facet value, the same search results. Runs on SQLite and PostgreSQL.
"""

import datetime
import gc
import itertools
import weakref

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from offers.models import CatalogChange, Offer, Sector
from offers.search import bitsets, engine
from offers.search.index import SearchIndex
from offers.search.spec import SearchSpec
from tests.factories import add_search_vocabulary, make_offer, make_provider

TITLES = ["Roboter bauen", "Chemielabor", "Praktikum Elektro", "Aal", "Zeppelin", "roboter"]

operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["create", "create", "edit", "edit", "relink", "archive", "publish", "delete"]
            + ["bulk", "rename_sector"]
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=7,
)


@pytest.fixture
def vocab(taxonomy):
    vocab = add_search_vocabulary(taxonomy)
    vocab["provider_a"] = make_provider(vocab, name="Anbieter A")
    vocab["provider_b"] = make_provider(vocab, name="Zentrum B")
    for i, title in enumerate(TITLES[:4]):
        make_offer(vocab, title=title, provider=vocab["provider_a" if i % 2 else "provider_b"])
    engine.reset()
    yield vocab
    engine.reset()


def offer_ids(index, slots):
    return index.ids[np.asarray(slots, dtype=np.int64)].tolist()


def held(index, bits):
    mask = bitsets.unpack(bits, index.size) & bitsets.unpack(index.alive, index.size)
    return sorted(index.ids[mask].tolist())


def assert_same(patched, fresh):
    assert patched.version == fresh.version
    assert held(patched, patched.alive) == held(fresh, fresh.alive)
    assert patched.alive_count == fresh.alive_count
    for order in ("title_order", "newest", "by_provider"):
        patched_order = offer_ids(patched, getattr(patched, order))
        assert patched_order == offer_ids(fresh, getattr(fresh, order)), order
    for order, places in (("title_order", "title_place"), ("newest", "newest_place")):
        by_place = np.argsort(getattr(patched, places))[: patched.alive_count]
        assert offer_ids(patched, by_place) == offer_ids(fresh, getattr(fresh, order)), places
    for name, part in fresh.facets.items():
        mine = patched.facets[name]
        if hasattr(part, "bits"):
            assert mine.all_counts == part.all_counts, name
            for key, code in part.code.items():
                assert held(patched, mine.bits[mine.code[key]]) == held(fresh, part.bits[code])
        else:
            for number in (1, 12, 25, 40):
                assert held(patched, mine.mask((number,))) == held(fresh, part.mask((number,)))
    for spec in (
        SearchSpec(q="Roboter"),
        SearchSpec(q="Roboter", sort="title", grade=9),
        SearchSpec(sort="newest", size=20),
        SearchSpec(sector=("mathematik-naturwissenschaften",), page=2),
        SearchSpec(),
    ):
        mine, theirs = patched.search(spec, per_page=3), fresh.search(spec, per_page=3)
        assert mine.total == theirs.total, spec
        assert mine.counts == theirs.counts, spec
        assert [o.pk for o in mine.page] == [o.pk for o in theirs.page], spec


RENAMES = itertools.count()


def apply(operation, n, vocab):
    """One catalogue write chosen by ``operation`` and the number ``n``."""
    offers = list(Offer.objects.order_by("pk"))
    offer = offers[n % len(offers)] if offers else None
    sectors = [vocab["it"], vocab["chemie"], vocab["physik"], vocab["mint"], vocab["metall"]]
    regions = [vocab["trier"], vocab["vulkaneifel"], vocab["rlp"], vocab["saarland"]]
    if operation == "create" or offer is None:
        created = make_offer(
            vocab,
            title=TITLES[n % len(TITLES)],
            provider=vocab["provider_a" if n % 2 else "provider_b"],
            grade_min=5 + n % 4,
            grade_max=9 + n % 4,
            participants_max=[None, 10, 25, 30][n % 4],
            sectors=[sectors[n % len(sectors)]],
            regions=[regions[n % len(regions)]],
            status=["published", "published", "draft"][n % 3],
        )
        created.created_at -= datetime.timedelta(days=n % 5)
        created.save(update_fields=["created_at"])
    elif operation == "edit":
        offer.title = TITLES[(n // 7) % len(TITLES)]
        offer.grade_min, offer.grade_max = 5 + n % 3, 10 + n % 3
        offer.duration_min_minutes = [None, 60, 480, 2400][n % 4]
        offer.all_school_forms = bool(n % 2)
        offer.provider = vocab["provider_b" if n % 3 else "provider_a"]
        offer.save()
    elif operation == "relink":
        offer.sectors.set([sectors[n % len(sectors)], sectors[(n // 3) % len(sectors)]])
        offer.regions.set([regions[(n // 5) % len(regions)]])
        offer.school_forms.set([vocab["gym"]] if n % 2 else [vocab["rs"], vocab["igs"]])
        offer.subjects.set([vocab["technik"]] if n % 3 else [])
    elif operation in ("archive", "publish"):
        offer.status = operation == "archive" and "archived" or "published"
        offer.save()
    elif operation == "delete":
        offer.delete()
    elif operation == "bulk":
        Offer.objects.filter(pk__in=[o.pk for o in offers[:: 1 + n % 3]]).update(
            participants_max=n % 40 or None
        )
    elif operation == "rename_sector":
        # A name no earlier example gave it (``vocab`` outlives an example): renaming to
        # the name it has would change nothing, and the test expects a taxonomy change.
        Sector.objects.filter(pk=vocab["physik"].pk).update(name=f"Physik {next(RENAMES)}")


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_a_patched_index_equals_a_fresh_build(vocab, steps):
    index = engine.engine()
    for operation, n in steps:
        apply(operation, n, vocab)
        patched = engine.patched_index(index)
        if operation == "rename_sector":
            assert patched is None  # a taxonomy changed: only a build will do
            index = engine.engine()
        else:
            assert patched is not None, "the change log should have sufficed"
            index = patched
        assert_same(index, SearchIndex.build())


def test_an_offer_edit_is_patched_not_rebuilt(vocab, monkeypatch, django_assert_max_num_queries):
    first = engine.engine()
    offer = Offer.objects.get(title="Chemielabor")
    offer.title = "Chemielabor für Einsteiger"
    offer.save()

    def no_build():
        raise AssertionError("the index was built again")

    monkeypatch.setattr(SearchIndex, "build", staticmethod(no_build))
    # The snapshot (a savepoint and its release here, SET TRANSACTION on PostgreSQL), the
    # change state, the log, the offer, its four link tables, its dates (bookings), two ranks.
    with django_assert_max_num_queries(12):
        patched = engine.patched_index(first)
    assert patched is not first and patched.version != first.version
    assert [o.title for o in patched.search(SearchSpec(q="Chemielabor")).page] == [
        "Chemielabor für Einsteiger"
    ]


def test_a_taxonomy_change_or_a_pruned_log_needs_a_build(vocab, monkeypatch):
    first = engine.engine()
    Sector.objects.filter(pk=vocab["it"].pk).update(name="Informatik")
    assert engine.patched_index(first) is None
    rebuilt = SearchIndex.build()
    assert rebuilt.vocabulary().sector["it-computer"].name == "Informatik"

    monkeypatch.setattr(engine, "CHANGES_KEPT", 2)
    index = rebuilt
    for n in range(8):
        apply("edit", n, vocab)
        index = engine.patched_index(index)
        assert_same(index, SearchIndex.build())
    assert CatalogChange.objects.count() < 16  # pruned as it grew
    assert engine.patched_index(rebuilt) is None  # the log no longer reaches back to it


def test_an_index_built_inside_a_transaction_is_never_patched(vocab):
    """It may hold writes that are rolled back; a patch would carry them on."""
    index = engine.engine()
    assert index.tentative
    Offer.objects.filter(title="Aal").update(title="Aal grün")
    assert engine.current_index_or_start_build("another token") is None


@pytest.mark.parametrize("operation", ["edit", "archive"])
def test_the_index_a_patch_replaces_is_freed_at_once(vocab, operation):
    """A worker patches its index on every catalogue write. The one it replaces must go as
    soon as no request uses it, not when the cyclic garbage collector next runs (rarely, in
    a worker full of long-lived objects): at 100,000 offers each holds about 15 MB, and the
    workers grew past their 300 MB over a few writes. Its text matches, kept by the patch,
    must still answer."""
    queries = ("Roboter", "Aal")
    index = SearchIndex.build()
    for q in queries:
        index.search(SearchSpec(q=q, sort="relevance"))  # text matches the index keeps
    apply(operation, 1, vocab)
    gc.disable()
    try:
        patched = engine.patched_index(index)
        assert patched is not None and patched is not index
        replaced = weakref.ref(index)
        del index
        assert replaced() is None
    finally:
        gc.enable()
    fresh = SearchIndex.build()
    for q in queries:
        mine = patched.search(SearchSpec(q=q, sort="relevance"))
        theirs = fresh.search(SearchSpec(q=q, sort="relevance"))
        assert [o.pk for o in mine.page] == [o.pk for o in theirs.page], q
