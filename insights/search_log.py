"""The anonymous log of public searches: what was asked, with which filters, and how many
offers it found, counted per day (``models.SearchCount``).

Recording must cost the search page nothing it would notice and must never break it, so a
search only adds to a counter in this worker's memory (a dict under a lock, well under a
microsecond's work beyond reading the query string); a thread of the worker writes the
counters in one statement per batch every ``SEARCH_LOG_FLUSH_SECONDS`` or sooner once
``FLUSH_AT`` searches wait. The buffer is bounded: when the database is down and it fills,
further searches are dropped, not queued, and the failure is logged once per outage.

What is kept: the words (as the page searched them, lower case), the filters (facet
parameters in canonical order), the number of results and the day. Not kept: address,
session, cookie, browser, referrer, time of day, the page of results or the sort order.

The number of results comes from the ``X-Result-Count`` header the search view sets on its
response. The page cache stores a response with its headers, so a page served from the
cache carries the same number; it is the same for every visitor, so it may be stored. The
header is taken off before the response leaves the worker.
"""

import atexit
import contextlib
import datetime
import logging
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from offers import page_cache
from offers.search import facets
from offers.search.text import clean_query

from .models import SearchCount

logger = logging.getLogger(__name__)

RESULT_HEADER = "X-Result-Count"
# Distinct (day, words, filters) kept in memory at most; more are dropped until a flush.
MAX_PENDING = 5000
# This many searches waiting wake the writer before its interval is up.
FLUSH_AT = 500
MAX_WORDS = 200
MAX_FILTERS = 500
MAX_VALUE = 60


class _Buffer:
    lock = threading.Lock()
    pending = {}  # (day, words, filters) -> [searches, results]
    waiting = 0
    dropped = 0
    wake = threading.Event()
    thread = None
    failing = False


def _search_paths():
    """The search page's path in every language (``/suche/``, ``/en/suche/``)."""
    paths = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            paths.add(reverse("offers:search"))
    return paths


_PATHS = None
_NAMES = None
_TODAY = [0.0, None]  # (monotonic time to look again, the local date)


def _today():
    """The local date, looked up at most every few seconds: converting the time to the
    local zone is the dearest step of recording a search."""
    now = time.monotonic()
    if now >= _TODAY[0]:
        _TODAY[:] = [now + 5, timezone.localdate()]
    return _TODAY[1]


def normalized(query_dict):
    """(words, filters) of a search's query string, as stored; None for a page other than
    the first (turning pages is not a new search)."""
    if query_dict.get("page", "1") not in ("", "1"):
        return None
    words = clean_query(query_dict.get("q", ""), limit=MAX_WORDS).lower()
    global _NAMES
    if _NAMES is None:
        _NAMES = frozenset(facet.name for facet in facets.registered())
    names = _NAMES
    pairs = sorted(
        (name, value[:MAX_VALUE])
        for name in query_dict
        if name in names
        for value in query_dict.getlist(name)
        if value
    )
    return words, urlencode(pairs)[:MAX_FILTERS]


def record(request, response):
    """``page_cache.per_request`` hook: count a first page of search results."""
    global _PATHS
    count = response.get(RESULT_HEADER)
    if count is None:
        return
    del response[RESULT_HEADER]
    try:
        if _PATHS is None:
            _PATHS = _search_paths()
        if request.method != "GET" or request.path not in _PATHS or response.status_code != 200:
            return
        search = normalized(request.GET)
        if search is None:
            return
        add(_today(), *search, int(count))
    except Exception:  # never break the page for a statistic
        logger.exception("recording a search failed")


page_cache.per_request(record)


def add(day, words, filters, results):
    """Count one search in this worker's buffer (and start the writer if needed)."""
    key = (day, words, filters)
    with _Buffer.lock:
        entry = _Buffer.pending.get(key)
        if entry is not None:
            entry[0] += 1
            entry[1] = results
        elif len(_Buffer.pending) < MAX_PENDING:
            _Buffer.pending[key] = [1, results]
        else:
            _Buffer.dropped += 1
            return
        _Buffer.waiting += 1
        wake = _Buffer.waiting >= FLUSH_AT
    if wake:
        _Buffer.wake.set()
    if _Buffer.thread is None and settings.SEARCH_LOG_FLUSH_SECONDS > 0:
        _start_writer()


def _start_writer():
    with _Buffer.lock:
        if _Buffer.thread is not None:
            return
        _Buffer.thread = threading.Thread(target=_write_forever, name="search-log", daemon=True)
    _Buffer.thread.start()


def _write_forever():
    while settings.SEARCH_LOG_FLUSH_SECONDS > 0:  # 0: switched off (the tests)
        _Buffer.wake.wait(settings.SEARCH_LOG_FLUSH_SECONDS)
        _Buffer.wake.clear()
        try:
            flush()
        finally:
            connections.close_all()  # this thread's own connections only
    with _Buffer.lock:
        _Buffer.thread = None


UPSERT = (
    "INSERT INTO {table} (day, words, filters, results, searches) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (day, words, filters) DO UPDATE SET "
    "searches = {table}.searches + excluded.searches, results = excluded.results"
)


def flush():
    """Write the buffered counts in one batch; on failure they are dropped and the failure
    logged once until a write succeeds again. Returns the number of rows written."""
    with _Buffer.lock:
        batch, _Buffer.pending, _Buffer.waiting = _Buffer.pending, {}, 0
    if not batch:
        return 0
    try:
        write(batch)
    except Exception:
        if not _Buffer.failing:
            logger.warning("writing the search log failed; counts dropped", exc_info=True)
        _Buffer.failing = True
        return 0
    _Buffer.failing = False
    return len(batch)


def write(batch):
    """Add ``batch`` ({(day, words, filters): [searches, results]}) to the table, in one
    transaction. In the order of the table's unique key: every worker's batch then locks the
    rows it shares with another's in the same order, so two writers wait, never deadlock."""
    rows = [
        (day, words, filters, results, searches)
        for (day, words, filters), (searches, results) in sorted(batch.items())
    ]
    table = connection.ops.quote_name(SearchCount._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(UPSERT.format(table=table), rows)


def reset():
    """Forget what waits in the buffer and the date looked up last (tests: the test before
    may have run on another day's clock)."""
    with _Buffer.lock:
        _Buffer.pending, _Buffer.waiting, _Buffer.dropped = {}, 0, 0
    _TODAY[:] = [0.0, None]


def pending():
    """What waits in the buffer: {(day, words, filters): [searches, results]} (tests)."""
    with _Buffer.lock:
        return {key: list(value) for key, value in _Buffer.pending.items()}


@atexit.register
def _flush_at_exit():
    if _Buffer.thread is not None:
        with contextlib.suppress(Exception):  # the process is going anyway
            flush()


def keep_from(today=None):
    """The first day kept: the same day a year ago (28 February for a 29th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return datetime.date(today.year - 1, 2, 28)


def prune(*, today=None):
    """Delete the counts of days more than 12 months ago; returns how many rows went."""
    deleted, _ = SearchCount.objects.filter(day__lt=keep_from(today)).delete()
    return deleted
