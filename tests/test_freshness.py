"""Every table a public catalogue page reads keeps the catalogue version fresh.

The index, the walk's counts and the page cache are keyed by ``CatalogVersion``, whose token
database triggers replace on a write to any table of ``CATALOG_TABLES``. A table a page
reads without such a trigger would let a cached page or count outlive a write to it. These
tests read the triggers from the database itself (SQLite or PostgreSQL) and compare them
with the tables that every cached page, the search index and the SQL engine really query.
"""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from offers import freshness, page_cache
from offers.models import CatalogChange, CatalogVersion, ContactPerson, Offer
from offers.search import facets, sql, sqlite_fts
from offers.search.index import SearchIndex
from offers.search.spec import SearchSpec, Vocabulary
from tests import public_urls
from tests.factories import add_search_vocabulary

TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# A common table expression's name (``WITH ranked AS …``) is read FROM like a table.
CTE = re.compile(
    r'\b(?:WITH|,)\s+"?(\w+)"?\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(', re.IGNORECASE
)


pytestmark = pytest.mark.usefixtures("fresh_index")


def tables_read(run):
    with CaptureQueriesContext(connection) as queries:
        run()
    return {
        name
        for query in queries
        for name in set(TABLE.findall(query["sql"])) - set(CTE.findall(query["sql"]))
    }


def catalog_page_names():
    """The URL names of the pages the page cache keeps (``page_cache.catalog_page``)."""
    return {
        name
        for name, pattern in public_urls._named_patterns(get_resolver().url_patterns)
        if getattr(pattern.callback, "reads_catalog", False)
    }


def test_every_declared_table_has_its_trigger(db):
    from django.apps import apps

    watched = freshness.watched_tables(connection)
    assert set(freshness.table_names(apps)) <= watched


def test_a_write_to_any_declared_table_replaces_the_token(taxonomy):
    from django.apps import apps

    values = public_urls.populate(taxonomy)
    offer = Offer.objects.get(pk=values["pk"][0])
    offer.subjects.set([taxonomy["informatik"]])
    offer.school_forms.set([taxonomy["gym"]])
    ContactPerson.objects.create(provider=offer.provider, name="Erika Muster")
    for table in freshness.table_names(apps):
        before = CatalogVersion.current()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id) FROM {table}")
            (row,) = cursor.fetchone()
            assert row is not None, f"no row in {table} to write to"
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [row])
        assert CatalogVersion.current() != before, table


def test_no_catalogue_page_reads_a_table_without_a_trigger(client, taxonomy):
    """Every cached page once with the index and once with the SQL engine, every facet
    ticked, plus the index build itself: all they read is watched."""
    add_search_vocabulary(taxonomy)
    values = public_urls.populate(taxonomy)
    names = catalog_page_names()
    assert {"offers:home", "offers:search", "offers:offer_detail"} <= names
    vocabulary = Vocabulary.load()
    every_facet = {}
    for facet in facets.registered():
        keys = [key for key, _label in vocabulary.choices(facet.name)]
        if facet.multiple:
            every_facet[facet.name] = tuple(keys[:2])
        else:
            every_facet[facet.name] = keys[0] if keys else facet.bounds[0]
    spec = SearchSpec(q="Robotik", **every_facet)

    urls = public_urls.public_urls(client, values)

    def pages():
        caches["pages"].clear()  # finding the addresses above rendered and kept them
        for name in names:
            assert client.get(urls[name]).status_code in (200, 404), name
        client.get("/suche/", {"q": "Robotik", **every_facet})

    def sql_engine():
        sql.search(spec, vocabulary)
        sql.search(SearchSpec(q="Robotik"), vocabulary)
        sql.CachedSearch(CatalogVersion.current()).search(spec)

    read = tables_read(SearchIndex.build) | tables_read(pages) | tables_read(sql_engine)
    # The token and the change log are what the triggers write, not catalogue data.
    versioning = {CatalogVersion._meta.db_table, CatalogChange._meta.db_table}
    # SQLite's full-text table is written only by the triggers of the watched offer,
    # provider and offer type tables (offers/search/sqlite_fts.py).
    derived = {sqlite_fts.TABLE}
    watched = freshness.watched_tables(connection) | versioning | derived
    assert read - watched == set()
    assert Offer._meta.db_table in read
    assert page_cache.release()  # pages are keyed by the release as well
