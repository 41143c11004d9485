"""A cache that fails or hangs costs speed, never a page or a declaration.

Redis down: the support declaration is saved all the same and the rate limit counts in the
worker's memory. Redis hung (it accepts the connection and never answers): short socket
timeouts and the circuit breaker of operations/cache.py make it cost milliseconds.
"""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from network import spam
from network.models import Partner
from operations.cache import CacheUnavailable, CircuitBreaker
from tests import factories
from tests.test_declaration import FORM, declaration

ROOT = Path(__file__).resolve().parent.parent


class FailingCache(LocMemCache):
    """A cache whose server has gone away: every call raises what redis-py raises then."""

    def _fail(self, *args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = set = add = incr = delete = touch = has_key = get_many = set_many = _fail


def production_caches(redis_url):
    """CACHES as retribus/settings.py builds them for this REDIS_URL (read in a fresh
    process: the settings module reads the environment once)."""
    code = "import json, retribus.settings as s; print(json.dumps(s.CACHES))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def profile(db):
    return factories.make_network_profile(
        declaration_text="Wir fördern MINT von der Kita bis zum Abitur.",
        notification_email="koordination@example.org",
    )


@pytest.fixture
def failing_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": f"{__name__}.FailingCache", "LOCATION": "failing"},
    }


@pytest.fixture
def redis_down(settings):
    """The production cache settings, with nothing listening at Redis's address."""
    settings.CACHES = production_caches("redis://127.0.0.1:1/0")


@pytest.fixture
def hung_redis(settings):
    """The production cache settings, with Redis's address a socket that accepts
    connections (the kernel completes them from the backlog) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    settings.CACHES = production_caches(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    yield
    server.close()


def timed(calls, budget):
    """Seconds ``calls`` took; stops early once over ``budget`` (a 5 s wait per call would
    otherwise make a failing test take minutes)."""
    start = time.monotonic()
    for call in calls:
        call()
        if time.monotonic() - start > budget:
            break
    return time.monotonic() - start


@pytest.mark.parametrize("cache_fault", ["failing_cache", "redis_down", "hung_redis"])
def test_a_declaration_sent_while_the_cache_fails_is_saved(client, profile, cache_fault, request):
    request.getfixturevalue(cache_fault)

    response = client.post(FORM, declaration())

    assert response.status_code == 302
    assert Partner.objects.filter(name="Stadtwerke Trier").exists()
    assert len(mail.outbox) == 2


def test_while_the_cache_fails_a_flood_is_still_stopped_and_keeps_the_input(
    client, profile, failing_cache
):
    for n in range(spam.SUBMISSIONS_PER_HOUR):
        assert client.post(FORM, declaration(name=f"Firma {n}")).status_code == 302

    response = client.post(FORM, declaration(name="Firma zu viel"))

    assert response.status_code == 429
    assert 'value="Firma zu viel"' in response.content.decode()
    assert Partner.objects.count() == spam.SUBMISSIONS_PER_HOUR


def test_a_hung_redis_costs_milliseconds_not_seconds(client, taxonomy, hung_redis):
    def probe():
        assert client.get("/healthz").json()["cache"] == "error"

    def walk_page():
        assert client.get("/angebote/ausbildung/").status_code == 200

    # One socket timeout (0.25 s) for the first call; then the breaker skips Redis.
    assert timed([probe] * 20, budget=2) < 2
    assert timed([walk_page] * 5, budget=2) < 2
    started = time.monotonic()
    with pytest.raises(CacheUnavailable):
        cache.get("anything")
    assert time.monotonic() - started < 0.05


def test_the_breaker_skips_a_failed_service_and_tries_again_after_its_pause(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("operations.cache.time.monotonic", lambda: now[0])
    breaker = CircuitBreaker("redis://test", seconds=10)
    calls = []

    def down():
        calls.append("down")
        raise redis.TimeoutError("Timeout reading from socket")

    with pytest.raises(CacheUnavailable):
        breaker.call(down)
    with pytest.raises(CacheUnavailable):
        breaker.call(down)
    assert calls == ["down"]  # the second call never reached the network

    now[0] += 10
    assert breaker.call(lambda: "answer") == "answer"
    assert breaker.call(lambda: "again") == "again"


def test_errors_that_are_no_outage_pass_through_the_breaker():
    breaker = CircuitBreaker("redis://test", seconds=10)

    with pytest.raises(ValueError):
        breaker.call(int, "not a number")
    assert breaker.call(lambda: "still closed") == "still closed"


def test_a_real_redis_counts_the_declarations_through_the_breaker(client, profile, settings):
    from tests.test_cache_settings import require_redis

    require_redis()
    caches = production_caches("redis://127.0.0.1:6379/15")
    caches["default"]["KEY_PREFIX"] = f"retribus-test-{time.monotonic_ns()}"
    settings.CACHES = caches
    try:
        for n in range(spam.SUBMISSIONS_PER_HOUR):
            assert client.post(FORM, declaration(name=f"Firma {n}")).status_code == 302
        assert client.post(FORM, declaration(name="Firma zu viel")).status_code == 429
    finally:
        cache.delete("network:declarations:127.0.0.1")
