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
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as TestClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import imports, insights, latency, pages, writes  # noqa: E402
from bench.client import OUT, Client, Gunicorn  # noqa: E402
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


THREADS = 2


def wrk_rows(server, urls, seconds, connections):
    """Closed-loop load with wrk against the running gunicorn; requests/s per page.

    ``urls`` maps a name to a list of paths: one path is asked again and again; a longer list
    is asked a path at a time, each once (after the first ten, which warm up the worker)."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed"}
    results = {}
    for name, paths in urls.items():
        warm = Client(server.port)
        for path in paths[:10] if len(paths) > 1 else paths * 10:
            warm.get(path)
        warm.close()
        command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s"]
        env = dict(os.environ)
        if len(paths) > 1:  # each path once, in turn: see bench/rotate.lua
            listing = OUT / f"paths-{name}.txt"
            listing.parent.mkdir(exist_ok=True)
            listing.write_text("\n".join(paths[10:]) + "\n")
            command += ["-s", str(ROOT / "bench" / "rotate.lua")]
            env.update(WRK_PATHS=str(listing), WRK_THREADS=str(THREADS))
        out = subprocess.run(
            [*command, "--latency", server.base + paths[0]],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        results[name] = parse_wrk(out)
        if len(paths) > 1:
            results[name]["distinct_paths"] = len(paths) - 10
    results["worker_rss_mb"] = server.largest_worker_mb()
    return results


def bracketed_rows(server, urls, floor, seconds, connections):
    """``wrk_rows`` of each page of ``urls`` between two runs of the ``floor`` page, and per
    page the floor's throughput around it (``floor_rps``: the mean of the runs before and
    after): a virtual machine's speed drifts by a third within a minute, and a page is
    compared with the floor of the same moment. ``floor`` in the result: every floor run,
    and their mean."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed"}
    results = {}
    floors = [wrk_rows(server, {"floor": floor}, seconds, connections)["floor"]]
    for name, paths in urls.items():
        results[name] = wrk_rows(server, {name: paths}, seconds, connections)[name]
        floors.append(wrk_rows(server, {"floor": floor}, seconds, connections)["floor"])
        results[name]["floor_rps"] = round((floors[-2]["rps"] + floors[-1]["rps"]) / 2, 2)
    results["floor"] = {
        **floors[-1],
        "rps": round(sum(run["rps"] for run in floors) / len(floors), 2),
        "runs": [run["rps"] for run in floors],
    }
    results["worker_rss_mb"] = server.largest_worker_mb()
    return results


def env_number(name, default, kind=int):
    value = os.environ.get(name)
    return kind(value) if value else default


def api_url(search_url):
    """The JSON API's search for a search page URL's facets (its words left out)."""
    parts = urlsplit(search_url)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name != "q"]
    return f"/api/v1/offers/?{urlencode(query)}"


def http_urls(urls, samples):
    """The latency run's URLs (kind → new and repeated) and the two phases of the writes
    run (all-different searches and walk steps by turns), none of them asked twice."""
    take = latency.WARMUP_NEW + samples
    text, facets = pages.http_searches()
    regions = pages.http_walk_regions()
    repeated = {
        "search": urls["search_text"][0],
        "walk_sector": urls["walk_sector"][0],
        "walk_region": urls["walk_region"][0],
        "offer": urls["offer"][0],
        "provider": urls["provider"][0],
        "api": api_url(text[0]),
        "floor": urls["floor"][0],
    }
    regions = [url for url in regions if url != repeated["walk_region"]]
    new = {
        "search": text[:take],
        "walk_sector": [u for u in pages.http_walk_sectors() if u != repeated["walk_sector"]],
        "walk_region": regions[:take],
        "offer": [u for u in pages.http_offers()[: take + 1] if u != repeated["offer"]][:take],
        "provider": [u for u in pages.http_providers() if u != repeated["provider"]][:take],
        "api": [api_url(url) for url in text[1 : take + 1]],
        "floor": None,
    }
    latency_urls = {kind: {"new": new[kind], "repeated": repeated[kind]} for kind in repeated}
    searches = [url for pair in zip(text[take:], facets, strict=False) for url in pair]
    regions = regions[take:]
    phases = []
    for turn in (0, 1):
        mine = zip(searches[turn::2], regions[turn::2], strict=False)
        phases.append([url for pair in mine for url in pair])
    return latency_urls, phases


def bulk_imports():
    """The import row (PostgreSQL only, after everything else: it writes offers)."""
    if connection.vendor != "postgresql":
        return {"skipped": "PostgreSQL only, the production database"}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "retribus.settings"}
    return imports.measure(imports.sizes_from_env(), OUT, env)


def mixed_urls(urls, latency_urls):
    """The mixed row's popular pages: home, the tracks, 30 walk steps of each kind, 40
    offers, 20 providers and 30 searches, each asked again and again by 50 clients."""
    new = {kind: pair["new"] or [] for kind, pair in latency_urls.items()}
    mixed = [*urls["home"], *urls["walk_track"]]
    mixed += new["walk_sector"][:30] + new["walk_region"][:30] + new["offer"][:40]
    mixed += new["provider"][:20] + new["search"][:30]
    return mixed


def over_http(urls, name, args):
    """Everything measured against gunicorn, in one server: per-page latency, the wrk rows,
    the workers' memory, and (PostgreSQL only) writes under load, which changes offers and
    so comes last."""
    samples = env_number("BENCH_HTTP_SAMPLES", 200)
    repeats = env_number("BENCH_HTTP_REPEATS", 100)
    latency_urls, phases = http_urls(urls, samples)
    load_urls = {
        "search_text": urls["search_text"],
        "search_distinct": pages.many_searches(args.distinct_searches),
    }
    with Gunicorn(name) as server:
        result = {
            "latency": latency.measure(server.port, latency_urls, samples=samples, repeats=repeats),
            "load": bracketed_rows(
                server, load_urls, urls["floor"], args.load_seconds, args.connections
            ),
        }
        before = server.errors()
        if connection.vendor != "postgresql":
            result["insights"] = {"skipped": "PostgreSQL only, the production database"}
            result["writes"] = {"skipped": "PostgreSQL only, the production database"}
            result["worker_errors"] = before
            return result
        # The coordinators' dashboard and gap matrix (it saves offers, as the writes do).
        result["insights"] = insights.measure(server.port)
        result["writes"] = writes.measure(
            server.port,
            phases,
            seconds=env_number("BENCH_WRITES_SECONDS", 60, float),
            clients=env_number("BENCH_WRITES_CLIENTS", 8),
            every=env_number("BENCH_SAVE_EVERY", 5, float),
            blocks=env_number("BENCH_WRITES_BLOCKS", 2),
            raw=OUT / f"writes-{name}",
        )
        result["writes"]["worker_rss_mb_after"] = server.largest_worker_mb()
        mixed = mixed_urls(urls, latency_urls)
        warm = Client(server.port)
        for path in mixed * 3:  # both workers' page caches hold the popular pages
            warm.get(path)
        warm.close()
        result["writes_mixed"] = writes.measure(
            server.port,
            [mixed, mixed],
            seconds=env_number("BENCH_WRITES_SECONDS", 60, float),
            clients=env_number("BENCH_MIXED_CLIENTS", 50),
            every=env_number("BENCH_SAVE_EVERY", 5, float),
            blocks=env_number("BENCH_WRITES_BLOCKS", 2),
            raw=OUT / f"writes-mixed-{name}",
            repeat=True,
        )
        result["worker_errors"] = server.errors()
        result["writes"]["worker_errors"] = result["worker_errors"]["count"] - before["count"]
    return result


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
    client = TestClient()
    urls = pages.sample_urls()
    timings = {name: time_page(client, url, args.repetitions) for name, url in urls.items()}
    report = {
        "vendor": connection.vendor,
        "size": args.size,
        "fill_seconds": round(fill_seconds, 1),
        "index_build_seconds": round(index_seconds, 2),
        "cache": "Redis" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "memory",
        "pages": timings,
        **over_http(urls, f"{connection.vendor}-{args.size}", args),
        "import": bulk_imports(),
        "bench_process_max_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
