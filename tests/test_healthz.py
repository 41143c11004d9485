"""/healthz tells a load balancer whether the database and the cache answer."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client


def test_healthz_reports_ok_for_database_and_cache(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unreachable(client, db):
    error = connection.Database.OperationalError("connection refused")
    with mock.patch.object(connection, "create_cursor", side_effect=error):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}


def test_healthz_is_503_when_the_cache_is_unreachable(client, db):
    with mock.patch("operations.views.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_healthz_has_no_language_prefix_and_needs_one_query(
    client, db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        assert client.get("/healthz").status_code == 200
    assert client.get("/en/healthz").status_code == 404


def test_overlapping_probes_all_answer_200(db):
    # Every probe writes before any reads: as when two workers answer probes at once.
    probes = 8
    all_written = threading.Barrier(probes)
    read = LocMemCache.get

    def read_once_all_have_written(self, *args, **kwargs):
        all_written.wait(timeout=10)
        return read(self, *args, **kwargs)

    def probe(_):
        try:
            return Client().get("/healthz").status_code
        finally:
            connection.close()  # this thread's own connection

    with (
        mock.patch.object(LocMemCache, "get", read_once_all_have_written),
        ThreadPoolExecutor(probes) as pool,
    ):
        statuses = list(pool.map(probe, range(probes)))

    assert statuses == [200] * probes
