"""The open data's own request limits, per client address, counted in Django's cache.

A fixed window per minute, counted by ``operations/limits.py`` like the portal's other
limits: shared between workers when the cache is Redis; when it fails, counted in each
worker's memory (``CACHES["fallback"]``), so that a limit still holds and no request fails.
"""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from operations import limits
from retribus.auth import client_ip

WINDOW_SECONDS = 60


def allow(request, scope, per_minute):
    """Count this request of the client against ``scope``; False once the client has sent
    ``per_minute`` requests in the current minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"opendata:{scope}:{window}:{client_ip(request)}"
    return limits.count(key, WINDOW_SECONDS, what="Open-data requests") <= per_minute


def seconds_to_next_window():
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS


class ApiRateThrottle(BaseThrottle):
    """DRF's hook for the API's limit (``OPEN_DATA_API_REQUESTS_PER_MINUTE``); DRF answers
    429 with ``Retry-After``."""

    def allow_request(self, request, view):
        return allow(request, "api", settings.OPEN_DATA_API_REQUESTS_PER_MINUTE)

    def wait(self):
        return seconds_to_next_window()
