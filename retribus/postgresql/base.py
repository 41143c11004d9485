"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django asks a kept connection ``SELECT 1`` before the first
query of every request, so that a connection the server dropped (a restart, a failover, an
administrator's ``pg_terminate_backend``) is replaced rather than failing the request. That
question was a tenth of a millisecond of a 4 ms search page, and a statement for the
database to answer, on every request.

A server that drops a connection says so on the socket: it sends its error message and
closes, and the socket turns readable. An idle connection in good order has nothing to
read. So the socket is looked at first, without waiting; only when something arrived is the
connection asked ``SELECT 1`` as before (a notice arriving is harmless: the question reads
it and finds the connection usable).
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        try:
            arrived, _writable, _failed = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not arrived or super().is_usable()
