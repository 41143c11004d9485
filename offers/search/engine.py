"""Which engine answers a request, and this worker's index.

Every request reads ``CatalogVersion`` (one indexed row that database triggers replace on
every catalogue write). An index answers only for the token it was built at. When the token
has changed, the worker starts building a new index in a background thread and answers with
the SQL engine (correct, slower) until the new index is swapped in, so no request ever sees
stale data and none waits for a build. Inside a transaction (tests, atomic requests) the
build runs in-line, since another thread could not see the uncommitted data.
"""

import logging
import threading
import time

from django.db import connection, connections

from offers.models import CatalogVersion

from .index import SearchIndex
from .sql import CachedSearch

logger = logging.getLogger(__name__)

# After a rebuild, this many of the old index's most recent text queries are matched again.
WARM_QUERIES = 8
# After a failed build, the worker answers from SQL this long before it tries again.
RETRY_AFTER_FAILURE_SECONDS = 30


class _State:
    """This worker's index and whether a build is running."""

    lock = threading.Lock()
    index = None
    building = False
    thread = None
    failed_at = None  # time.monotonic() of the last failed build


def _build_in_background():
    try:
        try:
            index = SearchIndex.build()
        except Exception:
            logger.exception("building the search index failed")
            _State.failed_at = time.monotonic()
            return
        with _State.lock:
            previous, _State.index = _State.index, index
        _State.failed_at = None
        # Popular words stay fast across catalogue changes.
        for query in previous.text_queries()[-WARM_QUERIES:] if previous else []:
            index.text_match(query)
    except Exception:
        logger.exception("matching the recent searches again failed")
    finally:
        with _State.lock:
            _State.building = False
        connections.close_all()


def _start_build():
    """Start a background build unless one runs or the last one failed a moment ago."""
    failed = _State.failed_at
    if failed is not None and time.monotonic() - failed < RETRY_AFTER_FAILURE_SECONDS:
        return
    with _State.lock:
        start = not _State.building
        _State.building = True
    if start:
        _State.thread = threading.Thread(
            target=_build_in_background, name="search-index", daemon=True
        )
        _State.thread.start()


def current_index_or_start_build(version):
    """This worker's index if it describes catalogue ``version`` (just read by the caller),
    else None – and then, outside a transaction, a build of the new index starts in the
    background."""
    if version is None:
        return None
    index = _State.index
    if index is not None and index.version == version:
        return index
    if connection.in_atomic_block:
        return None  # a build could not see this transaction's writes; see engine()
    if index is not None and CatalogVersion.current() == index.version:
        # ``version`` was read just before another request installed the newer index: the
        # index is current, and holds no older data than asked for.
        return index
    _start_build()
    return None


def engine(version=None):
    """The engine for one request: the index when it describes the committed catalogue,
    otherwise the SQL engine while this worker builds the new index. Inside a transaction
    the index is built in-line, since another thread could not see the uncommitted data.
    ``version``: the catalogue token when the caller has just read it."""
    if version is None:
        version = CatalogVersion.current()
    index = current_index_or_start_build(version)
    if index is not None:
        return index
    if version is not None and connection.in_atomic_block:
        index = SearchIndex.build()
        _State.index = index
        if index.version == version:
            return index
    return CachedSearch(version)


def wait_for_build(timeout=60):
    """Wait for this worker's background build, if one runs (tests and benchmarks)."""
    thread = _State.thread
    if thread is not None:
        thread.join(timeout)


def reset():
    """Forget this worker's index after any running build has finished (tests)."""
    wait_for_build()
    with _State.lock:
        _State.index = None
        _State.failed_at = None
