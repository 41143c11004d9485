"""The open data's own request limits, per client address, counted in Django's cache.

A fixed window per minute, as the portal's other limits count (``network/spam.py``): shared
between workers when the cache is Redis; when it fails, counted in each worker's memory
(``CACHES["fallback"]``) so that a limit still holds, per worker, and no request fails.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache, caches
from rest_framework.throttling import BaseThrottle

from operations.cache import CacheUnavailable
from retribus.auth import client_ip

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def _with_counter(operation):
    try:
        return operation(cache)
    except CacheUnavailable:
        return operation(caches["fallback"])
    except Exception as error:  # noqa: BLE001 -- any cache failure: count locally instead
        logger.warning("Open-data requests counted in this worker only: %s", error)
        return operation(caches["fallback"])


def _count(counter, key):
    counter.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return counter.incr(key)
    except ValueError:  # expired between add() and incr()
        counter.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def allow(request, scope, per_minute):
    """Count this request of the client against ``scope``; False once the client has sent
    ``per_minute`` requests in the current minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"opendata:{scope}:{window}:{client_ip(request)}"
    return _with_counter(lambda counter: _count(counter, key)) <= per_minute


def seconds_to_next_window():
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS


class ApiRateThrottle(BaseThrottle):
    """DRF's hook for the API's limit (``OPEN_DATA_API_REQUESTS_PER_MINUTE``); DRF answers
    429 with ``Retry-After``."""

    def allow_request(self, request, view):
        return allow(request, "api", settings.OPEN_DATA_API_REQUESTS_PER_MINUTE)

    def wait(self):
        return seconds_to_next_window()
