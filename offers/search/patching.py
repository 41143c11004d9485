"""Bringing a worker's index up to a newer catalogue version by reading again only the
offers the change log names (``CatalogChange``): milliseconds instead of a build.

A patch is a new ``SearchIndex`` that shares every array it does not change with the index
it starts from, which stays as it was for any request still using it. Offers keep their
slots; an offer that is no longer published leaves an empty slot, a newly published one
takes a new slot at the end. The title and newest orders place the changed offers at the
ranks the database gives them among all published offers (in the snapshot the patch reads
everything from), the walk's order by provider follows from the title order.
"""

import copy
import threading
from collections import OrderedDict

import numpy as np
from django.db.models import Q

from offers.models import Offer

from . import bitsets, facets
from .index import _Build

# Up to this many changed offers the orders are patched with a count query per offer and
# order; more, and each order is read again whole (one query).
RANKS_BY_QUERY_UP_TO = 8
# The index's most recent text matches carried over to the patched index.
TEXT_MATCHES_KEPT = 8


def patched(index, token, last_change, changed_ids):
    """``index`` brought to catalogue ``token``: the offers ``changed_ids`` read again."""
    new = copy.copy(index)
    new.version = token
    new.change_id = last_change if last_change is not None else index.change_id
    new._text_lock, new._offers_lock = threading.Lock(), threading.Lock()
    changed = sorted(set(changed_ids))
    gone = set(changed)
    with index._offers_lock:
        new._offers = OrderedDict((pk, o) for pk, o in index._offers.items() if pk not in gone)
    if not changed:
        new._text = OrderedDict(index._text)
        return new
    published = Offer.objects.published()
    build = _Build(
        new, index.vocabulary(), published.filter(pk__in=changed), extra=("title", "created_at"),
        only=changed,
    )  # fmt: skip
    cleared = index.positions(np.array(changed, dtype=np.int64))[0]
    held = set(index.ids[cleared].tolist())
    fresh = np.array([pk for pk in build.ids.tolist() if pk not in held], dtype=np.int64)
    if len(fresh):
        new.ids = np.concatenate([index.ids, fresh])
        new.sort_ids()
    new.size = len(new.ids)
    build.place(new.positions(build.ids)[0], new.size)
    new.facets = {
        facet.name: facet.patched(index.facets[facet.name], build, cleared)
        for facet in facets.registered()
    }
    _patch_offers(new, index, build, cleared)
    _patch_orders(new, index, build, cleared)
    new._text = OrderedDict(
        (query, index._text[query].patched(new, cleared, build.ids.tolist()))
        for query in index.text_queries()[-TEXT_MATCHES_KEPT:]
        if query in index._text
    )
    return new


def _grown(array, size, fill):
    grown = np.full(size, fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _patch_offers(new, index, build, cleared):
    """Which slots hold published offers, and each slot's provider."""
    alive = _grown(bitsets.unpack(index.alive, index.size), new.size, False)
    alive[cleared] = False
    alive[build.slots] = True
    new.alive = bitsets.pack(alive)
    new.alive_count = int(alive.sum())
    new.provider_of = _grown(index.provider_of, new.size, -1)
    new.provider_of[build.slots] = np.array(build.column("provider_id"), dtype=np.int64)


def _patch_orders(new, index, build, cleared):
    published = Offer.objects.published()
    rows = list(zip(build.slots.tolist(), build.ids.tolist(), build.column("title"), strict=True))
    created = build.column("created_at")
    if len(rows) <= RANKS_BY_QUERY_UP_TO:
        title_ranks = [
            published.filter(Q(title__lt=title) | Q(title=title, pk__lt=pk)).count()
            for _slot, pk, title in rows
        ]
        newest_ranks = [
            published.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk)).count()
            for (_slot, pk, _title), at in zip(rows, created, strict=True)
        ]
        new.title_order = _merged(index.title_order, cleared, build.slots, title_ranks, new)
        new.newest = _merged(index.newest, cleared, build.slots, newest_ranks, new)
    else:
        new.title_order = new._order(published.order_by("title", "pk"))
        new.newest = new._order(published.order_by("-created_at", "-pk"))
    new.place_orders()
    new.by_provider = new.provider_order()


class PatchFailed(Exception):
    """The ranks read do not fit the index (they cannot, read from one snapshot)."""


def _merged(order, cleared, slots, ranks, new):
    """``order`` without the slots ``cleared``, with ``slots`` placed at ``ranks``."""
    kept = order[~np.isin(order, cleared)]
    if len(kept) + len(slots) != new.alive_count or len(set(ranks)) != len(ranks):
        raise PatchFailed(f"{len(kept)} kept + {len(slots)} placed != {new.alive_count}")
    merged = np.empty(new.alive_count, dtype=np.int64)
    placed = np.zeros(new.alive_count, dtype=bool)
    merged[ranks] = slots
    placed[ranks] = True
    merged[~placed] = kept
    return merged
