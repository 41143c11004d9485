"""The walk answers from the search index exactly what it answers from SQL.

When a worker's search index describes the current catalogue, the walk's counts and offer
lists come from it (``walk.Catalog``); otherwise from grouped SQL queries. Over generated
national data (16 states, 400 districts, broad fields with finer ones, offers in several
regions, drafts and archived offers) every step gives the same choices, counts and offers
both ways.
"""

import pytest
from django.core.management import call_command

from demo import generator
from offers import walk
from offers.models import CatalogVersion, Offer, Region, Sector, Track
from offers.search import engine as search_engine

pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def generated(db):
    """Generated national data, plus a region that stands alone (no state above it, like a
    one-level portal's) with offers of its own, and offers served in no region at all."""
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generator.generate_offers(count=600, seed=11, national=True)
    lone = Region.objects.create(name="Luxemburg", slug="luxemburg", level=Region.Level.DISTRICT)
    published = Offer.objects.published().order_by("pk")
    for offer in published[:5]:
        offer.regions.set([lone])
    for offer in published[5:8]:
        offer.regions.clear()


def both_ways(read):
    """``read(catalog)`` once with the index and once with SQL."""
    version = CatalogVersion.current()
    index = search_engine.engine(version)  # built in-line inside the test's transaction
    counts = walk.counts_for(version)
    assert isinstance(counts, walk.IndexCounts) and counts.index is index
    from_index = read(walk.Catalog(counts))
    from_sql = read(walk.Catalog(walk.SqlCounts(version)))
    return from_index, from_sql


def sectors_summary(catalog, track):
    return [
        (s.slug, s.offer_count, [(f.slug, f.offer_count) for f in s.finer])
        for s in catalog.sectors(track)
    ]


def regions_summary(catalog, sector):
    total, states, single = catalog.regions(sector)
    return (
        total,
        [
            (g.region.slug, g.region.offer_count, [(d.slug, d.offer_count) for d in g.districts])
            for g in states
        ],
        [(r.slug, r.offer_count) for r in single],
    )


def offer_ids(catalog, sector, region):
    page = catalog.offer_page(sector, region, 1, 10_000)
    return [offer.pk for offer in page.object_list]


def test_home_and_track_steps_agree(generated):
    assert Offer.objects.exclude(status=Offer.Status.PUBLISHED).exists()
    index, sql = both_ways(
        lambda c: (c.offer_count(), [(t.slug, t.offer_count) for t in c.tracks()]),
    )
    assert index == sql
    for track in Track.objects.all():
        index, sql = both_ways(lambda c, track=track: sectors_summary(c, track))
        assert index == sql
        assert index, "every track has sectors with offers"


def test_region_step_and_offer_lists_agree_for_every_sector(generated):
    checked_states = 0
    for sector in Sector.objects.select_related("track"):
        index, sql = both_ways(lambda c, sector=sector: regions_summary(c, sector))
        assert index == sql, sector.slug
        total, states, _single = index
        index, sql = both_ways(lambda c, sector=sector: offer_ids(c, sector, None))
        assert index == sql, sector.slug
        assert len(index) == total
        for state in states[:2]:
            checked_states += 1
            region = Region.objects.get(slug=state[0])
            district = Region.objects.get(slug=state[2][0][0])
            for place in (region, district):
                index, sql = both_ways(lambda c, s=sector, p=place: offer_ids(c, s, p))
                assert index == sql, (sector.slug, place.slug)
    assert checked_states > 10


def test_a_lone_region_and_offers_in_no_region_agree(generated):
    lone_sectors = Sector.objects.filter(offers__regions__slug="luxemburg").distinct()
    nowhere = Sector.objects.filter(offers__regions=None, offers__status="published").distinct()
    assert lone_sectors and nowhere
    for sector in {*lone_sectors, *nowhere}:
        index, sql = both_ways(lambda c, sector=sector: regions_summary(c, sector))
        assert index == sql, sector.slug
        total, _states, single = index
        if sector in lone_sectors:
            assert "luxemburg" in [slug for slug, _count in single]
        index, sql = both_ways(lambda c, sector=sector: offer_ids(c, sector, None))
        assert index == sql
        assert len(index) == total
    lone = Region.objects.get(slug="luxemburg")
    for sector in lone_sectors:
        index, sql = both_ways(lambda c, sector=sector: offer_ids(c, sector, lone))
        assert index == sql
        assert index


def test_a_sector_the_index_does_not_hold_yet_is_answered_from_sql(generated, monkeypatch):
    """A sector created just after a request read the catalogue version exists in the
    database but not in that version's index."""
    version = CatalogVersion.current()
    search_engine.engine(version)
    catalog = walk.Catalog(walk.counts_for(version))
    sector = Sector.objects.filter(offers__status="published").first()
    monkeypatch.delitem(catalog.counts.index.vocabulary().sector, sector.slug)
    monkeypatch.delitem(catalog.counts.index.facets["sector"].code, sector.slug)
    total, _states, _single = catalog.regions(sector)
    ids = offer_ids(catalog, sector, None)
    assert total == len(ids) > 0


def test_the_region_step_counts_leave_the_shared_regions_as_they_are(generated):
    """The index's regions serve every request of the worker: one sector's counts must not
    stick to them and show on the next sector's page."""
    version = CatalogVersion.current()
    index = search_engine.engine(version)
    catalog = walk.Catalog(walk.counts_for(version))
    first, second = Sector.objects.filter(offers__status=Offer.Status.PUBLISHED).distinct()[:2]
    before = regions_summary(catalog, first)
    regions_summary(catalog, second)
    assert regions_summary(catalog, first) == before
    assert not any(hasattr(region, "offer_count") for region in index.vocabulary().region.values())
