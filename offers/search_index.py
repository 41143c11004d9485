"""The search page's fast engine: a per-process columnar index of the published offers.

At a hundred thousand offers the SQL engine (``facets.grouped_counts``) re-runs the whole
search once per facet, 0.7–2 s per new search. This index answers the same ``SearchResult``
from numpy arrays held by each worker, the way search engines count facets with per-value
bitmaps:

* Offers are numbered by their position in the page's title order (``title, pk`` as the
  database sorts them, so collation questions never arise); ``newest`` is a stored
  permutation of positions.
* Every filter is built from (offer position, value code) pairs, expanded so that a pair
  exists exactly when ``facet_condition`` matches: a sector pair for
  the offer's sector and its parent, a region pair for the district and its state, a track
  pair via the sector, every school form for an offer open to all, every duration band and
  grade an offer's range touches.
* Each value of a filter is held as a bitset over positions (bit ``p`` set when offer ``p``
  matches it). A request ORs the bitsets of each active filter's ticked values into one mask
  per filter; a facet's counts are, per value, the population count of its bitset ANDed with
  every *other* mask (disjunctive counts); the results are the positions passing all masks,
  in stored order; only the page's twenty offers are read from the database.
* Text stays in PostgreSQL (German stemming, GIN index): one query returns the ids and ranks
  of the matching offers; they are cached per query string for the life of the index, because
  many visitors search the same words with varying facets.

Freshness: every search reads ``CatalogVersion`` (one indexed row that database triggers
replace on every catalogue write). An index answers only for the token it was built at. When
the token has changed, the worker starts building a new index in a background thread and
answers with the SQL engine (correct, slow) until the new index is swapped in, so no request
ever sees stale data and none waits for a build. Inside a transaction (tests, atomic
requests) the build runs in-line, since another thread could not see the uncommitted data.
"""

import itertools
import logging
import threading
import time
from collections import OrderedDict

import numpy as np
from django.core.paginator import Page, Paginator
from django.db import connection, connections

from . import text_search
from .facets import COUNTED, GRADES, PER_PAGE, CachedSearch, SearchResult, _page_offers
from .filters import DURATION_BANDS, Vocabulary, facet_condition
from .models import CatalogVersion, Offer

logger = logging.getLogger(__name__)

TEXT_CACHE_SIZE = 32
ROWS_PER_FETCH = 20_000
# Up to this many unranked matches are ranked by primary key, more by the full text query.
RANK_BY_ID_UP_TO = 5000
# After a rebuild, this many of the old index's most recent text queries are matched again.
WARM_QUERIES = 8
# After a failed build, the worker answers from SQL this long before it tries again.
RETRY_AFTER_FAILURE_SECONDS = 30
# Result cards' offers kept per index (about 5 KB each with provider, type and school forms).
OFFER_CACHE_SIZE = 2000


def _codes(codes_by_pk, pks):
    """The value code of each primary key in ``pks`` (-1 for one without a code)."""
    table = np.full(max(codes_by_pk, default=0) + 1, -1, dtype=np.int64)
    for pk, code in codes_by_pk.items():
        table[pk] = code
    pks = np.asarray(pks, dtype=np.int64)
    known = (pks >= 0) & (pks < len(table))
    codes = np.full(len(pks), -1, dtype=np.int64)
    codes[known] = table[pks[known]]
    return codes


def _words(size):
    """How many 64-bit words a bitset over ``size`` offers takes."""
    return (size + 63) // 64


def _pack(mask):
    """A boolean mask over positions as a bitset (bit ``p % 64`` of word ``p // 64``)."""
    padded = np.zeros(_words(len(mask)) * 64, dtype=bool)
    padded[: len(mask)] = mask
    return np.packbits(padded, bitorder="little").view(np.uint64)


def _unpack(bits, size):
    """The bitset ``bits`` as a boolean mask over ``size`` positions."""
    return np.unpackbits(bits.view(np.uint8), bitorder="little", count=size).view(bool)


def _popcount(bits):
    return int(np.bitwise_count(bits).sum())


class _Facet:
    """Which offers match which value of one filter: one bitset of offers per value.

    Counting a value within a set of offers is then an AND and a population count over
    ``size / 64`` words, the way search engines count facets with per-value bitmaps; 525
    values over 100,000 offers take 6.6 MB.
    """

    def __init__(self, keys, positions, codes, size):
        self.keys = list(keys)
        self.code = {key: i for i, key in enumerate(self.keys)}
        keep = codes >= 0
        positions = positions[keep].astype(np.int64)
        codes = codes[keep].astype(np.int64)
        self.bits = np.zeros((len(self.keys), _words(size)), dtype=np.uint64)
        np.bitwise_or.at(
            self.bits,
            (codes, positions >> 6),
            np.left_shift(np.uint64(1), (positions & 63).astype(np.uint64)),
        )
        self.all_counts = self._as_dict(np.bitwise_count(self.bits).sum(axis=1))

    def _as_dict(self, counts):
        return dict(zip(self.keys, counts.tolist(), strict=True))

    def mask(self, values):
        """The bitset of the offers matching any of ``values``."""
        return np.bitwise_or.reduce(self.bits[[self.code[value] for value in values]], axis=0)

    def counts(self, base):
        """Per value, the offers in the bitset ``base`` (None: all offers) that match it."""
        if base is None:
            return dict(self.all_counts)
        return self._as_dict(np.bitwise_count(self.bits & base).sum(axis=1))


def _pairs(rows):
    """Two int64 columns from a query of (offer id, value id) rows, streamed from the
    database so that no list of a few hundred thousand tuples is ever held."""
    flat = itertools.chain.from_iterable(rows.iterator(chunk_size=ROWS_PER_FETCH))
    array = np.fromiter(flat, dtype=np.int64).reshape(-1, 2)
    return array[:, 0], array[:, 1]


class SearchIndex:
    """The published offers of one catalogue version, ready to be searched in memory."""

    def __init__(self, version, vocabulary):
        self.version = version
        self._vocabulary = vocabulary
        self._text = OrderedDict()
        self._text_lock = threading.Lock()
        self._offers = OrderedDict()
        self._offers_lock = threading.Lock()

    # --- building ------------------------------------------------------------------------

    @classmethod
    def build(cls):
        """Read the catalogue. The token is read first: any write after it replaces the token,
        so an index holding such a write is never taken for the token it carries."""
        index = cls(CatalogVersion.current(), Vocabulary.load())
        vocabulary = index._vocabulary
        published = Offer.objects.published()
        rows = list(
            published.order_by("title", "pk").values_list(
                "pk",
                "offer_type_id",
                "venue",
                "grade_min",
                "grade_max",
                "participants_max",
                "duration_min_minutes",
                "duration_max_minutes",
                "all_school_forms",
            )
        )
        columns = list(zip(*rows, strict=True)) if rows else [()] * 9
        ids, types, venues, low, high, size, shortest, longest, for_all = columns
        index.ids = np.array(ids, dtype=np.int64)
        n = index.size = len(index.ids)
        index._sorted = np.argsort(index.ids)
        index.newest = index._order(published.order_by("-created_at", "-pk"))
        # The walk's last step lists offers grouped by provider (``walk.walk_offers``).
        index.by_provider = index._order(
            published.order_by("provider__name", "provider_id", "title", "pk")
        )

        def floats(values):
            return np.array([np.nan if v is None else v for v in values], dtype=float).reshape(n)

        index.participants_max = floats(size)
        everyone = np.arange(n)
        facets = {}

        def taxonomy(name):
            return {obj.pk: i for i, obj in enumerate(getattr(vocabulary, name).values())}

        facets["type"] = _Facet(
            vocabulary.type,
            everyone,
            _codes(taxonomy("type"), [-1 if t is None else t for t in types]),
            n,
        )
        venue_keys = [key for key, _label in vocabulary.choices("venue")]
        venue_code = {key: i for i, key in enumerate(venue_keys)}
        facets["venue"] = _Facet(
            venue_keys, everyone, np.array([venue_code.get(v, -1) for v in venues], dtype=int), n
        )

        low, high = np.array(low, dtype=float), np.array(high, dtype=float)
        grade_pairs = [(np.flatnonzero((low <= g) & (high >= g)), i) for i, g in enumerate(GRADES)]
        facets["grade"] = cls._facet_from_groups(GRADES, grade_pairs, n)

        # Duration bands as duration_band_condition: missing ends count as the other end,
        # and NaN (no duration at all) compares false like SQL's NULL.
        shortest, longest = floats(shortest), floats(longest)
        shortest, longest = (
            np.where(np.isnan(shortest), longest, shortest),
            np.where(np.isnan(longest), shortest, longest),
        )
        band_pairs = []
        for i, (_label, band_low, band_high) in enumerate(DURATION_BANDS.values()):
            inside = longest >= band_low
            if band_high is not None:
                inside &= shortest <= band_high
            band_pairs.append((np.flatnonzero(inside), i))
        facets["duration"] = cls._facet_from_groups(DURATION_BANDS, band_pairs, n)

        links = Offer.sectors.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
        offers, sectors = index._positions(*_pairs(links.values_list("offer_id", "sector_id")))
        track_code = taxonomy("track")
        sector_track = {obj.pk: track_code[obj.track_id] for obj in vocabulary.sector.values()}
        facets["sector"] = cls._hierarchy(vocabulary.sector, offers, sectors, taxonomy("sector"), n)
        facets["track"] = _Facet(vocabulary.track, offers, _codes(sector_track, sectors), n)

        links = Offer.regions.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
        offers, regions = index._positions(*_pairs(links.values_list("offer_id", "region_id")))
        facets["region"] = cls._hierarchy(vocabulary.region, offers, regions, taxonomy("region"), n)

        links = Offer.subjects.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
        offers, subjects = index._positions(*_pairs(links.values_list("offer_id", "subject_id")))
        facets["subject"] = _Facet(
            vocabulary.subject, offers, _codes(taxonomy("subject"), subjects), n
        )

        links = Offer.school_forms.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
        offers, forms = index._positions(*_pairs(links.values_list("offer_id", "schoolform_id")))
        forms = _codes(taxonomy("schoolform"), forms)
        open_to_all = np.flatnonzero(np.array(for_all, dtype=bool).reshape(n))
        width = len(vocabulary.schoolform)
        facets["schoolform"] = _Facet(
            vocabulary.schoolform,
            np.concatenate([offers, np.repeat(open_to_all, width)]),
            np.concatenate([forms, np.tile(np.arange(width), len(open_to_all))]),
            n,
        )
        index.facets = facets
        return index

    @staticmethod
    def _facet_from_groups(keys, groups, size):
        positions = [offers for offers, _code in groups]
        codes = [np.full(len(offers), code) for offers, code in groups]
        return _Facet(
            keys,
            np.concatenate(positions) if positions else np.zeros(0, dtype=int),
            np.concatenate(codes) if codes else np.zeros(0, dtype=int),
            size,
        )

    @staticmethod
    def _hierarchy(nodes, offers, values, code_by_pk, size):
        """A node matches its own offers and those of its children (one level, like
        ``facet_condition``): each link yields a pair for its node and one for the parent."""
        parents = {obj.pk: code_by_pk.get(obj.parent_id, -1) for obj in nodes.values()}
        return _Facet(
            nodes,
            np.concatenate([offers, offers]),
            np.concatenate([_codes(code_by_pk, values), _codes(parents, values)]),
            size,
        )

    def _order(self, queryset):
        """The positions of ``queryset``'s offers in its order."""
        ids = np.fromiter(queryset.values_list("pk", flat=True), dtype=np.int64)
        return self._positions(ids)[0]

    def _positions(self, offer_ids, *columns):
        """Positions of ``offer_ids`` (rows of offers not in the index dropped), with the
        matching rows of the other ``columns``."""
        offer_ids = np.asarray(offer_ids, dtype=np.int64).reshape(-1)
        sorted_ids = self.ids[self._sorted]
        at = np.searchsorted(sorted_ids, offer_ids).clip(0, max(len(sorted_ids) - 1, 0))
        found = sorted_ids[at] == offer_ids if len(sorted_ids) else np.zeros(0, dtype=bool)
        return (self._sorted[at[found]], *(column[found] for column in columns))

    # --- searching -----------------------------------------------------------------------

    def vocabulary(self):
        return self._vocabulary

    # --- the walk ------------------------------------------------------------------------

    def _within(self, filters):
        return self._all({name: self.facets[name].mask(values) for name, values in filters.items()})

    def count(self, **filters):
        """The number of offers matching every filter (``sector=("it-computer",)``, …)."""
        within = self._within(filters)
        return self.size if within is None else _popcount(within)

    def value_counts(self, name, **filters):
        """Per value of facet ``name``, the offers that match it and every filter."""
        return self.facets[name].counts(self._within(filters))

    def ids_by_provider(self, **filters):
        """The ids of the offers matching every filter, in the walk's order (by provider)."""
        within = self._within(filters)
        order = self.by_provider
        if within is not None:
            order = order[_unpack(within, self.size)[order]]
        return self.ids[order].tolist()

    def text_match(self, query, *, ranked=False):
        """The offers matching ``query`` (cached per query for this version), with the ranks
        of all of them when ``ranked`` – one query either way."""
        with self._text_lock:
            match = self._text.get(query)
            if match is not None:
                self._text.move_to_end(query)
        if match is None:
            match = _TextMatch(self, query, ranked=ranked)
            with self._text_lock:
                self._text[query] = match
                while len(self._text) > TEXT_CACHE_SIZE:
                    self._text.popitem(last=False)
        return match

    def text_queries(self):
        """The cached text queries, most recently used last."""
        with self._text_lock:
            return list(self._text)

    def _masks(self, spec):
        """One bitset per active filter."""
        masks = {}
        for name in spec.active_filters:
            values = spec.selected(name)
            if name == "q":
                # Ranks come with the match when relevance orders every match anyway.
                ranked = spec.sort == "relevance" and len(spec.active_filters) == 1
                masks[name] = self.text_match(spec.q, ranked=ranked).bits
            elif name == "size":
                with np.errstate(invalid="ignore"):
                    masks[name] = _pack(
                        np.isnan(self.participants_max) | (self.participants_max >= values[0])
                    )
            else:
                masks[name] = self.facets[name].mask(values)
        return masks

    @staticmethod
    def _all(masks, without=None):
        """The AND of every bitset but ``without``; None when none is left."""
        combined = None
        for name, mask in masks.items():
            if name != without:
                combined = mask.copy() if combined is None else np.bitwise_and(combined, mask)
        return combined

    def _ordered(self, spec, matching, stop):
        """The positions of the matching offers in the order of ``spec.sort``; in title order
        only the first ``stop``, read from the words that hold them."""
        if spec.sort == "newest":
            order = self.newest
            return order if matching is None else order[_unpack(matching, self.size)[order]]
        if spec.sort == "relevance" and spec.selected("q"):
            positions = np.flatnonzero(_unpack(matching, self.size))
            return self.text_match(spec.q).best_first(positions)
        if matching is None:
            return np.arange(min(stop, self.size))
        ends = np.cumsum(np.bitwise_count(matching), dtype=np.int64)
        last = min(int(np.searchsorted(ends, stop)), len(matching) - 1)
        positions = np.flatnonzero(_unpack(matching[: last + 1], (last + 1) * 64))
        return positions[:stop]

    def search(self, spec, vocabulary=None, *, per_page=PER_PAGE):
        """The same ``SearchResult`` as ``facets.search(spec, vocabulary)``."""
        masks = self._masks(spec)
        matching = self._all(masks)
        total = self.size if matching is None else _popcount(matching)
        counts = {name: self.facets[name].counts(self._all(masks, name)) for name in COUNTED}
        relaxed = {}
        if total == 0:
            for name in masks:
                rest = self._all(masks, name)
                relaxed[name] = self.size if rest is None else _popcount(rest)

        paginator = Paginator(range(total), per_page)
        number = paginator.validate_number(min(spec.page, paginator.num_pages))
        start = (number - 1) * per_page
        stop = start + per_page
        ids = self.ids[self._ordered(spec, matching, stop)[start:stop]].tolist()
        by_id = self._offers_by_id(ids)
        page = Page([by_id[pk] for pk in ids if pk in by_id], number, paginator)
        return SearchResult(spec=spec, page=page, total=total, counts=counts, relaxations=relaxed)

    def forget_page_offers(self):
        """Drop the offers kept for result pages, as a new index starts (benchmarks)."""
        with self._offers_lock:
            self._offers.clear()

    def _offers_by_id(self, ids):
        """The offers of a result page with what their cards show, by id. Offers read
        before are taken from memory: nothing about them can change while this catalogue
        version lasts, and popular offers turn up on many result pages."""
        with self._offers_lock:
            found = {pk: self._offers[pk] for pk in ids if pk in self._offers}
            for pk in found:
                self._offers.move_to_end(pk)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            read = {offer.pk: offer for offer in _page_offers(Offer.objects.filter(pk__in=missing))}
            found.update(read)
            with self._offers_lock:
                self._offers.update(read)
                while len(self._offers) > OFFER_CACHE_SIZE:
                    self._offers.popitem(last=False)
        return found


class _TextMatch:
    """The offers matching one text query, and their ranks as far as they were needed.

    A common word matches half the catalogue; ranking all of its matches costs as much as
    matching them, while facets usually leave a few hundred to order, so the ranks of those
    are read on demand (by primary key) and kept.
    """

    def __init__(self, index, query, *, ranked):
        self.index = index
        self.query = query
        matches = Offer.objects.published().filter(
            facet_condition("q", (query,), index.vocabulary())
        )
        self.ranks = np.full(index.size, np.nan)
        if ranked:
            positions = self._read_ranks(matches)
        else:
            ids = np.fromiter(matches.order_by().values_list("pk", flat=True), dtype=np.int64)
            positions = index._positions(ids)[0]
        mask = np.zeros(index.size, dtype=bool)
        mask[positions] = True
        self.bits = _pack(mask)

    def _read_ranks(self, queryset):
        rows = list(
            queryset.order_by()
            .annotate(rank=text_search.rank_expression(self.query))
            .values_list("pk", "rank")
        )
        ids = np.array([pk for pk, _rank in rows], dtype=np.int64)
        ranks = np.array([rank for _pk, rank in rows], dtype=float)
        positions, ranks = self.index._positions(ids, ranks)
        self.ranks[positions] = ranks
        return positions

    def best_first(self, positions):
        """``positions`` (matches, in title order) ordered by rank, ties in title order."""
        missing = positions[np.isnan(self.ranks[positions])]
        if len(missing) > RANK_BY_ID_UP_TO:
            self._read_ranks(
                Offer.objects.published().filter(
                    facet_condition("q", (self.query,), self.index.vocabulary())
                )
            )
        elif len(missing):
            self._read_ranks(Offer.objects.filter(pk__in=self.index.ids[missing].tolist()))
        return positions[np.lexsort((positions, -self.ranks[positions]))]


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


def current(version):
    """This worker's index if it describes catalogue ``version`` (just read by the caller),
    else None; then, outside a transaction, a build of the new index starts in the
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
    failed = _State.failed_at
    if failed is not None and time.monotonic() - failed < RETRY_AFTER_FAILURE_SECONDS:
        return None  # the SQL engine answers; a failing build is not retried per request
    with _State.lock:
        start = not _State.building
        _State.building = True
    if start:
        _State.thread = threading.Thread(
            target=_build_in_background, name="search-index", daemon=True
        )
        _State.thread.start()
    return None


def engine(version=None):
    """The engine for one request: the index when it describes the committed catalogue,
    otherwise the SQL engine while this worker builds the new index. Inside a transaction
    the index is built in-line, since another thread could not see the uncommitted data.
    ``version``: the catalogue token when the caller has just read it."""
    if version is None:
        version = CatalogVersion.current()
    index = current(version)
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
