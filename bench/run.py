"""Run the benchmark at every size on PostgreSQL and SQLite and write docs/performance.md.

    make bench                    # 1k / 10k / 100k on PostgreSQL, 1k / 10k on SQLite
    BENCH_SIZES=1000 make bench   # a quick run

PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/retribus_bench, created
if missing and wiped). SQLite: a scratch file under bench/out/.
"""

import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

PAGES = [
    ("home", "Home, repeated"),
    ("walk_track", "Walk: sectors of a track, repeated"),
    ("walk_sector", "Walk: regions of a sector, repeated"),
    ("walk_sector_distinct", "Walk: regions of a sector, each sector once"),
    ("walk_region", "Walk: offers in a region, repeated"),
    ("walk_region_distinct", "Walk: offers in a region, each region once"),
    ("search_text", "Search: text + 3 facets, same URL repeated"),
    ("search_text_distinct", "Search: text + 3 facets, each search once"),
    ("search_facets", "Search: 3 facets, no text, same URL repeated"),
    ("search_facets_distinct", "Search: 3 facets, no text, each search once"),
    ("offer", "Offer page, repeated"),
    ("offer_distinct", "Offer page, each offer once"),
    ("provider", "Provider page (biggest provider), repeated"),
    ("provider_distinct", "Provider page, 40 of the 45 biggest providers each once"),
    ("floor", "Floor: bare 20-row page"),
]


THROUGHPUT = {
    "search_text": "search page, one URL asked again and again (text + 3 facets)",
    "search_distinct": "search page, every request a different search",
}


def throughput(load, name, floor):
    page = load.get(name)
    if not page or not page.get("rps"):
        return f"{THROUGHPUT[name]}: not measured"
    share = 100 * page["rps"] / floor["rps"] if floor.get("rps") else 0
    text = (
        f"{THROUGHPUT[name]} {page['rps']:.0f} req/s (p50 {page.get('p50')}, "
        f"p99 {page.get('p99')}) = **{share:.0f} %** of the floor"
    )
    if "distinct_paths" in page:
        text += f" ({page.get('requests', 0):,} requests over {page['distinct_paths']:,} searches"
        if page.get("requests", 0) > page["distinct_paths"]:
            text += ", so some asked twice"
        text += ")"
    return text


def fresh_pg_database(url):
    """Drop and create the benchmark database, so that migrations seed it as in production."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_one(database_url, size):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(64)}
    env.pop("DEBUG", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    result = subprocess.run(
        [sys.executable, "-m", "bench.measure", "--size", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def render(reports, load_before):
    lines = [
        START,
        "## Benchmark (`make bench`)",
        "",
        f"Run {datetime.date.today().isoformat()} on {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Command: `make bench` (sizes via `BENCH_SIZES`). "
        f"Load average before the run: {load_before:.1f}.",
        "Server time is measured in-process through the whole Django stack (middleware, URL "
        "resolving, view, templates; production settings, DEBUG off) with Django's test client, "
        "warm: 40 repetitions after 5 warm-up requests, or 40 different URLs after 5 others "
        "where a row says “each … once”: a repeated URL is served from the page cache that "
        "the catalogue version invalidates (`offers/page_cache.py`), so only the “each … once” "
        "rows show what rendering a page costs. Throughput: gunicorn with 2 workers on "
        "loopback, wrk closed loop (2 threads, 8 connections, 10 s per row), either one URL "
        "or a list of different searches asked a URL at a time (`bench/rotate.lua`).",
        "",
    ]
    for report in reports:
        lines += [
            f"### {report['size']:,} offers on {report['vendor']} "
            f"(filled in {report['fill_seconds']} s, search index built in "
            f"{report['index_build_seconds']} s)",
            "",
            "| page | median ms | p95 ms | cold median ms² | SQL queries¹ | KiB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for key, label in PAGES:
            page = report["pages"][key]
            lines.append(
                f"| {label} (`{page['url']}`) | {page['median_ms']} | {page['p95_ms']} | "
                f"{page.get('cold_median_ms', '–')} | {page['queries']} | {page['bytes'] // 1024} |"
            )
        lines += [
            "",
            "¹ Counted on one more request of the row's first URL after the warm-up with the "
            "cache emptied, so it is what rendering the page costs (a page served from the page "
            "cache costs one query: the catalogue version).",
            "² Each of 15 requests after emptying every cache (pages, the walk's counts, the "
            "SQL engine's results) and the offers the search index keeps for result pages: what "
            "the first visitor after a catalogue write waits for once the worker has rebuilt its "
            "index (the build time is in the heading; until then the worker answers from SQL, "
            "see “Known limits”).",
        ]
        load = report["load"]
        if "skipped" in load:
            lines += ["", f"Throughput: skipped ({load['skipped']})."]
        else:
            floor = load["floor"]
            lines += [
                "",
                f"Throughput (gunicorn, 2 workers): floor page {floor['rps']:.0f} req/s; "
                + "; ".join(throughput(load, name, floor) for name in THROUGHPUT)
                + f". Largest gunicorn worker: **{load['worker_rss_mb']:.0f} MB** RSS.",
            ]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_doc(section):
    text = DOC.read_text() if DOC.exists() else "# Performance\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


def main():
    load_before = os.getloadavg()[0]
    if "--render-only" in sys.argv:  # rewrite the document from the last run's reports
        saved = json.loads((OUT / "reports.json").read_text())
        write_doc(render(saved["reports"], saved["load_before"]))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/retribus_bench")
    reports = []
    for size in sizes:
        print(f"bench: PostgreSQL, {size} offers", flush=True)
        fresh_pg_database(pg_url)
        reports.append(run_one(pg_url, size))
        if size <= 10_000:
            print(f"bench: SQLite, {size} offers", flush=True)
            sqlite = OUT / f"bench-{size}.sqlite3"
            sqlite.unlink(missing_ok=True)
            reports.append(run_one(f"sqlite:///{sqlite}", size))
    (OUT / "reports.json").write_text(
        json.dumps({"reports": reports, "load_before": load_before}, indent=2)
    )
    write_doc(render(reports, load_before))
    print(f"bench: wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
