"""Keeping bots and floods away from the public declaration form without bothering people.

Three quiet checks instead of a CAPTCHA: a honeypot field people never see, a signed time
stamp that shows the form was open for a few seconds, and a per-address limit on
declarations an hour, counted in Django's cache (shared between workers when the cache is).

The limit never costs a declaration: when the shared cache fails, declarations are counted
in the worker's own memory (``CACHES["fallback"]``) until it answers again, so the form
neither fails nor loses what was typed, and a flood is still held back, per worker.
"""

from django.core import signing

from operations import limits
from retribus.auth import client_ip

MIN_FILL_SECONDS = 3
SUBMISSIONS_PER_HOUR = 5
_STAMP_SALT = "network.declaration.started"
_signer = signing.TimestampSigner(salt=_STAMP_SALT)
_WINDOW_SECONDS = 60 * 60


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


def _rate_key(request, kind):
    return f"network:{kind}:{client_ip(request)}"


def rate_limited(request, kind="declarations", per_hour=SUBMISSIONS_PER_HOUR):
    """True when this address has sent the hourly number of declarations (or of another
    ``kind`` of form, such as the requests of bookings/views.py) already."""
    return limits.current(_rate_key(request, kind), what=kind) >= per_hour


def count_submission(request, kind="declarations"):
    """Count one accepted declaration (or form of ``kind``) against the address for the
    next hour."""
    limits.count(_rate_key(request, kind), _WINDOW_SECONDS, what=kind)
