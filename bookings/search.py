"""The search facet "Zeitraum": when an offer has dates open for requests.

Time is part of the question: a session that has started (or whose registration deadline
has passed) leaves every band at midnight without any write to the database. So no engine
keeps a band past its day. The SQL engine asks for sessions after today's boundaries; the
search index keeps each offer's upcoming session dates and works the bands out on the day's
first search (``_SessionDates``). The page cache and the cached SQL summaries are
keyed by the date as well as the catalogue version (``offers.page_cache``).
"""

import datetime

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offers.models import Offer
from offers.search.bitsets import ValueBitsets, pack
from offers.search.kinds import Facet

from .models import Session, start_of_today

NEXT_WEEKS = "naechste-4-wochen"
HALF_YEAR = "dieses-halbjahr"
LATER = "spaeter"
BY_ARRANGEMENT = "nach-absprache"
BANDS = {
    NEXT_WEEKS: _("next 4 weeks"),
    HALF_YEAR: _("this school half-year"),
    LATER: _("later"),
    BY_ARRANGEMENT: _("by arrangement"),
}
WEEKS_AHEAD = 4


def half_year_end(today):
    """The first day after the school half-year ``today`` lies in: school years start on
    1 August, their second half on 1 February."""
    if 2 <= today.month <= 7:
        return datetime.date(today.year, 8, 1)
    return datetime.date(today.year + (today.month >= 8), 2, 1)


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def band_bounds(today=None):
    """Per dated band: (first start, first start no longer in it or None), for ``today``."""
    today = today or timezone.localdate()
    start = start_of_today() if today == timezone.localdate() else _midnight(today)
    weeks = _midnight(today + datetime.timedelta(weeks=WEEKS_AHEAD, days=1))
    half = _midnight(half_year_end(today))
    return {NEXT_WEEKS: (start, weeks), HALF_YEAR: (start, half), LATER: (half, None)}


def open_sessions(today=None):
    """Sessions teachers can still ask for: not started, registration not closed."""
    today = today or timezone.localdate()
    return Session.objects.filter(
        Q(registration_deadline__isnull=True) | Q(registration_deadline__gte=today)
    )


def upcoming_sessions(offer, index=None):
    """The offer's dates from today on: one query, or none when ``index``, the search index
    of the catalogue version the page shows, knows the offer has no date to come."""
    if index is not None:
        slot = index.slot_of(offer.pk)
        if slot is not None and not index.facets["period"].may_have_upcoming(slot):
            return []
    return list(Session.objects.upcoming().filter(offer=offer))


class PeriodFacet(Facet):
    """When an offer can be visited: dated bands (an offer is in every band one of its open
    sessions falls into) and "by arrangement" (an offer without any session)."""

    def choices(self, vocabulary):
        return list(BANDS.items())

    def band_condition(self, key, bounds, today):
        if key == BY_ARRANGEMENT:
            return ~Exists(Session.objects.filter(offer=OuterRef("pk")))
        low, high = bounds[key]
        sessions = open_sessions(today).filter(offer=OuterRef("pk"), starts_at__gte=low)
        if high is not None:
            sessions = sessions.filter(starts_at__lt=high)
        return Exists(sessions)

    def condition(self, values, vocabulary):
        today = timezone.localdate()
        bounds = band_bounds(today)
        return Q.create([self.band_condition(key, bounds, today) for key in values], connector=Q.OR)

    def sql_counts(self, base, vocabulary):
        today = timezone.localdate()
        bounds = band_bounds(today)
        keys = list(BANDS)
        per_band = base.order_by().aggregate(
            **{
                f"band_{i}": Count("pk", filter=self.band_condition(key, bounds, today))
                for i, key in enumerate(keys)
            }
        )
        return {key: per_band[f"band_{i}"] for i, key in enumerate(keys)}

    def bitsets(self, build):
        return _SessionDates.empty().patched(build, np.zeros(0, dtype=np.int64))

    def patched(self, part, build, cleared):
        return part.patched(build, cleared)


class _SessionDates:
    """The index's answer for the ``PeriodFacet``: per upcoming session its offer's slot,
    start (seconds since the epoch) and last day for requests (a day number, +inf for none);
    per slot whether it holds an offer and whether that offer has any session at all. The
    bands are worked out for the day they are asked on."""

    def __init__(self, present, dated, slot, start, last_day):
        self.present, self.dated = present, dated
        self.slot, self.start, self.last_day = slot, start, last_day
        self._bands_of_day = (None, None)  # (day, ``bands()`` on that day)

    @classmethod
    def empty(cls):
        none = np.zeros(0, dtype=bool)
        return cls(none, none, np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))

    def patched(self, build, cleared):
        """A copy with the slots ``cleared`` emptied and the offers of ``build`` set again."""
        size = build.size
        present, dated = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
        present[: len(self.present)], dated[: len(self.dated)] = self.present, self.dated
        present[cleared], dated[cleared] = False, False
        present[build.slots] = True
        keep = ~np.isin(self.slot, cleared)
        if build.only is None:  # a whole build: the sessions of every published offer
            sessions = Session.objects.filter(offer__status=Offer.Status.PUBLISHED)
        else:  # a patch: of the changed offers still published
            sessions = Session.objects.filter(offer_id__in=build.ids.tolist())
        slot, start, last_day = [], [], []
        if len(build.ids):
            # One query: every session of the offers; those over already count only for
            # "has dates" (an offer with past dates only is in no band, not by arrangement).
            rows = sessions.order_by().values_list("offer_id", "starts_at", "registration_deadline")
            earliest, dated_ids = start_of_today(), set()
            for offer_id, starts_at, deadline in rows:
                dated_ids.add(offer_id)
                if starts_at >= earliest:
                    slot.append(offer_id)
                    start.append(starts_at.timestamp())
                    last_day.append(deadline.toordinal() if deadline else np.inf)
            dated[build.index.positions(np.array(sorted(dated_ids), dtype=np.int64))[0]] = True
        positions, start, last_day = build.index.positions(
            np.array(slot, dtype=np.int64), np.array(start, dtype=float),
            np.array(last_day, dtype=float),
        )  # fmt: skip
        return _SessionDates(
            present,
            dated,
            np.concatenate([self.slot[keep], positions]),
            np.concatenate([self.start[keep], start]),
            np.concatenate([self.last_day[keep], last_day]),
        )

    def _band_masks(self, today):
        """One boolean mask over the slots per band, for ``today``."""
        bounds = band_bounds(today)
        open_ = self.last_day >= today.toordinal()
        masks = {}
        for key in BANDS:
            mask = np.zeros(len(self.present), dtype=bool)
            if key == BY_ARRANGEMENT:
                mask = self.present & ~self.dated
            else:
                low, high = bounds[key]
                inside = open_ & (self.start >= low.timestamp())
                if high is not None:
                    inside &= self.start < high.timestamp()
                mask[self.slot[inside]] = True
            masks[key] = mask
        return masks

    def may_have_upcoming(self, slots):
        """Whether the offer in each of ``slots`` (a slot or an array of them) had dates to
        come when the index read them: an offer without has none today either (a new date is
        a write, and a patch reads it)."""
        return np.isin(slots, self.slot)

    def bands(self):
        """Today's bands as ``ValueBitsets`` (one bitset per band), worked out once a day:
        they change only at midnight, or with a write, which makes a new index."""
        today = timezone.localdate()
        day, bands = self._bands_of_day
        if day != today:
            masks = self._band_masks(today)
            bands = ValueBitsets.of_bits(masks, np.stack([pack(mask) for mask in masks.values()]))
            self._bands_of_day = (today, bands)
        return bands

    # Read as ``ValueBitsets``.
    code = {key: i for i, key in enumerate(BANDS)}

    @property
    def bits(self):
        return self.bands().bits

    @property
    def all_counts(self):
        return self.bands().all_counts

    def mask(self, values):
        return self.bands().mask(values)

    def counts(self, base, base_positions=None):
        return self.bands().counts(base, base_positions)
