"""Which cached pages a catalogue write can have changed, so that a write keeps the rest.

A cached page names its *scopes*: what it shows of the catalogue (``offers/urls.py``). A walk
step shows one sector's or track's offers, an offer page one offer, its provider's other
offers and the contact persons; the home page and a search can show any offer
(``EVERYTHING``). Each worker keeps, per scope, the catalogue token at which a write last
touched it; a page's stamp is those tokens of its scopes, and the page cache keys the page
by its stamp instead of the token alone (``offers/page_cache.py``).

Only a patch of the index moves single scopes: it knows exactly which offers changed and,
from the index before and after it, in which sectors, tracks and providers they were and
are (an offer moved from one sector to another changes both). A contact person write moves
``CONTACTS``. Anything else the log cannot describe (a taxonomy or provider changed, the log
was pruned) means a new index: every scope starts again from its token. Stamps and the index
change together, under the engine's lock, so no page is ever keyed by a stamp older than
the index that answers it (docs/architecture.md).
"""

import weakref

import numpy as np

from offers.models import Provider

EVERYTHING = ("all",)
CONTACTS = ("contacts",)
# The facets whose values are scopes of their own (the walk's steps).
SCOPED_FACETS = ("sector", "track")


def offer(pk):
    return ("offer", int(pk))


def provider(pk):
    return ("provider", int(pk))


def value(facet, key):
    return (facet, key)


class Stamps:
    """Per scope, the token of the last write that touched it in this worker's index."""

    def __init__(self, base):
        self.base = base
        self.last = {}

    def of(self, scopes):
        """The stamp of a page showing ``scopes``: the index's token while no write touched
        them, which is also the key of a page rendered at that token before the index was
        there (``engine.page_stamp``), so such a page is kept too."""
        moved = [f"{i}:{self.last[scope]}" for i, scope in enumerate(scopes) if scope in self.last]
        return "|".join([self.base, *moved]) if moved else self.base

    def moved(self, old, new, changed_ids, pages_only):
        """The stamps after the patch from index ``old`` to ``new``."""
        moved = Stamps(self.base)
        moved.last = dict(self.last)
        touched = set(touched_scopes(old, changed_ids)) | set(touched_scopes(new, changed_ids))
        if changed_ids:
            touched.add(EVERYTHING)
        if pages_only:
            touched.add(CONTACTS)
        for scope in touched:
            moved.last[scope] = new.version
        return moved


def touched_scopes(index, offer_ids):
    """The scopes ``index`` places the offers ``offer_ids`` in: each offer, its provider, and
    every sector and track (with their parents) whose bitset holds it."""
    offer_ids = list(offer_ids)
    yield from (offer(pk) for pk in offer_ids)
    slots = index.positions(np.array(offer_ids, dtype=np.int64))[0]
    if not len(slots):
        return
    yield from (provider(pk) for pk in set(index.provider_of[slots].tolist()) if pk >= 0)
    words, bits = slots >> 6, np.left_shift(np.uint64(1), (slots & 63).astype(np.uint64))
    for name in SCOPED_FACETS:
        table = index.facets.get(name)
        if table is None:
            continue
        holds = (table.bits[:, words] & bits).any(axis=1)
        yield from (value(name, table.keys[i]) for i in np.flatnonzero(holds))


# Provider slug → id per index build: a provider write means a new build (and vocabulary),
# so the ids stay right for every patch of the build.
_provider_ids = weakref.WeakKeyDictionary()


def provider_by_slug(index, slug):
    """The id of the provider ``slug`` (None: there is none), all read once per index build."""
    vocabulary = index.vocabulary()
    known = _provider_ids.get(vocabulary)
    if known is None:  # one query for all (a few thousand at national scale)
        known = _provider_ids[vocabulary] = dict(Provider.objects.values_list("slug", "pk"))
    return known.get(slug)


def provider_of_offer(index, pk):
    """The provider of the published offer ``pk`` in ``index``, or None."""
    slot = index.slot_of(pk)
    return None if slot is None else int(index.provider_of[slot])
