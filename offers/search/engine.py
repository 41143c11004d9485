"""Which engine answers a request, and this worker's index.

Every request reads ``CatalogVersion`` (one indexed row that database triggers replace on
every catalogue write). An index answers only for the token it was built or patched at.
When the token has changed, the worker reads the change log since its index and patches
just the offers it names (``patching.py``, milliseconds), in one snapshot of the database.
When the log cannot say (a taxonomy or provider changed, thousands of offers changed, the
log was pruned past the index), the worker starts building a new index in a background
thread and answers with the SQL engine (correct, slower) until it is swapped in. So no
request ever sees stale data and none waits for a build. Inside a transaction (tests,
atomic requests) a build runs in-line, since another thread could not see the uncommitted
data.
"""

import contextlib
import logging
import threading
import time

from django.db import DatabaseError, connection, connections, transaction

from offers.models import PAGES_ONLY_CHANGE, CatalogChange, CatalogVersion

from . import patching, scopes
from .index import SearchIndex
from .sql import CachedSearch

logger = logging.getLogger(__name__)

# After a rebuild, this many of the old index's most recent text queries are matched again.
WARM_QUERIES = 8
# After a failed build, the worker answers from SQL this long before it tries again.
RETRY_AFTER_FAILURE_SECONDS = 30
# More changed offers than this since the index: a build is cheaper than a patch.
PATCH_UP_TO = 5000
# The change log keeps at least this many entries; older ones are deleted now and then.
CHANGES_KEPT = 20_000


class _State:
    """This worker's index and whether a build is running."""

    lock = threading.Lock()
    patch_lock = threading.Lock()
    index = None
    stamps = None  # scopes.Stamps of the index: what each write since its build touched
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
        previous = _State.index
        _install(index)
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


def _install(index, patch_of=None, changed=(), pages_only=False):
    """Make ``index`` this worker's, unless the one it has is newer. A patch of the index the
    worker has (``patch_of``) moves the stamps of the scopes its changes touched; any other
    index starts every scope afresh."""
    with _State.lock:
        current = _State.index
        if current is None or current.change_id <= index.change_id:
            if patch_of is not None and current is patch_of and _State.stamps is not None:
                _State.stamps = _State.stamps.moved(patch_of, index, changed, pages_only)
            else:
                _State.stamps = scopes.Stamps(index.version)
            _State.index = index


@contextlib.contextmanager
def _snapshot():
    """A transaction whose reads all see one committed state of the database."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _changes_since(index):
    """(token, first and last change id, offer ids changed since ``index``, whether a table
    only pages show changed), or None when only a new build can bring the index up to date."""
    state = CatalogVersion.state()
    if state is None:
        return None
    token, first, last = state
    if first is not None and index.change_id < first - 1:
        return None  # the log no longer reaches back to the index
    if (last or 0) < index.change_id:
        return None  # the log went back (a flushed or restored database): build anew
    changed = []
    if last is not None and last > index.change_id:
        log = CatalogChange.objects.filter(pk__gt=index.change_id, pk__lte=last)
        changed = list(log.values_list("offer_id", flat=True).distinct())
    if None in changed or len(changed) > PATCH_UP_TO:
        return None
    pages_only = PAGES_ONLY_CHANGE in changed
    if pages_only:
        changed.remove(PAGES_ONLY_CHANGE)
    return token, first, last, changed, pages_only


def _delete_old_changes(below):
    try:
        CatalogChange.objects.filter(pk__lt=below).delete()
    except DatabaseError:
        logger.warning("pruning the catalogue change log failed", exc_info=True)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()


def _prune(first, last):
    """Delete the log's oldest entries once it has grown to twice what it keeps: outside the
    patch's snapshot (two workers deleting the same rows merely wait for each other) and,
    outside a transaction, in a thread of its own (after a bulk load that is many rows)."""
    if first is None or last - first <= 2 * CHANGES_KEPT:
        return
    if connection.in_atomic_block:
        _delete_old_changes(last - CHANGES_KEPT)
    else:
        threading.Thread(
            target=_delete_old_changes, args=(last - CHANGES_KEPT,), daemon=True
        ).start()


def patched_index(index):
    """``index`` patched to the committed catalogue, or None when it needs a build."""
    try:
        with _snapshot():
            changes = _changes_since(index)
            if changes is None:
                return None
            token, first, last, changed, pages_only = changes
            if token == index.version:
                return index
            patched = patching.patched(index, token, last, changed)
        _install(patched, patch_of=index, changed=changed, pages_only=pages_only)
        _prune(first, last)
        return patched
    except Exception:
        logger.exception("patching the search index failed")
        return None


def current_index_or_start_build(version):
    """This worker's index if it describes catalogue ``version`` (just read by the caller),
    else the index patched to the committed catalogue; when only a build can do, None –
    and then, outside a transaction, a build of the new index starts in the background."""
    if version is None:
        return None
    index = _State.index
    if index is not None and index.version == version:
        return index
    if connection.in_atomic_block:
        return None  # a build could not see this transaction's writes; see engine()
    if index is not None and not index.tentative:
        with _State.patch_lock:
            index = _State.index  # another thread may have patched it meanwhile
            patched = index if index.version == version else patched_index(index)
        if patched is not None:
            return patched
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
        # It may hold writes that are rolled back: never the base of a patch.
        index.tentative = True
        with _State.lock:
            _State.index, _State.stamps = index, scopes.Stamps(index.version)
        if index.version == version:
            return index
    return CachedSearch(version)


def index_for(version):
    """This worker's index when it describes catalogue ``version``, else None. Never starts
    a build or a patch (a cached page's stamp has brought the index to its version)."""
    index = _State.index
    if index is not None and index.version == version and version is not None:
        return index
    return None


def vocabulary(version):
    """The taxonomy objects of catalogue ``version``: this worker's index's when it describes
    it, else read once per version into the cache. Never starts a build or a patch."""
    index = index_for(version)
    return index.vocabulary() if index is not None else CachedSearch(version).vocabulary()


def page_stamp(version, page_scopes):
    """What a cached page showing catalogue ``version`` is keyed by: the stamps of its
    scopes (``page_scopes(index)``, see ``scopes.py``) in this worker's index, patched to
    ``version`` first if need be, or ``version`` itself while the index is being rebuilt."""
    index = current_index_or_start_build(version)
    if index is None:
        return version
    with _State.lock:
        stamps = _State.stamps if _State.index is index else None
    if stamps is None:
        return version
    return stamps.of(page_scopes(index))


def wait_for_build(timeout=60):
    """Wait for this worker's background builds, if any run (tests and benchmarks): an
    older one still running would install its index after a newer one."""
    for thread in threading.enumerate():
        if thread.name == "search-index" and thread is not threading.current_thread():
            thread.join(timeout)


def reset():
    """Forget this worker's index after any running build has finished (tests)."""
    wait_for_build()
    with _State.lock:
        _State.index = _State.stamps = None
        _State.failed_at = None
