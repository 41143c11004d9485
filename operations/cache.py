"""The shared Redis cache, made to fail fast (docs/operations.md, "When the cache fails").

Redis is an accelerator here: every page is computed without it. So a Redis that is down or
hung must cost a request milliseconds, not the 5 s redis-py waits by default. Two parts:

* short socket timeouts (``OPTIONS`` in ``CACHES``, passed through to redis-py), so that one
  call to a hung server gives up quickly;
* a circuit breaker per worker: after a call failed, every call of the next
  ``BREAKER_SECONDS`` raises ``CacheUnavailable`` at once, without touching the network. The
  first call after that tries Redis again and closes the breaker when it answers.

Callers treat any exception from the cache as a miss (``offers/page_cache.py``,
``network/spam.py``, the health check). The breaker logs when it opens and when the cache
answers again, not for every skipped call.
"""

import functools
import logging
import threading
import time
from urllib.parse import urlsplit

import redis
from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property

logger = logging.getLogger("retribus.cache")

# A connection refused, reset or timed out; not, say, INCR on a value that is no number.
CACHE_FAILURES = (redis.ConnectionError, redis.TimeoutError, OSError)


class CacheUnavailable(Exception):
    """The cache failed just now, or is being skipped after a recent failure."""


class CircuitBreaker:
    """Skips a failing service for a while, in this process.

    Closed (normal) until a call fails; then open for ``seconds``, when calls fail at once;
    then the next call is let through: its success closes the breaker, its failure opens it
    for another period.
    """

    def __init__(self, name, seconds):
        self.name = name
        self.seconds = seconds
        self._lock = threading.Lock()
        self._open_until = None  # None: closed

    def call(self, function, *args, **kwargs):
        open_until = self._open_until
        if open_until is not None and time.monotonic() < open_until:
            raise CacheUnavailable(f"{self.name} is skipped after a failure")
        try:
            result = function(*args, **kwargs)
        except CACHE_FAILURES as error:
            self._failed(error)
            raise CacheUnavailable(f"{self.name} failed: {error}") from error
        if open_until is not None:
            self._succeeded()
        return result

    def _failed(self, error):
        with self._lock:
            was_closed = self._open_until is None
            self._open_until = time.monotonic() + self.seconds
        if was_closed:
            logger.warning(
                "The cache %s failed (%s: %s); this worker skips it for %s s at a time "
                "until it answers again",
                self.name,
                type(error).__name__,
                error,
                self.seconds,
            )

    def _succeeded(self):
        with self._lock:
            was_open = self._open_until is not None
            self._open_until = None
        if was_open:
            logger.warning("The cache %s answers again", self.name)

    def reset(self):
        with self._lock:
            self._open_until = None


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(name, seconds):
    """The process's one breaker for the cache at ``name``: Django makes a cache object per
    thread, but a failure seen by one thread should spare the others the wait."""
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None or breaker.seconds != seconds:
            breaker = _breakers[name] = CircuitBreaker(name, seconds)
        return breaker


def reset_breakers():
    """Closes every breaker (for tests, which simulate one outage after another)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


class _GuardedClient:
    """Django's RedisCacheClient with each of its methods called through the breaker."""

    def __init__(self, client, breaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def guarded(*args, **kwargs):
            return self._breaker.call(attribute, *args, **kwargs)

        return guarded


class ResilientRedisCache(RedisCache):
    """Django's RedisCache behind a per-worker circuit breaker.

    ``BREAKER_SECONDS`` in the cache's settings (beside ``LOCATION``, not in ``OPTIONS``,
    which go to redis-py) says how long a worker skips Redis after a failure.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._breaker = breaker_for(
            ",".join(_without_password(url) for url in self._servers),
            float(params.get("BREAKER_SECONDS", 10)),
        )

    @cached_property
    def _cache(self):
        return _GuardedClient(self._class(self._servers, **self._options), self._breaker)


def _without_password(url):
    """The server's address for the log: redis://host:port/db, never the password."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
