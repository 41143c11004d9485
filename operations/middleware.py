"""Cross-cutting request handling: security headers, CSP per area, bad input, DB outages,
the maintenance state."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import maintenance
from .views import bad_request_page, database_unavailable, maintenance_page

# What a lost or refused database connection raises, on PostgreSQL and SQLite alike.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy, which Django's SecurityMiddleware has no setting for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp with one relaxation for the admin.

    Django's admin and the history screens of django-simple-history carry a few inline styles, so
    admin pages (and only they) get ADMIN_CONTENT_SECURITY_POLICY_UPDATE added to the
    strict policy. Scripts stay 'self' everywhere.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and "admin" in match.namespaces:
            parts.update = {**settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE, **(parts.update or {})}
        return parts


class NulByteGuardMiddleware:
    """Refuses addresses and form posts with NUL characters with the friendly 400 page.

    Browsers send them when told to (``%00``); PostgreSQL cannot store or compare them and
    would fail deep inside a query (django-axes, for one, stores the login name as typed),
    SQLite would silently cut the string. No person types a NUL into a form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        data = [request.GET]
        if request.method == "POST":
            data.append(request.POST)
        if "\x00" in request.path or any(map(_contains_nul, data)):
            return bad_request_page(request)
        return self.get_response(request)


def _contains_nul(query_dict):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class DatabaseOutageMiddleware:
    """Answers 503 with a friendly page while the database is unreachable.

    Recovery needs nothing from us: at the end of every request Django closes connections
    that raised errors (close_old_connections), so the next request connects afresh. The
    outage is logged once per interval per worker, not for every request (outage.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None


class MaintenanceMiddleware:
    """While the portal is in maintenance (a restore runs), every request but ``/healthz``
    gets the German 503 page at once instead of waiting for locked tables.

    Placed after WhiteNoise, so the page's stylesheet is still served, and before anything
    that reads the session or the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/healthz" and maintenance.is_on():
            return maintenance_page(request)
        return self.get_response(request)
