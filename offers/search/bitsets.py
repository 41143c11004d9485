"""Sets of offers as bitsets over their positions in the index (bit ``p`` set: offer ``p``).

Counting a facet value within a set of offers is then an AND and a population count over
``size / 64`` words, the way search engines count facets with per-value bitmaps; 525 values
over 100,000 offers take 6.6 MB.
"""

import numpy as np


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
        self.bits = np.zeros((len(self.keys), words(size)), dtype=np.uint64)
        self._set(positions, value_codes)

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
        return copy

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
