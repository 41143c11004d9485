"""The cache comes from the environment: Redis shared by all workers, or per-process memory."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_support import unavailable

ROOT = Path(__file__).resolve().parent.parent


def cache_settings(alias="default", **env):
    code = f"import json, retribus.settings as s; print(json.dumps(s.CACHES[{alias!r}]))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def require_redis():
    """A real Redis on 127.0.0.1:6379, which .ci/run starts: skip without one, fail in CI."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        unavailable("no Redis on 127.0.0.1:6379 (.ci/run starts one)")


def test_redis_url_selects_djangos_redis_cache_behind_a_breaker_with_short_timeouts():
    cache = cache_settings(REDIS_URL="redis://127.0.0.1:6379/3")

    assert cache["BACKEND"] == "operations.cache.ResilientRedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"
    # redis-py's own default is 5 s per call to a hung server (tests/test_cache_failures.py).
    assert cache["OPTIONS"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    assert cache["BREAKER_SECONDS"] == 10


def test_without_redis_url_each_process_has_a_memory_cache():
    assert cache_settings()["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("env", [{}, {"REDIS_URL": "redis://127.0.0.1:6379/3"}])
def test_pages_are_kept_in_each_process_bounded_and_for_an_hour(env):
    pages = cache_settings(**env, alias="pages")

    assert pages["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert pages["OPTIONS"]["MAX_ENTRIES"] == 400
    assert pages["TIMEOUT"] == 3600


def test_healthz_reports_a_real_redis_as_ok(client, db, settings):
    require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "operations.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "retribus-test",
        }
    }

    assert client.get("/healthz").json() == {"database": "ok", "cache": "ok"}


def test_healthz_reports_an_unreachable_redis_as_error(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "operations.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}
