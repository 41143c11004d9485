"""Operational views: the load balancer's health check and the error pages' fallbacks."""

import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from . import maintenance
from .outage import log_database_outage

RETRY_AFTER_SECONDS = 30
MAINTENANCE_RETRY_AFTER_SECONDS = 120


def service_unavailable(request):
    """The 503 page, rendered without a request context: nothing in it touches the database."""
    html = loader.get_template("503.html").render()
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request, exception):
    """The 503 page for a lost database connection, logged once per interval (outage.py)."""
    log_database_outage(request, exception)
    response = service_unavailable(request)
    # Logged above, at most once per interval: Django's request log would otherwise add a
    # line of its own for every 503 (log_response skips a response marked like this).
    response._has_been_logged = True
    return response


def maintenance_page(request):
    """The 503 page while a restore replaces the data; nothing in it touches the database.

    In German: it is answered before LocaleMiddleware, and without this the worker's thread
    would still speak the language of whatever request it served before.
    """
    with translation.override(settings.LANGUAGE_CODE):
        html = loader.get_template("maintenance.html").render()
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(MAINTENANCE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # planned, not an error: no ERROR line per request
    return response


def bad_request_page(request):
    """The friendly 400 page for input the portal refuses outright; the JSON API's clients
    get its JSON error instead (opendata/api.py)."""
    if request.path_info.startswith("/api/"):
        unreadable = translation.gettext("Contains a character that is not allowed.")
        error = {
            "status": 400,
            "message": translation.gettext("Some parameters of the request cannot be used."),
            "parameters": {
                name: [unreadable]
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            },
        }
        return JsonResponse({"error": error}, status=400)
    return defaults.bad_request(request, exception=None)


def server_error(request):
    """handler500: a lost database connection is a 503 (temporary), anything else a 500.

    DatabaseOutageMiddleware catches outages raised in views; this catches the ones raised
    in middleware (e.g. loading a session) that never reach a view.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        return database_unavailable(request, exception)
    return defaults.server_error(request)


def _database_state(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        connection.close_if_unusable_or_obsolete()
        log_database_outage(request, error)
        return "error"
    return "ok"


def _cache_state():
    # A key of its own for every probe: with one shared key, probes overlapping in other
    # workers overwrite each other's token and report a healthy cache as failed.
    token = uuid.uuid4().hex
    key = f"healthz:{token}"
    try:
        cache.set(key, token, timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception:  # noqa: BLE001 -- any cache backend failure means "not healthy"
        return "error"
    return "ok" if answered == token else "error"


@never_cache
@require_safe
def healthz(request):
    """For the load balancer: {"database": "ok"|"error", "cache": "ok"|"error"}; 503 if any fails.

    One ``SELECT 1`` and a cache write, read and delete of the probe's own key, nothing
    heavier, so it can be asked every few seconds. In maintenance (a restore is running)
    it adds ``"maintenance": true`` and answers 503, so the node is taken out.
    """
    state = {"database": _database_state(request), "cache": _cache_state()}
    healthy = all(value == "ok" for value in state.values())
    if maintenance.is_on():
        state["maintenance"] = True
        healthy = False
    response = JsonResponse(state, status=200 if healthy else 503)
    # A failing part is logged where it fails (the outage log, the cache's breaker), once
    # per outage or interval; Django's request log would add an ERROR line per probe.
    response._has_been_logged = True
    return response


def partner_logo(request, path):
    """An uploaded partner logo, read-only; ``serve`` refuses paths outside MEDIA_ROOT."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response
