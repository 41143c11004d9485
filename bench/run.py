"""Run the benchmark at every size on PostgreSQL and SQLite and write docs/performance.md.

    make bench                    # 1k / 10k / 100k on PostgreSQL, 1k / 10k on SQLite
    BENCH_SIZES=1000 make bench   # a quick run

PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/retribus_bench, created
if missing and wiped). SQLite: a scratch file under bench/out/.

Each size is measured in-process (Django's test client, bench/measure.py), then over HTTP
against gunicorn: per-page latency (bench/latency.py), wrk throughput, and on PostgreSQL
writes under load (bench/writes.py). Shorter or smaller runs through the environment:
BENCH_WRITES_SECONDS (60 per row), BENCH_WRITES_BLOCKS (2 per row), BENCH_SAVE_EVERY (5 s),
BENCH_WRITES_CLIENTS (8), BENCH_HTTP_SAMPLES (200 new URLs per page) and BENCH_HTTP_REPEATS
(100 of a repeated URL).
`python -m bench.run --render-only` writes the document again from bench/out/reports.json.
"""

import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path

from bench.latency import KINDS

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


def floor_runs(floor):
    """The floor's runs around the rows, for a report that has them."""
    if not floor.get("runs"):
        return ""
    runs = ", ".join(f"{rps:.0f}" for rps in floor["runs"])
    count = len(floor["runs"])
    return f" (mean of {count} runs, one before the first page and one after each: {runs})"


def throughput(load, name, floor):
    page = load.get(name)
    if not page or not page.get("rps"):
        return f"{THROUGHPUT[name]}: not measured"
    around = page.get("floor_rps") or floor.get("rps")  # the floor runs just before and after
    share = 100 * page["rps"] / around if around else 0
    text = (
        f"{THROUGHPUT[name]} {page['rps']:.0f} req/s (p50 {page.get('p50')}, "
        f"p99 {page.get('p99')}) = **{share:.0f} %** of the floor around it ({around:.0f} req/s)"
    )
    if "distinct_paths" in page:
        text += f" ({page.get('requests', 0):,} requests over {page['distinct_paths']:,} searches"
        if page.get("requests", 0) > page["distinct_paths"]:
            text += ", so some asked twice"
        text += ")"
    return text


def ms(value):
    return "–" if value is None else f"{value:,}"


def count(value):
    return "–" if value is None else f"{value:g}"


def verdict(ok):
    return "yes" if ok else "**no**"


def latency_table(report):
    """Per-page latency over HTTP: a new URL and a repeated one, beside the floor page."""
    found = report.get("latency")
    if not found:
        return ["", "Over HTTP: not measured."]
    floor = found["floor"]["repeated"]["median_ms"]
    lines = [
        "",
        f"Over HTTP, one request at a time (gunicorn, 2 sync workers; {report['size']:,} "
        "offers); ms, client time unless it says server:",
        "",
        "| page | goal, new URL (100k) | new URL: median / p95 | server median / p95 (CPU) | "
        "× floor³ | queries | n | met? | repeated URL: median / p95 | server median (CPU) |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for kind, (label, goal, goal_p95) in KINDS.items():
        page = found.get(kind)
        if page is None:
            continue
        new, repeated = page["new"], page["repeated"]
        goal_text = (
            "–" if goal is None else f"≤ {goal}" + (f", p95 ≤ {goal_p95}" if goal_p95 else "")
        )
        if new:
            met = goal is not None and new["median_ms"] is not None and new["median_ms"] <= goal
            if goal_p95 is not None:
                met = met and new["p95_ms"] is not None and new["p95_ms"] <= goal_p95
            ratio = f"{new['median_ms'] / floor:.1f}" if floor and new["median_ms"] else "–"
            new_cells = (
                f"{ms(new['median_ms'])} / {ms(new['p95_ms'])} | "
                f"{ms(new['server_median_ms'])} / {ms(new['server_p95_ms'])} "
                f"({ms(new.get('server_cpu_median_ms'))}) | {ratio} | "
                f"{count(new['queries_median'])} | {new['n']}"
                + (f" ({new['errors']} failed)" if new["errors"] else "")
                + f" | {verdict(met) if goal is not None else '–'}"
            )
            example = f" (e.g. `{page['new_example']}`; repeated: `{page['repeated_url']}`)"
        else:
            new_cells = "– | – | 1.0 | – | – | –"
            example = f" (`{page['repeated_url']}`)"
        lines.append(
            f"| {label}{example} | {goal_text} | {new_cells} | "
            f"{ms(repeated['median_ms'])} / {ms(repeated['p95_ms'])} | "
            f"{ms(repeated['server_median_ms'])} ({ms(repeated.get('server_cpu_median_ms'))}) |"
        )
    lines += [
        "",
        "³ The new URL's median client time divided by the floor page's, both from the same "
        "minute: steadier than milliseconds when other work shares the machine. Server: "
        "Django's wall time (middleware included), in brackets the median CPU time of the "
        "request's thread; the difference is waiting (database, a busy CPU). n: timed "
        "requests (fewer where the catalogue has fewer such pages). queries: median per "
        "request, counted by the bench middleware.",
    ]
    return lines


SLOW = "over 1 s"


def mixed_table(report):
    """The mixed row: 50 clients of popular pages, with and without a save every 5 s."""
    found = report.get("writes_mixed")
    if not found or "without_writes" not in found:
        return []
    without, with_writes = found["without_writes"], found["with_writes"]
    share = found["throughput_share"]
    lines = [
        "",
        f"Mixed public pages under writes: {found['clients']} clients asking 180 popular pages "
        "(home, tracks, walk steps, offers, providers, searches) round and round, "
        f"{found['seconds']:g} s per row in {found.get('blocks', 1)} alternating blocks:",
        "",
        "| situation | req/s | p50 | p99 | max | page-cache hits | server max | requests |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in (
        ("no writes", without),
        (
            f"one offer saved every {found['save_every']:g} s ({with_writes['saves']} saves)",
            with_writes,
        ),
    ):
        lines.append(
            f"| {label} | {row['rps']:,} | {ms(row['p50_ms'])} | {ms(row['p99_ms'])} | "
            f"{ms(row['max_ms'])} | {ms(row.get('cache_hit_share'))} % | "
            f"{ms(row['server_max_ms'])} | {row['n']:,} |"
        )
    lines += [
        "",
        f"Throughput with saves: **{ms(share)} %** of without (goal ≥ 80 %: "
        f"{verdict(share is not None and share >= 80)}).",
    ]
    return lines


def writes_table(report):
    """Writes under load: throughput and tails with and without a save every few seconds."""
    found = report.get("writes")
    if not found:
        return []
    if "skipped" in found:
        return ["", f"Writes under load: skipped ({found['skipped']})."]
    without, with_writes = found["without_writes"], found["with_writes"]
    lines = [
        "",
        f"Writes under load: {found['clients']} clients, each request a different search or "
        f"walk step, {found['seconds']:g} s per row in {found.get('blocks', 1)} blocks that "
        "alternate with the other row's; ms, client time unless it says server:",
        "",
        f"| situation | req/s | p50 | p99 | max | requests {SLOW} | server max / CPU max | "
        f"server {SLOW} | requests |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [
        ("no writes", without),
        (
            f"one offer saved every {found['save_every']:g} s ({with_writes['saves']} saves, "
            f"median save {ms(with_writes['save_median_ms'])} ms"
            + (f", {len(with_writes['save_errors'])} failed" if with_writes["save_errors"] else "")
            + ")",
            with_writes,
        ),
    ]
    for label, row in rows:
        lines.append(
            f"| {label} | {row['rps']:,} | {ms(row['p50_ms'])} | {ms(row['p99_ms'])} | "
            f"{ms(row['max_ms'])} | {row['over_1s']} ({row['over_1s_share']} %) | "
            f"{ms(row['server_max_ms'])} / {ms(row.get('server_cpu_max_ms'))} | "
            f"{row['server_over_1s']} | {row['n']:,}"
            + (f", {row['errors']} failed" if row["errors"] else "")
            + (", URLs used up" if row["ran_out_of_urls"] else "")
            + (f", {row['while_building']} during an index build" if row["while_building"] else "")
            + " |"
        )
    share = found["throughput_share"]
    rss = found.get("worker_rss_mb_after")
    lines += [
        "",
        "| goal (issue 13) | measured | met? |",
        "|---|---|---|",
        f"| throughput with saves ≥ 80 % of without | {ms(share)} % | "
        f"{verdict(share is not None and share >= 80)} |",
        f"| p99 with saves ≤ 1 s | {ms(with_writes['p99_ms'])} ms | "
        f"{verdict(with_writes['p99_ms'] is not None and with_writes['p99_ms'] <= 1000)} |",
        f"| no request {SLOW} of server time | {with_writes['server_over_1s']} (max "
        f"{ms(with_writes['server_max_ms'])} ms) | {verdict(with_writes['server_over_1s'] == 0)} |",
        f"| largest worker after the writes ≤ 300 MB | {ms(rss)} MB | "
        f"{verdict(rss is not None and rss <= 300)} |",
        "",
        f"Right after a save (requests sent within 2 s of a commit, {with_writes['after_save_n']} "
        f"of them): p99 {ms(with_writes['after_save_p99_ms'])} ms, max "
        f"{ms(with_writes['after_save_max_ms'])} ms. Requests after which their worker had "
        "another index (the first each worker answered after a commit, which patches it, or "
        f"one during which a background build finished): {with_writes.get('patching_n', 0)}, "
        "server median "
        f"{ms(with_writes.get('patching_server_median_ms'))} ms, max "
        f"{ms(with_writes.get('patching_server_max_ms'))} ms. Errors the workers logged during "
        f"these two rows: {found.get('worker_errors', '–')}. Every request and save: "
        "`bench/out/writes-*.jsonl`; requests over 500 ms of server time with their slowest "
        "queries: `bench/out/slow-*.jsonl`.",
    ]
    return lines


def worker_errors_line(report):
    found = report.get("worker_errors")
    if found is None:
        return "Errors logged by the gunicorn workers: not recorded."
    if not found["count"]:
        return f"Errors logged by the gunicorn workers: none (`{found['log']}`)."
    kinds = "; ".join(f"`{kind}`" for kind in found["kinds"])
    return (
        f"Errors logged by the gunicorn workers: **{found['count']}** (`{found['log']}`): {kinds}."
    )


def import_line(report):
    """The import row: 1,000 and 10,000 new offers from a CSV, imported outside the web."""
    goal = "goal: 1,000 offers ≤ 10 s, 10,000 ≤ 60 s, never inside a web request"
    found = report.get("import") or {}
    if not found or "skipped" in found:
        return f"import: not measured ({found.get('skipped', 'not run')}; {goal})."
    parts = []
    for rows, row in found.items():
        limit = 10 if int(rows) <= 1000 else 60
        if not row["written"]:
            parts.append(f"{int(rows):,} offers: **failed** ({row['error']})")
            continue
        seconds = row["import_seconds"]
        parts.append(
            f"{int(rows):,} offers: **{seconds:.1f} s** ({row['queries']:,} queries, "
            f"{row['new']:,} new; {verdict(seconds <= limit)})"
        )
    return (
        "Import of a CSV of new offers with `manage.py import_offers` (the background job's "
        f"check and bulk write, outside any web request; {goal}): " + "; ".join(parts) + "."
    )


def insights_line(report):
    """The coordinators' dashboard and gap matrix, as a coordinator logged in sees them."""
    goal = "goal: dashboard ≤ 500 ms, gap matrix ≤ 200 ms"
    found = report.get("insights") or {}
    if not found or "skipped" in found:
        return f"Coordinators' dashboard: not measured ({found.get('skipped', 'not run')}; {goal})."
    cold = found["dashboard_after_write"]["median_ms"]
    warm = found["dashboard_repeated"]["median_ms"]
    matrix = found["gap_matrix"]["median_ms"]
    filtered = found["dashboard_filtered"]["median_ms"]
    return (
        f"Coordinators' dashboard (median, logged in as Koordination; {goal}): dashboard "
        f"just after a catalogue write **{cold:.0f} ms** ({verdict(cold <= 500)}), repeated "
        f"{warm:.0f} ms; gap matrix for {found['gap_matrix']['n']} different filter "
        f"combinations **{matrix:.0f} ms** ({verdict(matrix <= 200)}); the whole dashboard "
        f"with those filters {filtered:.0f} ms."
    )


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
        stdout=subprocess.PIPE,  # the report; warnings and errors go to the console
        text=True,
    )
    return json.loads(result.stdout)


def print_summary(report):
    """The run's headline numbers on the console as each database and size is done."""
    where = f"bench: {report['size']:,} offers on {report['vendor']}"
    for kind, page in report.get("latency", {}).items():
        new = page["new"] or {}
        print(
            f"{where}: {kind} new URL median {ms(new.get('median_ms'))} ms "
            f"(p95 {ms(new.get('p95_ms'))}), repeated {ms(page['repeated']['median_ms'])} ms",
            flush=True,
        )
    found = report.get("writes", {})
    if "with_writes" in found:
        row = found["with_writes"]
        print(
            f"{where}: writes under load {found['without_writes']['rps']} → {row['rps']} req/s "
            f"({found['throughput_share']} %), p99 {row['p99_ms']} ms, max {row['max_ms']} ms, "
            f"server max {row['server_max_ms']} ms",
            flush=True,
        )
    print(import_line(report), flush=True)
    print(insights_line(report), flush=True)


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
        "or a list of different searches asked a URL at a time (`bench/rotate.lua`); the "
        "floor page is run before the first row and after each, and a row is compared with "
        "the mean of the floor runs just before and after it (this machine's speed drifts "
        "by a third within a minute).",
        "",
        "Over HTTP (issue 13): the same gunicorn (`bench.wsgi`: production settings plus the "
        "floor page and a bench-only middleware that reports Django's own time in a "
        "`Server-Timing` header, `bench/timing.py`; 2 sync workers, access log to a file, both "
        "workers' search index built before timing) answers a Python client on loopback "
        "(`bench/latency.py`): one request at a time, each kind of page by turns with the "
        "floor page, so all share the same minute of the machine. *New URL*: every request a "
        "URL no cache has seen (after 5 others as warm-up); *repeated*: one URL again and "
        "again (after 20 warm-up requests), served from the page cache. Client time includes "
        "the TCP connect (sync workers close every connection, as behind the proxy); server "
        "time is Django's, middleware included. Writes under load (`bench/writes.py`, "
        "PostgreSQL only): 8 client threads ask all-different searches and walk steps "
        "(offers of a sector in a region) by turns, closed loop, without writes and while a "
        "separate process (`bench/writer.py`) saves one published offer (title or upper "
        "grade, validated, with its history row, committed) every 5 s, in alternating blocks. "
        "Goals are issue 13's, set for 100,000 offers; smaller sizes should meet them with "
        "room to spare.",
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
        lines += latency_table(report)
        load = report["load"]
        if "skipped" in load:
            lines += ["", f"Throughput: skipped ({load['skipped']})."]
        else:
            floor = load["floor"]
            lines += [
                "",
                f"Throughput (gunicorn, 2 workers): floor page {floor['rps']:.0f} req/s"
                + floor_runs(floor)
                + "; "
                + "; ".join(throughput(load, name, floor) for name in THROUGHPUT)
                + f". Largest gunicorn worker: **{load['worker_rss_mb']:.0f} MB** RSS.",
            ]
        lines += writes_table(report)
        lines += mixed_table(report)
        lines += ["", worker_errors_line(report)]
        lines += ["", import_line(report)]
        lines += ["", insights_line(report)]
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
        print_summary(reports[-1])
        if size <= 10_000:
            print(f"bench: SQLite, {size} offers", flush=True)
            sqlite = OUT / f"bench-{size}.sqlite3"
            sqlite.unlink(missing_ok=True)
            reports.append(run_one(f"sqlite:///{sqlite}", size))
            print_summary(reports[-1])
    (OUT / "reports.json").write_text(
        json.dumps({"reports": reports, "load_before": load_before}, indent=2)
    )
    write_doc(render(reports, load_before))
    print(f"bench: wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
