"""The fast engine: a per-worker columnar index of the published offers.

At a hundred thousand offers the SQL engine re-runs the whole search once per facet. This
index answers the same ``SearchResult`` from numpy arrays held by each worker:

* Offers are numbered by their position in the page's title order (``title, pk`` as the
  database sorts them, so collation questions never arise); ``newest`` and the walk's
  order by provider are stored permutations of positions. Each position's place in the title
  and newest orders is kept too: a search orders the offers it found by their places,
  and sorts only those that can reach its page.
* Every facet builds its bitsets (``Facet.bitsets``) from the offer columns and link rows it
  declared, read here once for all facets.
* A request ORs the bitsets of each active filter's ticked values into one mask per filter;
  a facet's counts are, per value, the population count of its bitset ANDed with every
  *other* mask (disjunctive counts); in a facet with a selection, what ticking a value adds
  is its bitset ANDed with the other masks and the complement of the facet's own (in a
  facet of one value per offer, an unticked value's count);
  the results are the positions passing all masks; only the page's twenty offers are read
  from the database. The ANDs of all masks but one are made once for all facets, from the
  ANDs of the masks before and after each.
* Text stays in the database (``text.py``): one query returns the ids and ranks of the
  matching offers, cached per query string for the life of the index.

An index answers only for the catalogue version it was built at (``engine.py``).
"""

import bisect
import functools
import itertools
import threading
from collections import OrderedDict, defaultdict

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page
from django.db import connection

from offers import linked
from offers.models import CatalogVersion, Offer, Provider

from . import bitsets, facets, text
from .spec import PER_PAGE, SearchResult, Vocabulary, page_window

TEXT_CACHE_SIZE = 32
ROWS_PER_FETCH = 20_000
# Result cards' offers kept per index: about 5 KB each with their rendered card, half of it
# the card (``_card_offers``; whole model instances with their relations took twice that).
OFFER_CACHE_SIZE = 4000


def _columns(rows, width):
    """``width`` int64 columns from a query of rows of whole numbers (NULL: -1), streamed
    from the database so that no list of a few hundred thousand tuples is ever held."""
    flat = itertools.chain.from_iterable(rows.iterator(chunk_size=ROWS_PER_FETCH))
    array = np.fromiter((-1 if v is None else v for v in flat), dtype=np.int64)
    return array.reshape(-1, width).T


def _and(one, other):
    """The AND of two bitsets, None standing for all offers."""
    if one is None or other is None:
        return other if one is None else one
    return np.bitwise_and(one, other)


def _places(order, size):
    """Each of ``size`` positions' place in ``order``; positions not in it (emptied slots)
    come after all others."""
    places = np.full(size, len(order), dtype=np.int32)
    places[order] = np.arange(len(order), dtype=np.int32)
    return places


def _first(keys, stop):
    """The indices of the ``stop`` smallest of the distinct ``keys``, smallest first; only
    those are sorted."""
    if len(keys) > stop:
        chosen = np.argpartition(keys, stop - 1)[:stop]
        return chosen[np.argsort(keys[chosen])]
    return np.argsort(keys)


def provider_ranks():
    """Each provider's place in the walk's order of providers (name, then id), indexed by
    the provider's id (one query)."""
    ids = np.fromiter(
        Provider.objects.order_by("name", "pk").values_list("pk", flat=True), dtype=np.int64
    )
    ranks = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=np.int64)
    ranks[ids] = np.arange(len(ids))
    return ranks


class _Build:
    """What the facets build their bitsets from: columns of published offers (one query for
    all facets) and their link rows (one query per link table), for every published offer
    (a build) or for some (a patch, ``only``). ``place`` gives each row its slot."""

    def __init__(self, index, vocabulary, offers, *, extra=(), only=None):
        self.index = index
        self.vocabulary = vocabulary
        self.only = only
        names = {column for facet in facets.registered() for column in facet.columns}
        names = sorted(names | {"provider_id", *extra})
        rows = list(offers.values_list("pk", *names))
        table = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
        self.ids = np.array(table[0], dtype=np.int64)
        self._columns = dict(zip(names, table[1:], strict=True))
        self._links = {}

    def place(self, slots, size):
        """The slot of each row, and how many slots the index has."""
        self.slots = np.asarray(slots, dtype=np.int64)
        self.size = size

    def column(self, name):
        """The column's values, one per row."""
        return np.array(self._columns[name], dtype=object).reshape(len(self.ids))

    def numbers(self, name):
        """A numeric column as floats, NaN where the database has NULL."""
        values = self._columns[name]
        return np.array([np.nan if v is None else v for v in values], dtype=float).reshape(
            len(self.ids)
        )

    def links(self, relation, column):
        """(slots, values) of the link rows of the offers; ``column`` a column of the link
        row or of a row it links (``sector__track``). One query per link table reads the
        columns of every facet on it."""
        if relation not in self._links:
            columns = sorted(
                {f.column for f in facets.registered() if getattr(f, "relation", None) == relation}
            )
            rows = getattr(Offer, relation).through.objects.filter(
                offer__status=Offer.Status.PUBLISHED
            )
            if self.only is not None:
                rows = rows.filter(offer_id__in=self.only)
            offer_ids, *values = _columns(rows.values_list("offer_id", *columns), len(columns) + 1)
            positions, *values = self.index.positions(offer_ids, *values)
            self._links[relation] = positions, dict(zip(columns, values, strict=True))
        positions, values = self._links[relation]
        return positions, values[column]


class SearchIndex:
    """The published offers of one catalogue version, ready to be searched in memory."""

    def __init__(self, version, vocabulary):
        self.version = version
        self.tentative = False  # built inside a transaction (see engine.engine)
        self._vocabulary = vocabulary
        self._text = OrderedDict()
        self._text_lock = threading.Lock()
        self._offers = OrderedDict()
        self._offers_lock = threading.Lock()

    @classmethod
    def build(cls):
        """Read the catalogue. The version and the change log's end are read first: any write
        after them replaces the token, so an index holding such a write is never taken for
        the token it carries, and a patch reads such an offer again."""
        token, _first, last = CatalogVersion.state() or (None, None, None)
        index = cls(token, Vocabulary.load())
        index.change_id = last or 0
        published = Offer.objects.published()
        build = _Build(index, index._vocabulary, published.order_by("title", "pk"))
        index.ids = build.ids
        index.size = len(index.ids)
        index.sort_ids()
        build.place(np.arange(index.size), index.size)
        index.alive = bitsets.pack(np.ones(index.size, dtype=bool))
        index.alive_count = index.size
        index.title_order = np.arange(index.size)
        index.newest = index._order(published.order_by("-created_at", "-pk"))
        index.place_orders()
        index.provider_of = np.array(build.column("provider_id"), dtype=np.int64)
        index.provider_rank = provider_ranks()
        index.by_provider = index.provider_order()
        index.facets = {facet.name: facet.bitsets(build) for facet in facets.registered()}
        return index

    def provider_order(self):
        """The walk's order (by provider name, provider, title): the title order, stably
        sorted by each offer's provider's place among the providers."""
        order = self.title_order
        return order[np.argsort(self.provider_rank[self.provider_of[order]], kind="stable")]

    def place_orders(self):
        """Each position's place in the title and newest orders (after they change)."""
        self.title_place = _places(self.title_order, self.size)
        self.newest_place = _places(self.newest, self.size)

    def _order(self, queryset):
        """The positions of ``queryset``'s offers in its order."""
        ids = np.fromiter(queryset.values_list("pk", flat=True), dtype=np.int64)
        return self.positions(ids)[0]

    def sort_ids(self):
        """Keep the ids in ascending order and where each one sits, for ``positions``."""
        self._sorted = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._sorted]

    def positions(self, offer_ids, *columns):
        """Positions of ``offer_ids`` (rows of offers not in the index dropped), with the
        matching rows of the other ``columns``."""
        offer_ids = np.asarray(offer_ids, dtype=np.int64).reshape(-1)
        sorted_ids = self._sorted_ids
        at = np.searchsorted(sorted_ids, offer_ids).clip(0, max(len(sorted_ids) - 1, 0))
        found = sorted_ids[at] == offer_ids if len(sorted_ids) else np.zeros(0, dtype=bool)
        return (self._sorted[at[found]], *(column[found] for column in columns))

    def slot_of(self, pk):
        """The position of the published offer ``pk``, or None when the index has none."""
        slots = self.positions(np.array([pk], dtype=np.int64))[0]
        if not len(slots):
            return None
        slot = int(slots[0])
        return slot if int(self.alive[slot >> 6]) >> (slot & 63) & 1 else None

    def vocabulary(self):
        return self._vocabulary

    # --- the walk ------------------------------------------------------------------------

    def _within(self, filters):
        return self._all({name: self.facets[name].mask(values) for name, values in filters.items()})

    def count(self, **filters):
        """The number of offers matching every filter (``sector=("it-computer",)``, …)."""
        within = self._within(filters)
        return self.alive_count if within is None else bitsets.popcount(within)

    def value_counts(self, name, **filters):
        """Per value of facet ``name``, the offers that match it and every filter."""
        return self.facets[name].counts(self._within(filters))

    def ids_by_provider(self, **filters):
        """The ids of the offers matching every filter, in the walk's order (by provider)."""
        within = self._within(filters)
        order = self.by_provider
        if within is not None:
            order = order[bitsets.unpack(within, self.size)[order]]
        return self.ids[order].tolist()

    # --- searching -----------------------------------------------------------------------

    def text_match(self, query):
        """The offers matching ``query`` and their ranks (cached per query for this
        version)."""
        with self._text_lock:
            match = self._text.get(query)
            if match is not None:
                self._text.move_to_end(query)
        if match is not None:
            match.catch_up(self)
        else:
            match = _TextMatch(self, query)
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
        """One bitset per active filter, of offers the index holds (not emptied slots)."""
        masks = {}
        for name in spec.active_filters:
            if name == "q":
                masks[name] = self.text_match(spec.q).bits
            else:
                mask = self.facets[name].mask(spec.selected(name))
                masks[name] = np.bitwise_and(mask, self.alive)
        return masks

    @staticmethod
    def _all(masks):
        """The AND of every bitset; None when there is none."""
        return functools.reduce(_and, masks.values(), None)

    @staticmethod
    def _all_and_others(masks):
        """The AND of every bitset, and per bitset the AND of all the others (None where
        there is none), made from the ANDs of the bitsets before and after it: 3k ANDs for
        k filters rather than k²."""
        names = list(masks)
        before, after = [None], [None]  # the ANDs of the first i bitsets, of the last i
        for name in names:
            before.append(_and(before[-1], masks[name]))
        for name in reversed(names[1:]):
            after.append(_and(after[-1], masks[name]))
        others = {name: _and(before[i], after[len(names) - 1 - i]) for i, name in enumerate(names)}
        return before[-1], others

    def _ordered(self, spec, found, stop):
        """The first ``stop`` positions of the matching offers in the order of ``spec.sort``;
        ``found``: the matching offers' positions, ascending (None: every offer)."""
        if spec.sort == "relevance" and spec.selected("q"):
            return self.text_match(spec.q).best_first(self, found, stop)
        if spec.sort == "newest":
            order, places = self.newest, self.newest_place
        else:
            order, places = self.title_order, self.title_place
        if found is None:
            return order[:stop]
        return found[_first(places[found], stop)]

    def search(self, spec, *, per_page=PER_PAGE):
        """The same ``SearchResult`` as ``sql.search(spec, self.vocabulary())``."""
        masks = self._masks(spec)
        matching, others = self._all_and_others(masks)
        # The page is ordered from these, and the facets without a selection count in them.
        found = None if matching is None else bitsets.positions(matching, self.size)
        total = self.alive_count if found is None else len(found)
        counts, additions = {}, {}
        for facet in facets.counted():
            table = self.facets[facet.name]
            if facet.name not in masks:
                counts[facet.name] = table.counts(matching, found)
                continue
            counts[facet.name] = table.counts(others[facet.name])
            if facet.multiple and facet.exclusive:
                # No offer of an unticked value has a ticked one: ticking it adds its count.
                ticked = spec.selected(facet.name)
                additions[facet.name] = {
                    key: 0 if key in ticked else n for key, n in counts[facet.name].items()
                }
            elif facet.multiple:
                # Offers matching the other filters but none of the facet's ticked values.
                base = _and(self.alive, others[facet.name])
                additions[facet.name] = table.counts(np.bitwise_and(base, ~masks[facet.name]))
        relaxed = {}
        if total == 0:
            relaxed = {
                name: self.alive_count if rest is None else bitsets.popcount(rest)
                for name, rest in others.items()
            }

        paginator, number, start = page_window(total, spec.page, per_page)
        stop = start + per_page
        ids = self.ids[self._ordered(spec, found, stop)[start:stop]].tolist()
        page = Page(self._offers_in_order(ids), number, paginator)
        return SearchResult(
            spec=spec,
            page=page,
            total=total,
            counts=counts,
            relaxations=relaxed,
            additions=additions,
        )

    def forget_page_offers(self):
        """Drop the offers kept for result pages, as a new index starts (benchmarks)."""
        with self._offers_lock:
            self._offers.clear()

    def _offers_in_order(self, ids):
        """The offers of a result page with what their cards show, in the order of ``ids``.
        Offers read before are taken from memory: nothing about them can change while this
        catalogue version lasts, and popular offers turn up on many result pages."""
        with self._offers_lock:
            found = {pk: self._offers[pk] for pk in ids if pk in self._offers}
            for pk in found:
                self._offers.move_to_end(pk)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            read = self._card_offers(missing)
            found.update((offer.pk, offer) for offer in read)
            with self._offers_lock:
                self._offers.update((offer.pk, offer) for offer in read)
                while len(self._offers) > OFFER_CACHE_SIZE:
                    self._offers.popitem(last=False)
        return [found[pk] for pk in ids if pk in found]

    def _card_offers(self, ids):
        """The offers ``ids`` with what their cards show and nothing more, kept small so that
        many fit in memory: their own columns and provider from one statement
        (``linked.card_offers``), their type and school forms from the index, and their
        upcoming sessions (``upcoming_sessions``, as ``for_cards`` sets them) from a query
        only for offers the index knows to have dates to come."""
        from bookings.models import Session  # bookings builds on offers, not the reverse

        offers = linked.card_offers(ids)
        positions = self.positions(ids)[0]
        self.add_types_and_school_forms(offers, positions)
        dated = self.ids[positions[self.facets["period"].may_have_upcoming(positions)]].tolist()
        sessions = defaultdict(list)
        if dated:
            for session in Session.objects.upcoming().filter(offer_id__in=dated):
                sessions[session.offer_id].append(session)
        for offer in offers:
            offer.upcoming_sessions = sessions[offer.pk]
        return offers

    def add_types_and_school_forms(self, offers, positions):
        """Set ``offer_type`` and ``school_form_names`` (the short names, or else names, of its
        school forms in their order) of each of ``offers``, the offers at ``positions`` read
        without them, from the vocabulary and the index rather than the database."""
        vocabulary = self.vocabulary()
        ids, keys = self.offers_at(positions, "schoolform")
        forms = dict(zip(ids, keys, strict=True))
        types = {offer_type.pk: offer_type for offer_type in vocabulary.type.values()}
        names = {key: form.short_name or form.name for key, form in vocabulary.schoolform.items()}
        for offer in offers:
            if offer.offer_type_id in types:  # else a type newer than the index: read it
                offer.offer_type = types[offer.offer_type_id]
            # An offer open to all school forms holds all of them; lists say "all".
            held = [] if offer.all_school_forms else forms[offer.pk]
            offer.school_form_names = [names[key] for key in held]

    # --- a provider's page ---------------------------------------------------------------

    def provider_offers(self, provider_id, group_by):
        """The positions of the published offers of provider ``provider_id`` in title order,
        by their value of facet ``group_by`` (a facet of one value per offer: ``type``), as
        {key: positions}; a provider page lists them without a query of its own.

        The provider's offers are one run of the walk's order by provider; a binary search
        finds it without reading the arrays over all offers, which a new page would read
        from memory rather than the CPU's caches."""
        order, ranks = self.by_provider, self.provider_rank
        if not 0 <= provider_id < len(ranks):
            return {}

        def rank(position):
            return ranks[self.provider_of[position]]

        start = bisect.bisect_left(order, ranks[provider_id], key=rank)
        stop = bisect.bisect_right(order, ranks[provider_id], lo=start, key=rank)
        slots = order[start:stop]
        if not len(slots) or self.provider_of[slots[0]] != provider_id:
            return {}  # no offers, or an id that was no provider's when the index was built
        table = self.facets[group_by]
        held = table.bits[:, slots >> 6] >> (slots & 63).astype(np.uint64) & np.uint64(1)
        held = held.astype(bool)
        return {table.keys[i]: slots[held[i]] for i in np.flatnonzero(held.any(axis=1))}

    def offers_at(self, positions, name):
        """The ids of the offers at ``positions`` and for each the keys of the values of facet
        ``name`` it matches, in the facet's order."""
        positions = np.asarray(positions, dtype=np.int64)
        table = self.facets[name]
        held = table.bits[:, positions >> 6] >> (positions & 63).astype(np.uint64) & np.uint64(1)
        keys = [[table.keys[i] for i in np.flatnonzero(column)] for column in held.T]
        return self.ids[positions].tolist(), keys

    def counts_at(self, positions, name):
        """Per value of facet ``name``, how many of the offers at ``positions`` match it, as
        {key: count}; values none of them matches are left out."""
        positions = np.asarray(positions, dtype=np.int64)
        table = self.facets[name]
        held = table.bits[:, positions >> 6] >> (positions & 63).astype(np.uint64) & np.uint64(1)
        counts = held.sum(axis=1)
        return {table.keys[i]: int(counts[i]) for i in np.flatnonzero(counts)}


class _TextMatch:
    """The offers matching one text query, and the rank of each.

    The ranks come with the match, in the same query: ``ts_rank`` adds a tenth to what
    PostgreSQL spends matching a word in half the catalogue (128 instead of 115 ms for 53,000
    matches at 100,000 offers). Reading instead the ranks of just the matches the facets
    leave, when a search first needed them, cost a query of several milliseconds on every
    fifth page of a stream of all-different searches. Only a patch of the index leaves ranks
    to read again (``patched``).

    A match does not hold the index it belongs to; its methods are given it. The index holds
    its matches, and a reference back would make each superseded index a cycle that only the
    cyclic garbage collector frees: in a worker with many long-lived objects that runs
    rarely, and every catalogue write left another index (about 15 MB at 100,000 offers)
    behind until then.
    """

    def __init__(self, index, query):
        self.query = query
        self.ranks = np.full(index.size, np.nan)
        mask = np.zeros(index.size, dtype=bool)
        mask[self._read_ranks(index, Offer.objects.published())] = True
        self.bits = bitsets.pack(mask)
        self.pending = set()  # offers a patch of the index changed, to be matched again
        self.lock = threading.Lock()

    def _read_ranks(self, index, queryset):
        """Rank the offers of ``queryset`` that match (one query); their positions.

        Not streamed with ``iterator()`` as ``_columns`` reads: PostgreSQL plans a
        server-side cursor for its first rows, a sequential scan, and a word with 8,000
        matches took 120 instead of 30 ms. The rows are fetched through the cursor, not the
        queryset: the ORM's handling of each row took 80 of the 200 ms that a word in half
        the catalogue (53,000 matches) cost a worker on its first search of it."""
        try:
            sql, params = text.ranks(self.query, queryset).query.sql_with_params()
        except EmptyResultSet:  # a condition that matches nothing, known without asking
            rows = []
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        found = np.fromiter(rows, dtype=[("pk", np.int64), ("rank", float)], count=len(rows))
        positions, ranks = index.positions(found["pk"], found["rank"])
        self.ranks[positions] = ranks
        return positions

    def best_first(self, index, positions, stop):
        """The first ``stop`` of ``positions`` (matches in ``index``) by rank, ties in title
        order. Only the matches ranked at least as high as the ``stop``-th are sorted: a word
        in half the catalogue leaves tens of thousands of them for a page of twenty."""
        ranks = self.ranks[positions]
        if np.isnan(ranks).any():
            self._read_ranks(index, Offer.objects.published())  # after a patch on SQLite
            ranks = self.ranks[positions]
        if len(positions) > stop:
            high = ranks >= np.partition(ranks, len(ranks) - stop)[len(ranks) - stop]
            positions, ranks = positions[high], ranks[high]
        return positions[np.lexsort((index.title_place[positions], -ranks))]

    def patched(self, index, cleared, changed_ids):
        """This match for ``index``, a patch of the index it was made for: the slots
        ``cleared`` emptied; the offers ``changed_ids`` are matched again when next used."""
        match = object.__new__(_TextMatch)
        match.query = self.query
        match.ranks = np.full(index.size, np.nan)
        match.ranks[: len(self.ranks)] = self.ranks
        match.ranks[cleared] = np.nan
        if not text.ranks_stand_alone():
            match.ranks[:] = np.nan  # bm25 weighs by the whole catalogue: rank anew when used
        mask = np.zeros(index.size, dtype=bool)
        mask[: len(self.ranks)] = bitsets.unpack(self.bits, len(self.ranks))
        mask[cleared] = False
        match.bits = bitsets.pack(mask)
        match.pending = {*self.pending, *changed_ids}
        match.lock = threading.Lock()
        return match

    def catch_up(self, index):
        """Match and rank the offers a patch left to match again (one query) in ``index``,
        if any."""
        if not self.pending:
            return
        with self.lock:
            if not self.pending:
                return
            changed = Offer.objects.published().filter(pk__in=sorted(self.pending))
            positions = self._read_ranks(index, changed)
            mask = bitsets.unpack(self.bits, len(self.ranks)).copy()
            mask[positions] = True
            self.bits = bitsets.pack(mask)
            self.pending = set()
