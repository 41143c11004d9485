"""The benchmark's HTTP side: gunicorn with production settings, and a client that times
each request and reads the server's own timing (bench/timing.py).

gunicorn runs ``bench.wsgi`` (production settings plus the bench pages) with 2 sync workers
on a free loopback port and, as the Docker image does, writes an access log (to a file under
bench/out/ instead of stdout). Sync workers close the connection after every response, as
they do behind the proxy in production, so each timed request includes the TCP connect.
"""

import contextlib
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORKERS = 2
TIMEOUT = 30  # seconds: the client gives up on a request after this (gunicorn's own timeout)


@dataclass
class Sample:
    """One request: client time, server time (wall, CPU, database) in ms, status, queries,
    size, worker."""

    path: str
    status: int
    ms: float
    server_ms: float | None
    cpu_ms: float | None
    db_ms: float | None
    queries: int | None
    building: bool
    index_changed: bool
    size: int
    worker: str | None
    started: float  # time.time() when the request was sent


def _server_timing(header):
    """``app;dur=1.2, db;dur=0.3`` → {"app": 1.2, "db": 0.3}."""
    values = {}
    for metric in (header or "").split(","):
        name, _, rest = metric.strip().partition(";")
        for param in rest.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "dur":
                with contextlib.suppress(ValueError):
                    values[name] = float(value)
    return values


class Client:
    """One client connection to gunicorn; ``get`` times a request until its last byte."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def get(self, path):
        started_wall = time.time()
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            elapsed = (time.perf_counter() - started) * 1000
            return Sample(
                path, 0, elapsed, None, None, None, None, False, False, 0, None, started_wall
            )
        ms = (time.perf_counter() - started) * 1000
        if response.will_close:
            self.connection.close()
        timing = _server_timing(response.getheader("Server-Timing"))
        queries = response.getheader("X-Bench-Queries")
        return Sample(
            path=path,
            status=response.status,
            ms=ms,
            server_ms=timing.get("app"),
            cpu_ms=timing.get("cpu"),
            db_ms=timing.get("db"),
            queries=int(queries) if queries else None,
            building=response.getheader("X-Bench-Index-Building") == "1",
            index_changed=response.getheader("X-Bench-Index-Changed") == "1",
            size=len(body),
            worker=response.getheader("X-Bench-Worker"),
            started=started_wall,
        )

    def close(self):
        self.connection.close()


def percentile(values, share):
    """The nearest-rank percentile (``share`` between 0 and 1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def summary(samples):
    """Medians and tails of client and server time (ms, rounded) over ``samples``."""
    ok = [s for s in samples if s.status == 200]
    client = [s.ms for s in ok]
    server = [s.server_ms for s in ok if s.server_ms is not None]
    cpu = [s.cpu_ms for s in ok if s.cpu_ms is not None]
    queries = [s.queries for s in ok if s.queries is not None]
    result = {
        "n": len(samples),
        "errors": len(samples) - len(ok),
        "median_ms": _round(statistics.median(client)) if client else None,
        "p95_ms": _round(percentile(client, 0.95)),
        "p99_ms": _round(percentile(client, 0.99)),
        "max_ms": _round(max(client)) if client else None,
        "server_median_ms": _round(statistics.median(server)) if server else None,
        "server_p95_ms": _round(percentile(server, 0.95)),
        "server_max_ms": _round(max(server)) if server else None,
        "server_cpu_median_ms": _round(statistics.median(cpu)) if cpu else None,
        "server_cpu_max_ms": _round(max(cpu)) if cpu else None,
        "queries_median": statistics.median(queries) if queries else None,
        "kib_median": round(statistics.median(s.size for s in ok) / 1024) if ok else None,
        "while_building": sum(s.building for s in samples),
    }
    return result


def _round(value):
    if value is None:
        return None
    return round(value, 2) if value < 100 else round(value)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Gunicorn:
    """``with Gunicorn(name) as server:`` gunicorn on ``server.port``, both workers with their
    search index built; stopped (by its process id) when the block ends."""

    def __init__(self, name):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = OUT / f"access-{name}.log"
        self.slow_log = OUT / f"slow-{name}.jsonl"
        self.worker_log = OUT / f"gunicorn-{name}.log"
        self.process = None

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self.access_log.unlink(missing_ok=True)
        self.slow_log.unlink(missing_ok=True)
        log = self.worker_log.open("w")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_SLOW_LOG": str(self.slow_log),
        }
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "bench.wsgi",
                "--workers", str(WORKERS),
                "--bind", f"127.0.0.1:{self.port}",
                "--log-level", "warning",
                "--access-logfile", str(self.access_log),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,  # the measuring process's own stdout is its JSON report
            stderr=log,
        )  # fmt: skip
        log.close()  # gunicorn holds its own copy
        try:
            self._wait_until_up()
            self.warm()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def _wait_until_up(self, seconds=30):
        client = Client(self.port)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited while starting")
            if client.get("/bench/floor/").status == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s")

    def warm(self, seconds=120):
        """Have every worker build its search index: two requests at a time to
        /bench/warm/, each holding its worker a moment, until every worker said ready."""
        ready = set()
        deadline = time.monotonic() + seconds
        lock = threading.Lock()

        def ask():
            sample = Client(self.port)
            connection = sample.connection
            try:
                connection.request("GET", "/bench/warm/?hold=0.3")
                answer = json.loads(connection.getresponse().read())
            except (OSError, ValueError, http.client.HTTPException):
                return
            finally:
                connection.close()
            if answer.get("ready"):
                with lock:
                    ready.add(answer["pid"])

        while len(ready) < WORKERS and time.monotonic() < deadline:
            threads = [threading.Thread(target=ask) for _ in range(WORKERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(TIMEOUT)
        if len(ready) < WORKERS:
            raise RuntimeError(f"only {len(ready)} of {WORKERS} workers built their index")

    def errors(self):
        """What the workers logged so far: the number of errors (an exception's traceback,
        however chained, or a worker timeout) and the distinct final lines of them."""
        text = self.worker_log.read_text(errors="replace") if self.worker_log.exists() else ""
        lines = text.splitlines()
        count, kinds, in_traceback = 0, [], False
        for n, line in enumerate(lines):
            if "WORKER TIMEOUT" in line:
                count += 1
                kinds.append(line.split("]")[-1].strip())
            elif line.startswith("Traceback (most recent call last)"):
                in_traceback = True
            elif in_traceback and line and not line.startswith((" ", "The above", "During")):
                following = " ".join(lines[n + 1 : n + 3])
                if "the above exception" not in following.lower():  # the last of a chain
                    count += 1
                    kinds.append(line)
                    in_traceback = False
        return {
            "count": count,
            "kinds": list(dict.fromkeys(kinds))[:5],
            "log": str(self.worker_log.relative_to(ROOT)),
        }

    def worker_pids(self):
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def largest_worker_mb(self):
        sizes = [rss_mb(pid) or 0 for pid in self.worker_pids()]
        return round(max(sizes)) if sizes else None
