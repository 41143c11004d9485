"""Django's PostgreSQL backend with a health check that costs no round trip while the
connection is busy.

With ``CONN_HEALTH_CHECKS`` Django asks a kept connection ``SELECT 1`` before the first
query of every request, so that a connection the server dropped (a restart, a failover, an
administrator's ``pg_terminate_backend``) is replaced rather than failing the request. That
question was a tenth of a millisecond of a 4 ms search page, and a statement for the
database to answer, on every request.

A server that ends a connection in order says so on the socket: it sends its error message
and closes, and the socket turns readable. An idle connection in good order has nothing to
read. So a connection used within the last ``ASK_AFTER_IDLE`` seconds — a worker under
load — is judged by looking at its socket, without waiting; it is asked ``SELECT 1`` as
before when something arrived (a notice is harmless: the question reads it and finds the
connection usable) or when it has been idle longer. A database host that vanishes without
closing its connections (a crash, a failover to another machine) shows nothing on the
socket: only a request within that second of the last one can then fail, once per
connection; after it, Django drops the connection and the next request connects anew.
"""

import select
import time

from django.db.backends.postgresql import base

# A connection idle for longer is asked SELECT 1 before its next request (seconds).
ASK_AFTER_IDLE = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = 0.0  # time.monotonic() of the last cursor made

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        if time.monotonic() - self.used_at > ASK_AFTER_IDLE:
            return super().is_usable()
        try:
            watch = select.poll()  # unlike select(), any descriptor number
            watch.register(self.connection.fileno(), select.POLLIN)
            arrived = watch.poll(0)
        except (OSError, ValueError):
            return False
        return not arrived or super().is_usable()
