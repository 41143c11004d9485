"""Logging a database outage once per interval, not once per request.

While the database is unreachable every request fails the same way; a line (with its
traceback) for each of them filled 5.5 MB of log in 15 s and hid everything else. So each
worker logs the first failed request, then at most one line per ``OUTAGE_LOG_INTERVAL``
seconds, which says how many requests were answered 503 since its previous line.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("retribus.outage")


class OncePerInterval:
    """Lets one event through per ``interval()`` seconds and counts the ones it holds back."""

    def __init__(self, interval):
        self.interval = interval
        self._lock = threading.Lock()
        self._last = None
        self._suppressed = 0

    def admit(self):
        """None to stay quiet; else the number of events held back since the last one."""
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self.interval():
                self._suppressed += 1
                return None
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
            return suppressed

    def reset(self):
        with self._lock:
            self._last, self._suppressed = None, 0


database_outages = OncePerInterval(lambda: settings.OUTAGE_LOG_INTERVAL)


def log_database_outage(request, exception):
    """One ERROR line for this outage request, unless one was written in the interval."""
    suppressed = database_outages.admit()
    if suppressed is None:
        return
    message = "Database unavailable, answered 503"
    if suppressed:
        message += f" ({suppressed} more such requests since the previous line)"
    logger.error(
        message,
        exc_info=exception,
        extra={"path": request.path, "status_code": 503, "suppressed": suppressed},
    )
