"""Login protection: django-axes lockout and the client address it counts failures for,
and the limit on password-reset mails."""

import hashlib
import logging
import time

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.core.cache import caches
from django.db.models import Sum
from django.http import HttpResponseRedirect

logger = logging.getLogger(__name__)

# The password-reset limits count per hour from a client's or an address's first request.
RESET_WINDOW_SECONDS = 60 * 60


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when no request is given.

    Every login a browser can reach (the admin login form) passes the request, so the
    lockout applies there. Code that calls ``authenticate()`` without one -- the test
    client's ``login()``, a management command -- would otherwise crash with
    AxesBackendRequestParameterRequired although no attacker can use that path.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, higher limit per client address.

    Failures count per user name *and* address (``AXES_LOCKOUT_PARAMETERS``), so a
    stranger's wrong passwords lock a name out at the stranger's address only, never the
    real person at theirs. Against a bot that tries many names from one address, the
    address as a whole is locked once it has ``AXES_IP_FAILURE_LIMIT`` failures within the
    cool-off time, whatever the names. axes has one failure limit for all parameter sets,
    so the address's own, higher limit (several people may share a school's or an office's
    address) is checked here.
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def address_failures(self, request):
        """Failures from the request's address within the cool-off time, for all names."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def client_ip(request):
    """The address failed logins are counted for.

    Behind the TLS proxy (``SECURE_PROXY=1``) every connection comes from the proxy, so the
    client is the last entry the proxy appended to X-Forwarded-For; entries before it are
    whatever the client claimed and are ignored. Without a proxy, the socket's address.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_username(request, credentials):
    """The user name failed logins are counted for, cut to what the lockout table stores.

    django-axes stores the name as typed in a 255-character column and does not shorten
    it; on PostgreSQL a longer name (a bot's 10 KB string) made the login page fail with
    a 500. No account has such a name (Django allows 150 characters), so cutting loses
    nothing.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    if not isinstance(username, str):
        return username
    return username[: AccessAttempt._meta.get_field("username").max_length]


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password reset, sending at most a few mails per hour per address.

    Without a limit a bot sends any number of mails to a person (or to many people) from
    the portal's address. Every request ends on the same "mail sent" page, whether the
    address has an account, a mail went out or a limit held it back.
    """

    def form_valid(self, form):
        if password_reset_mail_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


def password_reset_mail_allowed(request, email):
    """Counts a reset request for the client and for the e-mail address; False once either
    had its share of the hour, and False when the cache cannot count (fails closed: a
    missing mail is a nuisance, a mail flood from the portal's address is not)."""
    limits = [
        ("client", client_ip(request) or "", settings.PASSWORD_RESET_MAILS_PER_CLIENT),
        ("address", email.strip().lower(), settings.PASSWORD_RESET_MAILS_PER_ADDRESS),
    ]
    # A client over its limit does not use up the address's share as well.
    for kind, value, limit in limits:
        try:
            count = _count_reset_request(kind, value)
        except Exception:  # any failure of the cache: Redis down, hung, being skipped
            _log_cache_failure()
            return False
        if count > limit:
            if count == limit + 1:  # once per limit and hour, not for every request of a flood
                logger.warning(
                    "Password-reset mails held back: the limit per %s and hour is reached", kind
                )
            return False
    return True


_last_cache_failure_log = None  # time.monotonic() of the last such log line


def _log_cache_failure():
    """Once a minute per worker at most: while the cache is down every request fails."""
    global _last_cache_failure_log
    now = time.monotonic()
    if _last_cache_failure_log is None or now - _last_cache_failure_log >= 60:
        _last_cache_failure_log = now
        logger.warning("Password-reset mail not sent: the cache to count requests failed")


def _count_reset_request(kind, value):
    """This hour's number of reset requests for ``value``, this one included. The cache key
    holds a hash, not the e-mail address."""
    cache = caches["default"]
    digest = hashlib.sha256(value.encode()).hexdigest()
    key = f"password-reset:{kind}:{digest}"
    cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
    count = cache.incr(key)
    if not isinstance(count, int):
        raise TypeError(f"the cache counted {count!r}")
    return count
