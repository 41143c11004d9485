"""Whole public pages cached under the catalogue version.

The public pages (home, walk, search, offer and provider pages) show nothing but the
catalogue, the URL and the language: no user, no session, no form token. So a page, once
rendered, is the right answer for the same URL and language until the catalogue changes,
and ``CatalogVersion`` says exactly when that is: database triggers replace its token in the
same transaction as any write to offers, providers, contacts, their links or the
vocabularies. A page is stored under the token read *before* the view runs, so the stored
page is never older than its key; after a write no request asks for the old key again.

Popular pages (the walk's steps, a search linked from a school's newsletter) then cost one
indexed lookup of the token and one cache read; with Redis as the cache, a page rendered by
one worker serves them all. Pages that are not a plain 200 (errors, redirects) and requests
other than GET are never stored.
"""

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from .models import CatalogVersion

# The token changes with the data, so entries need no expiry; this only frees memory.
CACHE_SECONDS = 24 * 60 * 60


def _key(version, request):
    path = request.get_full_path()
    digest = hashlib.sha256(f"{version}\n{get_language()}\n{path}".encode()).hexdigest()
    return f"catalog-page:{digest}"


def catalog_page(view):
    """Serve ``view``'s 200 responses to GET requests from the cache while the catalogue
    version is unchanged."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        version = CatalogVersion.current()
        if version is None:  # a flushed database: nothing to key on
            return view(request, *args, **kwargs)
        key = _key(version, request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, list(response.items())), CACHE_SECONDS)
        return response

    return cached_view
