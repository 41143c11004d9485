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

A request that took more than ``SLOW_MS`` of server time is also written, with its three
slowest queries, as one JSON line to the file ``BENCH_SLOW_LOG`` names (bench/client.py sets
it to bench/out/slow-<run>.jsonl), so that a tail in the tables can be explained afterwards.

Time spent in gunicorn (accepting, parsing, writing the response to the socket) and queueing
in front of a busy worker are not in ``app``; the client's own clock has them.
"""

import json
import os
import time

from django.db import connection

from offers.search import engine

SLOW_MS = 500


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pid = str(os.getpid())
        self.slow_log = os.environ.get("BENCH_SLOW_LOG")

    def __call__(self, request):
        queries = [0, 0.0]
        slowest = []  # the three slowest (seconds, statement) of this request

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                took = time.perf_counter() - started
                queries[0] += 1
                queries[1] += took
                if len(slowest) < 3 or took > slowest[-1][0]:
                    slowest.append((took, sql))
                    slowest.sort(key=lambda each: -each[0])
                    del slowest[3:]

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
        if self.slow_log and elapsed > SLOW_MS:
            self.log_slow(request, response, elapsed, cpu, database, queries[0], slowest)
        return response

    def log_slow(self, request, response, elapsed, cpu, database, count, slowest):
        line = {
            "at": time.time(),
            "path": request.get_full_path(),
            "worker": self.pid,
            "ms": round(elapsed, 1),
            "cpu_ms": round(cpu, 1),
            "db_ms": round(database, 1),
            "queries": count,
            "index_changed": response["X-Bench-Index-Changed"] == "1",
            "slowest": [[round(took * 1000, 1), sql[:300]] for took, sql in slowest],
        }
        with open(self.slow_log, "a") as out:
            out.write(json.dumps(line) + "\n")
