"""Sets of offers as bitsets over their positions in the index (bit ``p`` set: offer ``p``).

Counting a facet value within a set of offers is then an AND and a population count over
``size / 64`` words, the way search engines count facets with per-value bitmaps; 525 values
over 100,000 offers take 6.6 MB.
"""

import numpy as np

# A facet with at least this many values also keeps the values of each offer
# (``ValuesBySlot``), to count small sets of offers without reading every value's bitset.
BY_SLOT_FROM_VALUES = 32
# Counting through ``ValuesBySlot`` costs about as much per (offer, value) pair as the
# bitsets cost per this many words (measured at 100,000 offers and 416 regions).
WORDS_PER_PAIR = 6


def words(size):
    """How many 64-bit words a bitset over ``size`` offers takes."""
    return (size + 63) // 64


def pack(mask):
    """A boolean mask over positions as a bitset (bit ``p % 64`` of word ``p // 64``)."""
    padded = np.zeros(words(len(mask)) * 64, dtype=bool)
    padded[: len(mask)] = mask
    return np.packbits(padded, bitorder="little").view(np.uint64)


def unpack(bits, size):
    """The bitset ``bits`` as a boolean mask over ``size`` positions."""
    return np.unpackbits(bits.view(np.uint8), bitorder="little", count=size).view(bool)


def popcount(bits):
    return int(np.bitwise_count(bits).sum())


def positions(bits, size):
    """The positions of the offers in the bitset ``bits``, ascending."""
    return np.flatnonzero(unpack(bits, size))


def codes(codes_by_key, keys):
    """The value code of each of ``keys`` (-1 for one without a code); ``keys`` are primary
    keys or other small non-negative integers."""
    table = np.full(max(codes_by_key, default=0) + 1, -1, dtype=np.int64)
    for key, code in codes_by_key.items():
        table[key] = code
    keys = np.asarray(keys, dtype=np.int64)
    known = (keys >= 0) & (keys < len(table))
    found = np.full(len(keys), -1, dtype=np.int64)
    found[known] = table[keys[known]]
    return found


class ValueBitsets:
    """Which offers match which value of one facet: one bitset of offers per value."""

    def __init__(self, keys, positions, value_codes, size):
        """``keys``: the facet's values; (``positions``, ``value_codes``): one pair per offer
        and value it matches, the value as its index in ``keys`` (-1: none)."""
        self.keys = list(keys)
        self.code = {key: i for i, key in enumerate(self.keys)}
        self.by_slot = None
        if len(self.keys) >= BY_SLOT_FROM_VALUES:
            self.by_slot = ValuesBySlot.of_pairs(positions, value_codes, size, len(self.keys))
        self.bits = np.zeros((len(self.keys), words(size)), dtype=np.uint64)
        self._set(positions, value_codes)

    @classmethod
    def of_bits(cls, keys, bits):
        """From the bitsets themselves, one row of ``bits`` per key (fewer keys than
        ``BY_SLOT_FROM_VALUES``)."""
        table = object.__new__(cls)
        table.keys = list(keys)
        table.code = {key: i for i, key in enumerate(table.keys)}
        table.by_slot = None
        table.bits = bits
        table.bits.flags.writeable = False  # see ``_set``
        table.all_counts = table._as_dict(np.bitwise_count(bits).sum(axis=1))
        return table

    def _set(self, positions, value_codes):
        value_codes = np.asarray(value_codes, dtype=np.int64)
        keep = value_codes >= 0
        positions = np.asarray(positions, dtype=np.int64)[keep]
        value_codes = value_codes[keep]
        np.bitwise_or.at(
            self.bits,
            (value_codes, positions >> 6),
            np.left_shift(np.uint64(1), (positions & 63).astype(np.uint64)),
        )
        # Set once: a mask of one value is the value's bitset itself, not a copy.
        self.bits.flags.writeable = False
        self.all_counts = self._as_dict(np.bitwise_count(self.bits).sum(axis=1))

    def patched(self, cleared, positions, value_codes, size):
        """A copy over ``size`` slots with the slots ``cleared`` emptied in every value and
        the pairs (``positions``, ``value_codes``) set."""
        copy = object.__new__(ValueBitsets)
        copy.keys, copy.code = self.keys, self.code
        copy.bits = np.zeros((len(self.keys), words(size)), dtype=np.uint64)
        copy.bits[:, : self.bits.shape[1]] = self.bits
        cleared = np.asarray(cleared, dtype=np.int64)
        np.bitwise_and.at(
            copy.bits,
            (slice(None), cleared >> 6),
            ~np.left_shift(np.uint64(1), (cleared & 63).astype(np.uint64)),
        )
        copy._set(positions, value_codes)
        copy.by_slot = self.by_slot and self.by_slot.patched(cleared, positions, value_codes, size)
        return copy

    def _as_dict(self, counts):
        return dict(zip(self.keys, counts.tolist(), strict=True))

    def mask(self, values):
        """The bitset of the offers matching any of ``values``."""
        rows = [self.code[value] for value in values]
        if len(rows) == 1:
            return self.bits[rows[0]]  # the value's own bitset, which is read-only
        return np.bitwise_or.reduce(self.bits[rows], axis=0)

    def counts(self, base, base_positions=None):
        """Per value, the offers in the bitset ``base`` (None: all offers) that match it;
        ``base_positions``: their positions (``positions(base, size)``) when the caller has
        them, as a search has for the offers it found, which every facet without a selection
        counts in."""
        if base is None:
            return dict(self.all_counts)
        if self.by_slot is not None:
            found = popcount(base) if base_positions is None else len(base_positions)
            if found * self.by_slot.per_offer * WORDS_PER_PAIR < self.bits.size:
                if base_positions is None:
                    base_positions = positions(base, self.by_slot.size)
                return self._as_dict(self.by_slot.counts(base_positions))
        return self._as_dict(np.bitwise_count(self.bits & base).sum(axis=1))


class ValuesBySlot:
    """The values each offer matches, as one array of value codes ordered by slot: an offer's
    are ``codes[starts[p]:starts[p + 1]]``.

    The bitsets count a value's offers in a set of offers by reading the value's whole
    bitset, which for 416 regions is 5 MB per count; a set of a few thousand offers (three
    facets ticked, or a word) has far fewer (offer, value) pairs to read.
    """

    def __init__(self, codes, lengths, width):
        """``codes``: the value codes, slot after slot; ``lengths``: how many each slot has."""
        self.width = width
        self.codes = codes.astype(np.int32, copy=False)
        self.starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        self.per_offer = len(codes) / max(len(lengths), 1)
        self.size = len(lengths)

    @classmethod
    def of_pairs(cls, positions, value_codes, size, width):
        """From (``positions``, ``value_codes``) pairs as ``ValueBitsets`` takes them."""
        keys = _pair_keys(positions, value_codes, width, size)
        lengths = np.bincount(keys // width, minlength=size)
        keys %= width
        return cls(keys, lengths, width)

    def patched(self, cleared, positions, value_codes, size):
        """A copy over ``size`` slots without the values of the slots ``cleared`` and with
        the pairs (``positions``, ``value_codes``), whose slots are all cleared or new:
        the codes of the other slots are copied as they are, the new ones inserted."""
        cleared = np.asarray(cleared, dtype=np.int64)
        lengths = np.zeros(size, dtype=np.int64)
        lengths[: len(self.starts) - 1] = np.diff(self.starts)
        lengths[cleared] = 0
        kept = np.delete(self.codes, self._runs(cleared))
        keys = _pair_keys(positions, value_codes, self.width, size)
        slots = keys // self.width
        # Before a changed slot's codes come the kept codes of every slot before it.
        before = np.concatenate([[0], np.cumsum(lengths)])[slots]
        lengths += np.bincount(slots, minlength=size)
        return ValuesBySlot(np.insert(kept, before, keys % self.width), lengths, self.width)

    def _runs(self, slots):
        """The indices into ``codes`` of the values of ``slots``, slot after slot."""
        low = self.starts[slots]
        lengths = self.starts[slots + 1] - low
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        return np.arange(total) + np.repeat(low - ends + lengths, lengths)

    def counts(self, slots):
        """Per value code, the offers in ``slots`` (ascending) that match it."""
        return np.bincount(self.codes[self._runs(slots)], minlength=self.width)


def _pair_keys(positions, value_codes, width, size):
    """The distinct pairs with a value (code ≥ 0) as sorted ``slot * width + code``.

    Made in place in one array (32 bits wide while the keys fit): a build makes these for
    hundreds of thousands of pairs, and each temporary copy stays in the worker's memory."""
    value_codes = np.asarray(value_codes, dtype=np.int64)
    keep = value_codes >= 0
    keys = np.asarray(positions)[keep].astype(np.int32 if size * width < 2**31 else np.int64)
    keys *= width
    keys += value_codes[keep].astype(keys.dtype)
    keys.sort()
    distinct = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    return keys[distinct]
