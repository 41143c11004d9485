"""The portal's per-client limits, counted in fixed windows in Django's cache.

Shared between workers when the cache is Redis; while it fails, counted in this worker's
memory (``CACHES["fallback"]``), so that a limit still holds, per worker, and no request
fails because of it (the breaker in ``operations/cache.py`` logs the outage once). Used by
the network's and the requests' forms (``network/spam.py``), the e-mail reveal
(``offers/views/contact.py``), the handouts' e-mail addresses (``schooldesk/handout.py``)
and the open-data API (``opendata/ratelimit.py``).
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache, caches

from retribus.auth import client_ip

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)


def client_key(prefix, request):
    """A cache key for the request's client address, hashed: the cache holds no readable
    client addresses."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode())
    return f"{prefix}:{digest.hexdigest()[:32]}"


def _with_counter(operation, what):
    """``operation(cache)`` on the shared cache, or on this worker's memory when it fails."""
    try:
        return operation(cache)
    except CacheUnavailable:  # the breaker has logged the outage, once
        return operation(caches["fallback"])
    except Exception as error:  # noqa: BLE001 -- any cache failure: count locally instead
        logger.warning("%s counted in this worker only, the shared cache failed: %s", what, error)
        return operation(caches["fallback"])


def _count(counter, key, seconds):
    # add() starts the window only with the first event of the window.
    counter.add(key, 0, timeout=seconds)
    try:
        return counter.incr(key)
    except ValueError:  # the window ended between add() and incr()
        counter.set(key, 1, timeout=seconds)
        return 1


def count(key, seconds, *, what):
    """Count one event under ``key`` in a window of ``seconds``; the count of the window.
    ``what`` names the events in the log line when the shared cache fails."""
    return _with_counter(lambda counter: _count(counter, key, seconds), what)


def current(key, *, what):
    """The count under ``key`` in its running window (0 when none runs)."""
    return _with_counter(lambda counter: counter.get(key, 0), what)
