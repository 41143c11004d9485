"""Per-page latency over HTTP against gunicorn: a URL no cache has seen, and a repeated URL.

For each kind of page the client (one connection, one request at a time) asks

* **new**: ``samples`` different URLs, each once, after 5 others as warm-up: every cache
  (the page cache of both workers, the walk's and the SQL engine's results) misses, while
  the search index and what it keeps (text matches of a word, offers it read) are warm, as
  on a portal in use;
* **repeated**: one URL ``repeats`` times after 20 warm-up requests: served from the page
  cache of whichever worker answers.

The series take turns request by request (one of each, then the next of each …), so that
the other engineers' load on a shared machine falls on all of them alike, and the bare floor
page (``/bench/floor/``, rendered every time, no query) is measured in the same minute.
"""

from .client import Client, summary

# kind → (label, goal for a new URL's median in ms at 100,000 offers, goal for its p95)
KINDS = {
    "search": ("Search page, text + 3 facets", 30, 60),
    "walk_sector": ("Walk: regions of a sector", 15, None),
    "walk_region": ("Walk: offers of a sector in a region", 15, None),
    "offer": ("Offer page", 8, None),
    "provider": ("Provider page", 15, None),
    "api": ("JSON API: offers with 3 facets and their counts (`/api/v1/offers/`)", 30, None),
    "floor": ("Floor: bare 20-row page, never cached (reference)", None, None),
}
WARMUP_NEW = 5
WARMUP_REPEATED = 20


def measure(port, urls, *, samples, repeats):
    """``urls``: kind → {"new": [paths] or None, "repeated": path}. Returns
    kind → {"new": summary or None, "repeated": summary}, see ``client.summary``."""
    client = Client(port)
    series = {}
    try:
        for kind, found in urls.items():
            if found.get("new"):
                for path in found["new"][:WARMUP_NEW]:
                    client.get(path)
                series[(kind, "new")] = found["new"][WARMUP_NEW : WARMUP_NEW + samples]
            for _ in range(WARMUP_REPEATED):
                client.get(found["repeated"])
            series[(kind, "repeated")] = [found["repeated"]] * repeats
        timed = {key: [] for key in series}
        longest = max(len(paths) for paths in series.values())
        for n in range(longest):
            for key, paths in series.items():
                if n < len(paths):
                    timed[key].append(client.get(paths[n]))
    finally:
        client.close()
    result = {}
    for kind, found in urls.items():
        result[kind] = {
            "new": summary(timed[(kind, "new")]) if (kind, "new") in timed else None,
            "repeated": summary(timed[(kind, "repeated")]),
            "repeated_url": found["repeated"],
            "new_example": series[(kind, "new")][0] if (kind, "new") in series else None,
        }
    return result
