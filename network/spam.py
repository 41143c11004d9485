"""Keeping bots and floods away from the public declaration form without bothering people.

Three quiet checks instead of a CAPTCHA: a honeypot field people never see, a signed time
stamp that shows the form was open for a few seconds, and a per-address limit on
declarations an hour, counted in Django's cache (shared between workers when the cache is).
"""

from django.core import signing
from django.core.cache import cache

from retribus.auth import client_ip

MIN_FILL_SECONDS = 3
SUBMISSIONS_PER_HOUR = 5
_STAMP_SALT = "network.declaration.started"
_signer = signing.TimestampSigner(salt=_STAMP_SALT)


def form_stamp():
    """A value for the hidden field that records when the form was handed out."""
    return _signer.sign("declaration")


def filled_too_fast(stamp):
    """True when the stamp is missing, forged, or younger than a person can fill the form.

    An old stamp is fine: people leave a tab open for hours and must not be punished.
    """
    # unsign() with max_age fails with SignatureExpired exactly when the stamp is older
    # than the minimum fill time, which is the good case here.
    try:
        _signer.unsign(stamp or "", max_age=MIN_FILL_SECONDS)
    except signing.SignatureExpired:
        return False
    except signing.BadSignature:
        return True
    return True


def _rate_key(request):
    return f"network:declarations:{client_ip(request)}"


def rate_limited(request):
    """True when this address has sent the hourly number of declarations already."""
    return cache.get(_rate_key(request), 0) >= SUBMISSIONS_PER_HOUR


def count_submission(request):
    """Count one accepted declaration against the address for the next hour."""
    key = _rate_key(request)
    # add() starts the one-hour window only for the first declaration of the window.
    cache.add(key, 0, timeout=60 * 60)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=60 * 60)
