"""Record ids: globally unique and time-ordered, so offline units can merge later."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from satupintu.ids import new_id, uuid7


def test_ids_are_version_7_rfc_variant():
    u = new_id()
    assert u.version == 7
    assert u.variant == uuid.RFC_4122


def test_ids_made_in_a_row_sort_in_creation_order_and_never_repeat():
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@given(st.integers(min_value=1, max_value=2**48 - 2), st.integers(min_value=1, max_value=10**6))
def test_a_later_millisecond_always_sorts_after_an_earlier_one(ms, gap):
    # Separate processes (a van and the central server) only share the clock.
    import satupintu.ids as ids

    later = min(ms + gap, 2**48 - 1)
    saved = ids._last_ms
    try:
        ids._last_ms = 0  # each call stands for a different process: no shared counter
        a = uuid7(now_ms=ms, rand=b"\xff" * 10)
        ids._last_ms = 0
        b = uuid7(now_ms=later, rand=b"\x00" * 10)
    finally:
        ids._last_ms = saved
    assert a.int >> 80 == ms
    assert b > a
