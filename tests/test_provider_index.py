"""A provider page lists from the search index exactly what it lists from SQL.

When a worker's search index describes the current catalogue, a provider's table takes the
order of its offers (by type, then title) and their school forms from the index
(``provider_table.IndexedOffers``); otherwise from SQL (``ProviderOffers``). Over generated
national data with drafts and archived offers, two offer types of the same name and position,
and after patches of the index, every provider's pages list the same offers with the same
types and school forms both ways, and the breadcrumbs name the field with most of the
provider's offers.
"""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from demo import generator
from offers import provider_table
from offers.models import CatalogVersion, Offer, OfferType, Provider, SchoolForm, Sector
from offers.provider_table import IndexedOffers
from offers.search import engine as search_engine
from offers.views.pages import _main_sector

PER_PAGE = 7


pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def generated(db):
    """Generated national data, with a second offer type named and placed like the first
    (only the ids tell them apart) that a third of the first type's offers move to."""
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generator.generate_offers(count=600, seed=5, national=True)
    first = OfferType.objects.order_by("position", "name", "pk").first()
    twin = OfferType.objects.create(name=first.name, slug="zwilling", position=first.position)
    Offer.objects.filter(
        offer_type=first, pk__in=Offer.objects.order_by("pk").values_list("pk", flat=True)[::3]
    ).update(offer_type=twin)


def providers_with_offers():
    return Provider.objects.filter(offers__status=Offer.Status.PUBLISHED).distinct()


def rows(listing):
    """Every page of ``listing``: per offer what the table shows of its type and forms."""
    shown = []
    for start in range(0, listing.count(), PER_PAGE):
        for offer in listing[start : start + PER_PAGE]:
            forms = None if offer.all_school_forms else offer.school_form_names
            shown.append((offer.pk, offer.offer_type.pk, offer.offer_type.name, forms))
    return shown


def both_ways(provider, index, version):
    sql = provider_table.ProviderOffers(
        provider, provider_table.offer_counts_by_type(provider, version)
    )
    return rows(provider_table.IndexedOffers(index, provider)), rows(sql)


def test_every_provider_lists_the_same_offers_both_ways(generated, django_assert_num_queries):
    assert Offer.objects.exclude(status=Offer.Status.PUBLISHED).exists()
    version = CatalogVersion.current()
    index = search_engine.engine(version)
    twins = 0
    for provider in providers_with_offers():
        from_index, from_sql = both_ways(provider, index, version)
        assert from_index == from_sql, provider.slug
        assert len(from_index) == provider.offers.published().count()
        twins += len({type_pk for _pk, type_pk, _name, _forms in from_index}) > 1
    assert twins > 10, "providers with both types of the same name"
    listing = provider_table.IndexedOffers(index, providers_with_offers().first())
    with django_assert_num_queries(1):  # the page's offers; types and forms from the index
        listing[0:PER_PAGE]


def test_school_forms_are_listed_in_their_order(generated):
    version = CatalogVersion.current()
    index = search_engine.engine(version)
    order = list(SchoolForm.objects.values_list("short_name", flat=True))
    listed = 0
    for provider in providers_with_offers()[:40]:
        for offer in provider_table.IndexedOffers(index, provider)[0:50]:
            names = offer.school_form_names
            if not offer.all_school_forms and len(names) > 1:
                listed += 1
                assert names == sorted(names, key=order.index)
    assert listed


def test_the_main_field_is_the_one_with_most_offers(generated, django_assert_num_queries):
    """Both ways; the index counts an offer of a finer field for the broad field too, so
    some offers linked to both a finer field and the broad field above it must not be
    counted twice for the broad field (SQL counts the links of such providers)."""
    for offer in Offer.objects.published().filter(sectors__parent__isnull=False)[::4]:
        offer.sectors.add(*[sector.parent for sector in offer.sectors.all() if sector.parent])
    version = CatalogVersion.current()
    index = search_engine.engine(version)
    vocabulary = index.vocabulary()
    finer = from_index = 0
    for provider in providers_with_offers():
        expected = (
            Sector.objects.filter(offers__provider=provider, offers__status="published")
            .annotate(n=Count("offers"))
            .order_by("-n", "track__position", "position", "name")
            .first()
        )
        listing = provider_table.IndexedOffers(index, provider)
        sql = provider_table.ProviderOffers(provider, [])
        for per_sector in (listing.per_sector(), sql.per_sector()):
            sector = _main_sector(per_sector, vocabulary)
            assert sector == expected, provider.slug
            assert sector.track == expected.track
            assert sector.parent == expected.parent
        finer += sector.parent is not None
        if not provider.offers.published().filter(sectors__parent__isnull=False).exists():
            from_index += 1
            with django_assert_num_queries(0):
                listing.per_sector()
    assert finer, "some providers' main field is a finer field of study"
    assert from_index > 10


def test_patched_index_lists_what_sql_lists(generated):
    version = CatalogVersion.current()
    index = search_engine.engine(version)
    provider = providers_with_offers().annotate(n=Count("offers")).order_by("-n").first()
    offers = list(provider.offers.published().order_by("pk"))
    other_type = OfferType.objects.exclude(pk=offers[0].offer_type_id).first()
    Offer.objects.filter(pk=offers[0].pk).update(offer_type=other_type, title="Aaa zuerst")
    Offer.objects.filter(pk=offers[1].pk).update(status=Offer.Status.ARCHIVED)
    offers[2].school_forms.set(SchoolForm.objects.all()[:2])
    Offer.objects.filter(pk=offers[2].pk).update(all_school_forms=False)
    moved = Offer.objects.exclude(provider=provider).published().first()
    Offer.objects.filter(pk=moved.pk).update(provider=provider, title="Zzz zuletzt")

    patched = search_engine.patched_index(index)
    assert patched is not None and patched is not index
    version = CatalogVersion.current()
    from_index, from_sql = both_ways(provider, patched, version)
    assert from_index == from_sql
    listed = [pk for pk, *_rest in from_index]
    assert offers[0].pk in listed and moved.pk in listed and offers[1].pk not in listed


def test_the_page_is_the_same_from_the_index_and_from_sql(generated, client, monkeypatch):
    search_engine.engine(CatalogVersion.current())
    providers = providers_with_offers().annotate(n=Count("offers")).order_by("-n")[:3]
    urls = [f"{p.get_absolute_url()}?page={n}" for p in providers for n in (1, 2)]

    def pages():
        from django.core.cache import caches

        shown = []
        for url in urls:
            for cache in caches.all():
                cache.clear()
            html = client.get(url).content.decode()
            shown.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html))
        return shown

    listed = []
    monkeypatch.setattr(
        provider_table,
        "IndexedOffers",
        lambda *args: listed.append(args) or IndexedOffers(*args),
    )
    from_index = pages()
    assert len(listed) == len(urls)
    monkeypatch.setattr(provider_table, "current_index_or_start_build", lambda version: None)
    assert pages() == from_index
    assert len(listed) == len(urls)
    assert all("<caption" in html and "<table" in html for html in from_index)
