"""Local days and hours in WIB/WITA/WIT (and a DST zone, since nothing may assume there is none)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.oversight.periods import (
    Grain,
    Period,
    day_bounds,
    hour_pieces,
    local_day_hour,
    period_of,
    previous_range,
    to_local,
)

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Berlin", "America/New_York", "Asia/Kathmandu")


def test_the_same_moment_is_a_different_day_in_each_indonesian_zone():
    moment = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 23.30 WIB, 00.30 WITA, 01.30 WIT
    assert local_day_hour(moment, "Asia/Jakarta") == (date(2026, 3, 1), 23)
    assert local_day_hour(moment, "Asia/Makassar") == (date(2026, 3, 2), 0)
    assert local_day_hour(moment, "Asia/Jayapura") == (date(2026, 3, 2), 1)


def test_periods_are_named_by_their_first_day():
    thursday = date(2026, 1, 1)  # ISO week 2026-W01 starts on Monday 29 December 2025
    assert period_of(thursday, 9, Grain.week) == Period(Grain.week, date(2025, 12, 29))
    assert period_of(thursday, 9, Grain.week).label() == "2026-W01"
    assert period_of(date(2026, 2, 17), None, Grain.month).label() == "2026-02"
    assert period_of(date(2026, 2, 17), 8, Grain.hour).label() == "2026-02-17 08.00"
    assert period_of(date(2026, 2, 17), None, Grain.range, date(2026, 2, 1)) == Period(Grain.range, date(2026, 2, 1))
    with pytest.raises(ValueError):
        period_of(date(2026, 2, 17), None, Grain.hour)


def test_previous_period_has_equal_length():
    assert previous_range(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 1, 29), date(2026, 2, 28))
    assert previous_range(date(2026, 3, 2), date(2026, 3, 2)) == (date(2026, 3, 1), date(2026, 3, 1))
    with pytest.raises(ValueError):
        previous_range(date(2026, 3, 2), date(2026, 3, 1))


def test_a_dst_day_has_23_hours():
    start, end = day_bounds(date(2026, 3, 29), "Europe/Berlin")
    assert end - start == timedelta(hours=23)
    assert len(list(hour_pieces(start, end, "Europe/Berlin"))) == 23


@given(st.sampled_from(ZONES), st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1)),
       st.integers(min_value=0, max_value=3 * 86400 * 10**6))
def test_hour_pieces_cover_the_interval_each_in_one_local_hour(tz, naive_start, length_us):
    start = naive_start.replace(tzinfo=UTC)
    end = start + timedelta(microseconds=length_us)
    pieces = list(hour_pieces(start, end, tz))
    assert sum((b - a for _, _, a, b in pieces), timedelta(0)) == end - start
    cur = start
    for day, hour, a, b in pieces:
        assert a == cur and b > a
        cur = b
        last = to_local(b - timedelta(microseconds=1), tz)
        assert (to_local(a, tz).date(), to_local(a, tz).hour) == (day, hour) == (last.date(), last.hour)
