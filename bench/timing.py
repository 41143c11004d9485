"""Bench-only middleware: what each request cost inside Django, in its response headers.

Only ``bench.settings`` installs it (outermost, so it times every other middleware too); the
portal never sends these headers. The HTTP client of the benchmark (``bench/client.py``) reads

* ``Server-Timing: app;dur=<ms>, cpu;dur=<ms>, db;dur=<ms>`` — the time from the first
  middleware until the response left the last one; the CPU time the request's thread used
  meanwhile (much less than ``app`` when the worker waited: for the database, for the CPU
  on a busy machine, for the GIL while another thread of the worker ran); the part spent in
  database queries;
* ``X-Bench-Queries`` — the number of queries (a page from the page cache costs one);
* ``X-Bench-Worker`` — the gunicorn worker's process id;
* ``X-Bench-Index-Building`` — ``1`` when this worker was building a new search index while
  it answered (the request was then most likely answered by the slower SQL engine);
* ``X-Bench-Index-Changed`` — ``1`` when the worker's index was another one after the
  request than before it: this request patched it to a newer catalogue version (or a
  background build finished meanwhile).

Time spent in gunicorn (accepting, parsing, writing the response to the socket) and queueing
in front of a busy worker are not in ``app``; the client's own clock has them.
"""

import os
import time

from django.db import connection

from offers.search import engine


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pid = str(os.getpid())

    def __call__(self, request):
        queries = [0, 0.0]

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries[0] += 1
                queries[1] += time.perf_counter() - started

        index = engine._State.index
        started, started_cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - started_cpu) * 1000
        database = queries[1] * 1000
        response["Server-Timing"] = (
            f"app;dur={elapsed:.2f}, cpu;dur={cpu:.2f}, db;dur={database:.2f}"
        )
        response["X-Bench-Queries"] = str(queries[0])
        response["X-Bench-Worker"] = self.pid
        response["X-Bench-Index-Building"] = "1" if engine._State.building else "0"
        response["X-Bench-Index-Changed"] = "0" if engine._State.index is index else "1"
        return response
