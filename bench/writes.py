"""Writes under load: 8 clients of all-different searches and walk pages against gunicorn,
without writes and with one offer saved every 5 s by a separate process (bench/writer.py),
as a coordinator's saves in the admin.

Each client is a thread with its own connection that asks the next URL of a shared list as
soon as its previous answer arrived (closed loop); no URL is asked twice in the whole run,
and the two rows take their URLs from the same shuffled lists by turns, so both get the
same kinds of page. Each row's time is cut into blocks that alternate (without, with,
without, with …; 2 blocks each by default), so that other work starting or stopping on a
shared machine falls on both rows alike. A block ends after its seconds (the requests then
running are waited for, up to the client's 30 s timeout) or when its row's URLs are used up.
"""

import dataclasses
import json
import os
import select
import statistics
import subprocess
import sys
import threading
import time

from .client import ROOT, Client, percentile, summary

SLOW_MS = 1000  # the line: no request over 1 s
AFTER_SAVE_SECONDS = 2  # "right after a save": requests sent within this long after a commit


class Feed:
    """The URLs of one row, handed out one at a time to the clients of all its blocks."""

    def __init__(self, paths):
        self.paths = paths
        self.position = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            if self.position >= len(self.paths):
                return None
            self.position += 1
            return self.paths[self.position - 1]

    @property
    def used_up(self):
        return self.position >= len(self.paths)


class Cycle(Feed):
    """Popular pages asked again and again (the mixed row): the URLs in turn, round and
    round, so that the page cache's hits, and what a save leaves of them, are measured."""

    used_up = False

    def next(self):
        with self.lock:
            self.position += 1
            return self.paths[(self.position - 1) % len(self.paths)]


def run_clients(port, feed, *, seconds, clients):
    """Closed-loop load for one block; returns (samples, elapsed seconds)."""
    lock = threading.Lock()
    samples = []
    deadline = time.monotonic() + seconds

    def loop():
        client = Client(port)
        mine = []
        try:
            while time.monotonic() < deadline:
                path = feed.next()
                if path is None:
                    break
                mine.append(client.get(path))
        finally:
            client.close()
            with lock:
                samples.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=loop, name=f"bench-client-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.monotonic() - started


def phase_report(samples, elapsed, ran_out):
    """Throughput and latency of one phase. A failed request (an error status or no answer
    within the client's 30 s) counts in the latencies with the time it took."""
    every = [s.ms for s in samples]
    answered = [s for s in samples if s.status == 200 and s.queries is not None]
    report = summary(samples)
    slow = sum(ms > SLOW_MS for ms in every)
    report.update(
        rps=round(sum(s.status == 200 for s in samples) / elapsed, 1) if elapsed else 0,
        seconds=round(elapsed, 1),
        p50_ms=_ms(percentile(every, 0.5)),
        p99_ms=_ms(percentile(every, 0.99)),
        max_ms=_ms(max(every)) if every else None,
        over_1s=slow,
        over_1s_share=round(100 * slow / len(every), 1) if every else None,
        server_over_1s=sum((s.server_ms or 0) > SLOW_MS for s in samples),
        ran_out_of_urls=ran_out,
        # A page from the page cache costs one query (the catalogue token).
        cache_hit_share=round(100 * sum(s.queries == 1 for s in answered) / len(answered), 1)
        if answered
        else None,
    )
    return report


def _ms(value):
    return None if value is None else round(value, 1)


def start_writer(every, seconds):
    """The writer process, once it said it is ready (Django set up, offers chosen)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "bench.writer", "--every", str(every), "--seconds", str(seconds)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([writer.stdout], [], [], 60)
    line = writer.stdout.readline() if ready else ""
    if not line.strip().startswith("{"):
        writer.kill()
        writer.wait(timeout=10)
        raise RuntimeError("the writer process did not start")
    return writer


def finish_writer(writer):
    """The writer's saves (it stops by itself after its seconds; killed if it hangs)."""
    try:
        out, _ = writer.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        writer.kill()
        out, _ = writer.communicate(timeout=10)
    return [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]


def dump(path, samples, saves):
    """Every request and save of a phase, one JSON object a line, for a closer look."""
    with open(path, "w") as out:
        for sample in sorted(samples, key=lambda s: s.started):
            out.write(json.dumps(dataclasses.asdict(sample)) + "\n")
        for save in saves:
            out.write(json.dumps({"save": save}) + "\n")


def measure(port, phases, *, seconds, clients, every, blocks=2, raw=None, repeat=False):
    """Both rows; ``phases``: the URLs of the row without and of the one with writes;
    ``seconds`` per row, in ``blocks`` blocks that alternate with the other row's.
    ``repeat``: the URLs are asked round and round (popular pages) instead of once each."""
    kind = Cycle if repeat else Feed
    feeds = [kind(phases[0]), kind(phases[1])]
    block = seconds / blocks
    without_samples, with_samples, saves = [], [], []
    without_elapsed = with_elapsed = 0.0
    for _ in range(blocks):
        samples, elapsed = run_clients(port, feeds[0], seconds=block, clients=clients)
        without_samples += samples
        without_elapsed += elapsed
        writer = start_writer(every, block)
        try:
            samples, elapsed = run_clients(port, feeds[1], seconds=block, clients=clients)
        finally:
            saves += finish_writer(writer)
        with_samples += samples
        with_elapsed += elapsed
    without = phase_report(without_samples, without_elapsed, feeds[0].used_up)
    with_writes = phase_report(with_samples, with_elapsed, feeds[1].used_up)
    if raw:
        dump(f"{raw}-without.jsonl", without_samples, [])
        dump(f"{raw}-with.jsonl", with_samples, saves)
    done = [save for save in saves if "error" not in save]
    commits = [save["at"] for save in done]
    after = [
        s.ms
        for s in with_samples
        if s.status == 200 and any(0 <= s.started - at < AFTER_SAVE_SECONDS for at in commits)
    ]
    patching = [s.server_ms for s in with_samples if s.index_changed and s.server_ms is not None]
    with_writes.update(
        patching_n=len(patching),
        patching_server_median_ms=_ms(statistics.median(patching)) if patching else None,
        patching_server_max_ms=_ms(max(patching)) if patching else None,
        saves=len(done),
        save_errors=[save["error"] for save in saves if "error" in save],
        save_median_ms=round(statistics.median(s["ms"] for s in done), 1) if done else None,
        after_save_n=len(after),
        after_save_p99_ms=_ms(percentile(after, 0.99)),
        after_save_max_ms=_ms(max(after)) if after else None,
    )
    share = 100 * with_writes["rps"] / without["rps"] if without["rps"] else None
    return {
        "clients": clients,
        "seconds": seconds,
        "blocks": blocks,
        "save_every": every,
        "without_writes": without,
        "with_writes": with_writes,
        "throughput_share": round(share) if share is not None else None,
    }
