"""The one percentile method (nearest rank) and the minute histogram's precision."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.oversight.distribution import (
    BUCKET_US,
    MAX_BUCKET,
    OVERFLOW,
    Dense,
    Distribution,
    bucket_of,
    exact_count_over,
    percentile,
    rank,
)

MIN = BUCKET_US
durations = st.lists(st.one_of(st.integers(min_value=0, max_value=4 * 3600 * 10**6),
                               st.sampled_from([0, MIN, 2 * MIN, 15 * MIN, 15 * MIN + 1])), max_size=60)


def test_nearest_rank_by_hand():
    """Ten waits 1..10 min: median = rank 5 (5 min), p90 = rank 9 (9 min); of four values the median
    is the 2nd (not the mean of the middle two); p0 is the smallest, p100 the largest."""
    ten = [m * MIN for m in range(10, 0, -1)]
    assert percentile(ten, 50) == 5 * MIN and percentile(ten, 90) == 9 * MIN
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(ten, 0) == MIN and percentile(ten, 100) == 10 * MIN
    assert percentile([], 50) is None
    assert rank(90, 7) == 7 and rank(50, 1) == 1
    with pytest.raises(ValueError):
        rank(101, 3)


def test_buckets_are_minutes_closed_above():
    """Exactly 0 is bucket 0; (0, 1 min] bucket 1; 15 min sharp is bucket 15, a microsecond more 16."""
    assert [bucket_of(x) for x in (0, 1, MIN, MIN + 1, 15 * MIN, 15 * MIN + 1)] == [0, 1, 1, 2, 15, 16]
    assert bucket_of(MAX_BUCKET * MIN) == MAX_BUCKET and bucket_of(MAX_BUCKET * MIN + 1) == OVERFLOW
    with pytest.raises(ValueError):
        bucket_of(-1)


def test_histogram_by_hand():
    """Waits 0, 30 s, 1 min, 14 min 59 s, 15 min, 16 min: mean exact; median rank 3 -> bucket 1 -> 60 s;
    p90 rank 6 -> bucket 16 -> 960 s; longer than 15 min: one (16 min), at most 15 min: five."""
    values = [0, 30 * 10**6, MIN, 15 * MIN - 10**6, 15 * MIN, 16 * MIN]
    d = Distribution.of(values)
    assert d.mean_seconds() == sum(values) / 6 / 1e6
    assert d.percentile_seconds(50) == 60.0 and d.percentile_seconds(90) == 960.0
    assert d.count_over(15) == 1 and d.count_within(15) == 5 and d.count_over(0) == 5
    assert Distribution().mean_seconds() is None and Distribution().percentile_seconds(50) is None
    with pytest.raises(ValueError):
        d.count_over(MAX_BUCKET + 1)


def test_overflow_reports_its_lower_edge():
    d = Distribution.of([25 * 3600 * 10**6])
    assert d.buckets == ((OVERFLOW, 1),) and d.percentile_seconds(50) == 24 * 3600.0


@given(durations, st.sampled_from([0, 10, 50, 90, 95, 100]))
def test_histogram_percentile_is_within_one_bucket_of_the_exact_one(values, p):
    est, exact = Distribution.of(values).percentile_us(p), percentile(values, p)
    if exact is None:
        assert est is None
    else:
        assert exact <= est < exact + BUCKET_US


@given(durations, st.integers(min_value=0, max_value=MAX_BUCKET))
def test_counts_against_whole_minute_thresholds_are_exact(values, minutes):
    assert Distribution.of(values).count_over(minutes) == exact_count_over(values, minutes)


@given(durations, durations, durations)
def test_merging_is_associative_commutative_and_equals_the_whole(a, b, c):
    da, db, dc = Distribution.of(a), Distribution.of(b), Distribution.of(c)
    assert (da + db) + dc == da + (db + dc) == Distribution.of(a + b + c)
    assert da + db == db + da
    assert da + Distribution() == da


@given(durations)
def test_stored_form_round_trips(values):
    d = Distribution.of(values)
    assert Distribution.from_dict(d.as_dict()) == d


@given(st.lists(durations, max_size=6))
def test_dense_runs_merge_to_the_merged_histogram(parts):
    """The national view's dense runs add up to exactly the histogram the sparse ones give, and
    read back as it; their stored form round-trips."""
    ds = [Distribution.of(p) for p in parts]
    dense = [Dense.of(d) for d in ds]
    assert [x.distribution() for x in dense] == ds
    assert [Dense.from_list(x.as_list()) for x in dense] == dense
    assert Dense.merge_all(dense).distribution() == Distribution.merge_all(ds)
    assert Dense.merge_all(reversed(dense)) == Dense.merge_all(dense)
