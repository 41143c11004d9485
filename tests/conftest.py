"""Shared fixtures: a small, known offer database built from factories."""

import os

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache. A rolled-back test leaves the catalogue token
    as it found it, so pages and counts cached under it must not reach the next test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def operations_state(settings, tmp_path_factory):
    """Every test starts with closed cache breakers and a fresh outage log, and keeps the
    maintenance flag and restore safety copies in folders of its own, so that a restore in
    one test (or in another checkout's test run) never puts anybody else into maintenance."""
    from operations.cache import reset_breakers
    from operations.outage import database_outages

    reset_breakers()
    database_outages.reset()
    settings.MAINTENANCE_DIR = tmp_path_factory.mktemp("maintenance")
    settings.RESTORE_SAFETY_DIR = tmp_path_factory.mktemp("safety-copies")


@pytest.fixture(autouse=True)
def german_first():
    """Every test starts in the site's language, whatever an earlier test in the same
    process activated (``reverse`` then gives /en/… addresses and pages in English)."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def search_log_in_memory(settings):
    """Searches are counted in memory but never written by the background writer, whose own
    connection would commit rows outside the test's transaction (insights/search_log.py)."""
    settings.SEARCH_LOG_FLUSH_SECONDS = 0


@pytest.fixture
def fresh_index():
    """This worker's search index forgotten before and after the test: a rolled-back test
    leaves the catalogue token as it found it, so an index built under it would describe
    data the next test does not have."""
    from offers.search import engine

    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def taxonomy(db):
    return factories.make_taxonomy()


@pytest.fixture(scope="module")
def demo_server(request, django_db_setup, django_db_blocker):
    """A live server with the demo data loaded, shared by the tests of one module.

    pytest-django's own ``live_server`` fixture gives every test a transactional database that
    is flushed after the test, which would drop the demo data after the first test and, run
    from the test's thread while a Playwright session is open, fails. So this runs
    pytest-django's ``LiveServer`` for the module instead. The data is committed so that the
    server thread sees it; afterwards the database is flushed and its state from before (rows
    written by migrations) restored, so the tests of other modules find what they expect.
    """
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import modify_settings
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with django_db_blocker.unblock():
        # The data is committed and everything flushed afterwards: never on a real database.
        # (pytest-django creates the test database only for tests marked django_db.)
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        if not in_memory and not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail("demo_server needs the test database: mark the module django_db")
        before = connection.creation.serialize_db_to_string()
        call_command("load_demo_data", verbosity=0)
        server = LiveServer(address)
        try:
            with modify_settings(ALLOWED_HOSTS={"append": server.thread.host}):
                yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)


@pytest.fixture(scope="module")
def browser(demo_server):
    """One headless Debian Chromium per test module, driven by Playwright.

    While Playwright's sync API is active, its event loop is registered in this thread and
    Django takes every database call from here for one from async code: it refuses it, and
    keeps a separate connection for that context. The tests' own database calls (the
    django_db marker's transaction per test) are plain synchronous calls, so the check is
    switched off while the browser runs, and that separate connection is closed before the
    loop ends; left open, it would keep PostgreSQL from dropping the test database.
    """
    from django.db import connections

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        connections.close_all()
        chromium.close()
