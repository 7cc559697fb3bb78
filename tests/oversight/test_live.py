"""The live dashboard's rules: what waits per agency adds up to what waits, a wait is never
negative (a clock running behind gives 0 minutes), the longest wait is the earliest ticket, the
counters are open or closed and an idle one is an open one serving nobody, and the alerts are the
overview's two (an open counter without an officer, a wait past the threshold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.oversight import live

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 WIB
AGENCIES = ("A", "B", "C")

waiting_tickets = st.lists(st.builds(
    live.Waiting, number=st.from_regex(r"[A-C]-0[0-9]{2}", fullmatch=True), agency=st.sampled_from(AGENCIES + ("X",)),
    service=st.just("Layanan"),
    issued_at=st.integers(-120, 600).map(lambda m: NOW - timedelta(minutes=m))), max_size=40)
counters = st.lists(st.builds(live.Counter, number=st.integers(1, 30), agency=st.sampled_from(AGENCIES),
                              is_open=st.booleans(), serving=st.booleans(), has_officer=st.booleans()), max_size=20)


@given(waiting_tickets)
def test_waiting_per_agency_sums_to_everyone_waiting_and_no_wait_is_negative(waiting):
    rows = live.per_agency(waiting, AGENCIES, NOW)
    assert sum(r.waiting for r in rows) == len(waiting)
    assert [r.agency for r in rows][:3] == list(AGENCIES)  # every listed agency, nobody waiting or not
    for r in rows:
        assert (r.oldest_minutes is None) == (r.waiting == 0)
        assert r.oldest_minutes is None or r.oldest_minutes >= 0
    longest = live.longest(waiting, NOW)
    if waiting:
        assert longest is not None and longest.minutes >= 0
        assert longest.minutes == max(r.oldest_minutes or 0 for r in rows)
    else:
        assert longest is None


@given(counters)
def test_counters_are_open_or_closed_and_idle_ones_are_open(cs):
    t = live.tally(cs)
    assert t.open + t.closed == len(cs)
    assert 0 <= t.idle <= t.open
    assert t.idle == sum(1 for c in cs if c.is_open and not c.serving)


@given(counters, waiting_tickets, st.integers(0, 120))
def test_alerts_name_each_unstaffed_open_counter_and_each_late_agency(cs, waiting, threshold):
    rows = live.per_agency(waiting, AGENCIES, NOW)
    out = live.alerts(cs, rows, threshold)
    assert [a.counter for a in out if a.kind == "no_officer"] == sorted(
        c.number for c in cs if c.is_open and not c.has_officer)
    late = [a for a in out if a.kind == "long_wait"]
    assert {a.agency for a in late} == {r.agency for r in rows if (r.oldest_minutes or 0) > threshold}
    assert all(a.minutes is not None and a.minutes > threshold for a in late)


def test_a_day_at_ten():
    """Two waiting at A since 09:20 and 09:50, one at B since 09:58, a ticket from a clock ahead at C:
    A's longest wait is 40 minutes, past a 30-minute threshold; C has waited 0 minutes, not -2."""
    waiting = [live.Waiting("A-002", "A", "KTP", NOW - timedelta(minutes=10)),
               live.Waiting("A-001", "A", "KTP", NOW - timedelta(minutes=40)),
               live.Waiting("B-001", "B", "Izin", NOW - timedelta(minutes=2)),
               live.Waiting("C-001", "C", "Akta", NOW + timedelta(minutes=2))]
    rows = live.per_agency(waiting, AGENCIES, NOW)
    assert [(r.agency, r.waiting, r.oldest_minutes) for r in rows] == [("A", 2, 40), ("B", 1, 2), ("C", 1, 0)]
    assert live.longest(waiting, NOW) == live.LongestWait("A-001", "A", "KTP", 40)
    cs = [live.Counter(1, "A", True, True, True), live.Counter(2, "B", True, False, False),
          live.Counter(3, "C", False, False, False)]
    assert live.tally(cs) == live.CounterTally(open=2, closed=1, idle=1)
    assert live.alerts(cs, rows, 30) == [live.Alert("no_officer", "B", 2, None), live.Alert("long_wait", "A", None, 40)]


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        live.Waiting("A-001", "A", "KTP", datetime(2026, 12, 1, 3, 0))
