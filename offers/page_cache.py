"""Whole public pages cached under the catalogue version.

The public pages (home, walk, search, offer and provider pages) show nothing but the
catalogue, the URL and the language: no user, no session, no form token. So a page, once
rendered, is the right answer for the same URL and language until the catalogue changes,
and ``CatalogVersion`` says exactly when that is: database triggers replace its token in the
same transaction as any write to offers, providers, contacts, their links or the
vocabularies. A page is stored under the token read *before* the view runs, so the stored
page is never older than its key; after a write no request asks for the old key again. The
key also holds a fingerprint of the deployed code, templates, translations and static file
names, so a new release never serves a page the old one rendered.

Popular pages (the walk's steps, a search linked from a school's newsletter) then cost one
indexed lookup of the token and one cache read; with Redis as the cache, a page rendered by
one worker serves them all. Only 200 responses to GET and HEAD are stored, only for URLs
whose query string names nothing but the page's own parameters (``?utm_source=…`` or a
crawler's invented parameters would otherwise each take an entry), and never a response
that set a cookie or used the CSRF token or the session. The ``pages`` cache keeps entries
for an hour at most. If the cache fails, pages are rendered as if it were empty.
"""

import functools
import hashlib
import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language

from .models import CatalogVersion

logger = logging.getLogger(__name__)

RELEASE_FILES = {".py", ".html", ".txt", ".mo"}


@functools.cache
def release():
    """A fingerprint of what renders a page: our apps and the URLconf's package (code and
    templates), the template folders, the translations, the pinned dependencies and the
    static files' hashed names (read once per process)."""
    base = Path(settings.BASE_DIR)
    roots = {Path(app.path) for app in apps.get_app_configs()}
    roots.add(base / settings.ROOT_URLCONF.split(".")[0])
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


def catalog_version(request):
    """The catalogue version this request is served for: as the page cache read it, or now."""
    version = getattr(request, "catalog_version", None)
    return version if version is not None else CatalogVersion.current()


def _key(version, request):
    page = f"{release()}\n{version}\n{get_language()}\n{request.get_full_path()}"
    return f"catalog-page:{hashlib.sha256(page.encode()).hexdigest()}"


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "accessed", False)
    )


def catalog_page(view, *, params=()):
    """Serve ``view``'s pages from the ``pages`` cache while the catalogue version is
    unchanged. ``params``: the query parameters the view reads; a URL with any other is
    rendered but not stored."""
    params = frozenset(params)

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not params.issuperset(request.GET):
            return view(request, *args, **kwargs)
        version = request.catalog_version = CatalogVersion.current()
        if version is None:  # a flushed database: nothing to key on
            return view(request, *args, **kwargs)
        pages = caches["pages"]
        key = _key(version, request)
        try:
            stored = pages.get(key)
        except Exception:
            logger.exception("reading the page cache failed")
            stored = None
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            try:
                pages.set(key, (response.content, list(response.items())))
            except Exception:
                logger.exception("writing the page cache failed")
        return response

    return cached_view
