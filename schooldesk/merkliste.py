"""A visitor's own Merkliste, kept in the session: no account and no personal data.

The session holds a small dict (``KEY``): the items as ``[offer id, title, provider]``
(title and provider as they were when added, so that an offer archived or deleted since
can still be named), the teacher's note, and the token of the shared copy once the list has
been shared. Every change to a shared list is written through to its ``SharedList``, so
its link stays the same and always shows the current list; only the session that shared
it holds the token that allows that, so nobody else can change it.
"""

from django.db import transaction

from offers.models import Offer

from .models import SharedList

KEY = "merkliste"
# A class trip is planned from a handful of offers; a bound keeps the session small.
MAX_ITEMS = 200
NOTE_LENGTH = 200


class Merkliste:
    """The list in one request's session. Reading it never creates a session."""

    def __init__(self, session):
        self.session = session
        data = session.get(KEY) or {}
        self.items = [list(item) for item in data.get("items", []) if _valid(item)]
        self.note = str(data.get("note", ""))[:NOTE_LENGTH]
        self.token = data.get("token") or None

    def __len__(self):
        return len(self.items)

    def __contains__(self, offer_id):
        return offer_id in self.ids()

    def ids(self):
        return [item[0] for item in self.items]

    def is_full(self):
        return len(self.items) >= MAX_ITEMS

    def add(self, offer):
        """Add a published ``offer``; False if it was on the list already (or it is full)."""
        if offer.pk in self or self.is_full():
            return False
        self.items.append([offer.pk, offer.title, offer.provider.name])
        self._save()
        return True

    def add_items(self, items):
        """Add items copied from a shared list; returns how many were new."""
        added = 0
        for item in items:
            if _valid(item) and item[0] not in self and not self.is_full():
                self.items.append(list(item))
                added += 1
        if added:
            self._save()
        return added

    def remove(self, offer_id):
        before = len(self.items)
        self.items = [item for item in self.items if item[0] != offer_id]
        if len(self.items) != before:
            self._save()
            return True
        return False

    def set_note(self, note):
        self.note = note[:NOTE_LENGTH]
        self._save()

    def share(self):
        """The list's shared copy, made on the first call and kept up to date after."""
        shared = self._shared()
        if shared is None:
            shared = SharedList.objects.create(note=self.note, items=self.items)
            self.token = shared.token
            self._save(write_through=False)
        return shared

    def _shared(self):
        if not self.token:
            return None
        return SharedList.objects.filter(token=self.token).first()

    def _save(self, *, write_through=True):
        self.session[KEY] = {"items": self.items, "note": self.note, "token": self.token}
        if write_through and self.token:
            with transaction.atomic():
                updated = SharedList.objects.filter(token=self.token).update(
                    items=self.items, note=self.note
                )
            if not updated:  # deleted as unused: the next share makes a new link
                self.token = None
                self.session[KEY] = {"items": self.items, "note": self.note, "token": None}


def _valid(item):
    return (
        isinstance(item, list | tuple)
        and len(item) == 3
        and isinstance(item[0], int)
        and all(isinstance(part, str) for part in item[1:])
    )


def entries(items):
    """The list's items with their offers, in the list's order, grouped by provider:
    ``[(provider name, provider or None, [(item, offer or None), …]), …]``. An offer no
    longer published comes with ``None`` (shown as "no longer available"). Two queries
    plus the school forms' prefetch, however long the list."""
    offers = {
        offer.pk: offer
        for offer in Offer.objects.published()
        .for_cards()
        .filter(pk__in=[item[0] for item in items])
    }
    groups = {}
    for item in items:
        offer = offers.get(item[0])
        name = offer.provider.name if offer else item[2]
        group = groups.setdefault(name, [name, offer.provider if offer else None, []])
        if offer and group[1] is None:
            group[1] = offer.provider
        group[2].append((item, offer))
    return sorted((tuple(group) for group in groups.values()), key=lambda g: g[0].casefold())
