"""What the public pages cache, keyed by the catalogue version and the release
(docs/architecture.md explains both keys and the path of a request).

``cached`` keeps computed data (the walk's counts, the SQL engine's results) in the default
cache, shared by all workers when it is Redis. ``catalog_page`` keeps whole public pages:
they show nothing but the catalogue, the URL and the language, no user, no session, no form
token. Pages live in each worker's own bounded memory cache (``CACHES["pages"]``), so that
no flood of invented URLs can push shared entries such as the network form's rate limits
out of Redis. Only 200 responses to GET and HEAD are stored, only for URLs whose parameters
the page reads (the key uses them in a canonical order), and never a response that set a
cookie or used the CSRF token or the session. Both give way when the cache fails: the value
is computed or the page rendered as if the cache were empty, and the failure is logged
(a Redis that is down or hung once per outage, by the breaker in operations/cache.py).
"""

import functools
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

import retribus
from operations.cache import CacheUnavailable

from .models import CatalogVersion

logger = logging.getLogger(__name__)

# The token changes with the data, so entries need no expiry; this only frees memory.
CACHE_SECONDS = 24 * 60 * 60
RELEASE_FILES = {".py", ".html", ".txt", ".mo"}


@functools.cache
def release():
    """A fingerprint of what computes and renders a page: our apps, the project package and
    the template folders (code and templates), the translations, the pinned dependencies and
    the static files' hashed names. Computed when the app loads (``OffersConfig.ready``), so
    a worker's fingerprint is that of the code it runs."""
    base = Path(settings.BASE_DIR)
    roots = {Path(app.path) for app in apps.get_app_configs()}
    roots.add(Path(retribus.__file__).parent)
    roots.update(Path(path) for path in settings.LOCALE_PATHS)
    roots.update(Path(folder) for template in settings.TEMPLATES for folder in template["DIRS"])
    # Our own code; installed packages are covered by their pinned versions (pyproject.toml).
    roots = {
        root for root in roots if root.is_relative_to(base) and "site-packages" not in root.parts
    }
    files = sorted(
        {path for root in roots for path in root.rglob("*") if path.suffix in RELEASE_FILES}
    )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest = hashlib.sha256()
    for path in [*files, base / "pyproject.toml", manifest]:
        if path.is_file():
            digest.update(
                str(path.relative_to(base) if path.is_relative_to(base) else path).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached(prefix, version, key, compute):
    """``compute()``, kept under the catalogue ``version`` in the default cache; computed
    afresh without a version (a flushed database) or when the cache fails."""
    if version is None:
        return compute()
    full_key = f"{prefix}:{release()}:{version}:{today()}:{key}"
    try:
        value = cache.get(full_key)
    except CacheUnavailable:  # logged by the breaker, once per outage, not once per page
        return compute()
    except Exception:
        logger.exception("reading the cache failed")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(full_key, value, CACHE_SECONDS)
        except CacheUnavailable:
            pass
        except Exception:
            logger.exception("writing the cache failed")
    return value


def today():
    """Part of every key: pages and counts that show dated sessions (the "Zeitraum" facet,
    next dates on cards and offer pages) change at midnight without any write, so each day
    starts with fresh entries (bookings/search.py)."""
    return timezone.localdate().isoformat()


def catalog_version(request):
    """The catalogue version this request is served for: as the page cache read it, or now."""
    version = getattr(request, "catalog_version", None)
    return version if version is not None else CatalogVersion.current()


def _key(stamp, request):
    query = urlencode(
        sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
    )
    page = f"{release()}\n{stamp}\n{today()}\n{get_language()}\n{request.path}\n{query}"
    return f"catalog-page:{hashlib.sha256(page.encode()).hexdigest()}"


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "accessed", False)
    )


# Functions ``(request, response) -> None`` run on every response ``catalog_page`` returns,
# from the cache or freshly rendered: they fill in a page's per-visitor parts (a form token,
# a visitor's own list) after the cache, so that the stored page holds only placeholders and
# stays the same for everybody, or note what was asked (the search log). Registered by apps
# in ``AppConfig.ready()`` with ``@page_cache.per_request``; each must be cheap and must not
# raise.
PER_REQUEST = []


def per_request(func):
    """Register ``func(request, response)`` to run on every response of a cached page."""
    PER_REQUEST.append(func)
    return func


def _personalized(request, response):
    for func in PER_REQUEST:
        func(request, response)
    return response


def _stamp(version, scopes, kwargs):
    """The page's key as far as the catalogue goes: the token, or with ``scopes`` the stamps
    of what the page shows, so that a write elsewhere keeps it (``search/scopes.py``)."""
    if scopes is None:
        return version
    from .search import engine  # the engine imports this module's helpers

    try:
        return engine.page_stamp(version, lambda index: scopes(index, **kwargs))
    except Exception:
        logger.exception("stamping a page failed")
        return version


def catalog_page(view, *, params=(), scopes=None):
    """Serve ``view``'s pages from the ``pages`` cache while what they show is unchanged.
    ``params``: the query parameters the view reads (or a function returning them, asked
    per request); a URL with any other is rendered but not stored. ``scopes``: a function
    ``(index, **url_kwargs)`` naming what of the catalogue the page shows (``search/scopes.py``);
    without it any catalogue write renders the page anew."""
    read_params = params if callable(params) else lambda: params

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not set(request.GET) <= set(read_params()):
            return _personalized(request, view(request, *args, **kwargs))
        version = request.catalog_version = CatalogVersion.current()
        if version is None:  # a flushed database: nothing to key on
            return _personalized(request, view(request, *args, **kwargs))
        key = _key(_stamp(version, scopes, kwargs), request)
        try:
            stored = caches["pages"].get(key)
        except Exception:
            logger.exception("reading the page cache failed")
            stored = None
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return _personalized(request, response)
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            try:
                caches["pages"].set(key, (response.content, list(response.items())))
            except Exception:
                logger.exception("writing the page cache failed")
        return _personalized(request, response)

    # Pages that show the catalogue; tests/test_freshness.py finds them by this mark.
    cached_view.reads_catalog = True
    return cached_view
