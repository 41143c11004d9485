"""A facet's counts are the same however they are counted.

``ValueBitsets`` counts a value's offers within a set of offers from the value's bitset, or,
for a facet with many values and a small set of offers, from the values of each offer in the
set (``ValuesBySlot``); both must give the number of offers of the set that match the value,
also after a patch cleared some offers' values and set new ones.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from offers.search import bitsets
from offers.search.bitsets import BY_SLOT_FROM_VALUES, ValueBitsets

WIDTH = BY_SLOT_FROM_VALUES + 8


def expected(pairs, within, width):
    """Per value, the distinct offers of ``within`` among ``pairs`` (-1: no value)."""
    counts = np.zeros(width, dtype=np.int64)
    for _position, code in {(p, c) for p, c in pairs if c >= 0 and within[p]}:
        counts[code] += 1
    return counts.tolist()


catalogues = st.integers(min_value=1, max_value=300).flatmap(
    lambda size: st.tuples(
        st.just(size),
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=size - 1),
                st.integers(min_value=-1, max_value=WIDTH - 1),
            ),
            max_size=600,
        ),
        st.lists(st.booleans(), min_size=size, max_size=size),
    )
)


@given(catalogues)
def test_counts_within_a_set_of_offers_match_a_plain_count(catalogue):
    size, pairs, within = catalogue
    keys = [f"v{i}" for i in range(WIDTH)]
    positions, value_codes = zip(*pairs, strict=True) if pairs else ((), ())
    part = ValueBitsets(keys, positions, value_codes, size)
    base = bitsets.pack(np.array(within))

    assert part.by_slot is not None
    assert list(part.counts(base).values()) == expected(pairs, within, WIDTH)
    inside = bitsets.positions(base, size)
    assert list(part.counts(base, inside).values()) == expected(pairs, within, WIDTH)
    assert part.by_slot.counts(inside).tolist() == expected(pairs, within, WIDTH)


@given(catalogues, st.data())
def test_a_patched_facet_counts_like_a_fresh_one(catalogue, data):
    size, pairs, within = catalogue
    keys = [f"v{i}" for i in range(WIDTH)]
    positions, value_codes = zip(*pairs, strict=True) if pairs else ((), ())
    part = ValueBitsets(keys, positions, value_codes, size)
    grown = size + data.draw(st.integers(min_value=0, max_value=5))
    cleared = sorted(data.draw(st.sets(st.integers(min_value=0, max_value=size - 1))))
    changed = cleared + list(range(size, grown))
    new_pairs = data.draw(
        st.lists(
            st.tuples(st.sampled_from(changed), st.integers(min_value=-1, max_value=WIDTH - 1)),
            max_size=40,
        )
        if changed
        else st.just([])
    )
    new_positions, new_codes = zip(*new_pairs, strict=True) if new_pairs else ((), ())
    patched = part.patched(cleared, new_positions, new_codes, grown)
    now = [(p, c) for p, c in pairs if p not in set(cleared)] + new_pairs
    within = within + data.draw(
        st.lists(st.booleans(), min_size=grown - size, max_size=grown - size)
    )
    base = bitsets.pack(np.array(within))

    assert patched.by_slot.counts(bitsets.positions(base, grown)).tolist() == expected(
        now, within, WIDTH
    )
    assert list(patched.counts(base).values()) == expected(now, within, WIDTH)
    unchanged = bitsets.pack(np.array(within[:size]))
    assert list(part.counts(unchanged).values()) == expected(pairs, within[:size], WIDTH)
