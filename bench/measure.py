"""Measure one database at one size; prints a JSON report on stdout.

Run by bench/run.py in a fresh process per (database, size), because Django's
settings are per process:  python -m bench.measure --size 1000
(DATABASE_URL selects a freshly migrated, empty database, which this fills.)
"""

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import pages  # noqa: E402
from offers.search import engine as search_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def prepare(size, seed):
    started = time.perf_counter()
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    call_command("generate_offers", count=size, seed=seed, national=True, verbosity=0)
    if connection.vendor == "postgresql":
        # What autovacuum does in production after a bulk load; a server that runs without
        # it (like this machine's) would otherwise count a big provider's offers from the heap.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


COLD_REPETITIONS = 15


def time_page(client, urls, repetitions):
    """One URL is requested repeatedly after a warm-up; several URLs are each requested once,
    the first few as warm-up, so every timed request is one the caches have not seen."""
    warmup = 5
    if len(urls) > 1:
        repetitions = len(urls) - warmup
        sequence = urls[warmup:]
    else:
        sequence = urls * repetitions
    for url in urls[:warmup] if len(urls) > 1 else urls * warmup:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for each in caches.all():  # count what rendering costs, not what the page cache saves
        each.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(urls[0])
    query_count = len(queries)  # read now: the next request resets the query log
    samples = []
    for url in sequence:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    cold = []
    for n in range(COLD_REPETITIONS):
        # What the first visitor after a catalogue write waits for once the new index is
        # built: no cached page or count, no offers kept by the index (its text matches of
        # the most recent words are kept: a rebuild matches them again).
        for each in caches.all():
            each.clear()
        search_engine.engine().forget_page_offers()
        started = time.perf_counter()
        client.get(urls[n % len(urls)])
        cold.append((time.perf_counter() - started) * 1000)
    return {
        "cold_median_ms": round(statistics.median(cold), 2),
        "url": urls[0] if len(urls) == 1 else f"{len(sequence)} different URLs, e.g. {urls[-1]}",
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "queries": query_count,
        "bytes": len(response.content),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


THREADS = 2


def load(urls, seconds, connections):
    """Closed-loop load with wrk against gunicorn (2 workers); requests/s per page.

    ``urls`` maps a name to a list of paths: one path is asked again and again; a longer list
    is asked a path at a time, each once (after the first ten, which warm up the worker)."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed"}
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/floor/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        results = {}
        for name, paths in urls.items():
            for path in paths[:10] if len(paths) > 1 else paths * 10:
                urllib.request.urlopen(base + path).read()
            command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s"]
            env = dict(os.environ)
            if len(paths) > 1:  # each path once, in turn: see bench/rotate.lua
                listing = ROOT / "bench" / "out" / f"paths-{name}.txt"
                listing.parent.mkdir(exist_ok=True)
                listing.write_text("\n".join(paths[10:]) + "\n")
                command += ["-s", str(ROOT / "bench" / "rotate.lua")]
                env.update(WRK_PATHS=str(listing), WRK_THREADS=str(THREADS))
            out = subprocess.run(
                [*command, "--latency", base + paths[0]],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout
            results[name] = parse_wrk(out)
            if len(paths) > 1:
                results[name]["distinct_paths"] = len(paths) - 10
        workers = [
            int(pid)
            for pid in subprocess.run(
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        results["worker_rss_mb"] = max(rss_mb(pid) or 0 for pid in workers) if workers else None
        return results
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)


def parse_wrk(out):
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif "requests in" in line:
            result["requests"] = int(parts[0])
        elif parts[:1] == ["99%"]:
            result["p99"] = parts[1]
        elif parts[:1] == ["50%"]:
            result["p50"] = parts[1]
        elif "Non-2xx" in line:
            result["non_2xx"] = int(parts[-1])
        elif "Socket errors" in line:
            result["socket_errors"] = line.split(":", 1)[1].strip()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repetitions", type=int, default=40)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--distinct-searches", type=int, default=6000)
    args = parser.parse_args()

    fill_seconds = prepare(args.size, args.seed)
    started = time.perf_counter()
    search_engine.engine()  # starts this process's index build for the new catalogue
    search_engine.wait_for_build()
    index_seconds = time.perf_counter() - started
    client = Client()
    urls = pages.sample_urls()
    timings = {name: time_page(client, url, args.repetitions) for name, url in urls.items()}
    load_urls = {
        "search_text": urls["search_text"],
        "search_distinct": pages.many_searches(args.distinct_searches),
        "floor": urls["floor"],
    }
    report = {
        "vendor": connection.vendor,
        "size": args.size,
        "fill_seconds": round(fill_seconds, 1),
        "index_build_seconds": round(index_seconds, 2),
        "pages": timings,
        "load": load(load_urls, args.load_seconds, args.connections),
        "bench_process_max_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
