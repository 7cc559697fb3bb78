"""Facts from raw events: first call, last start, outcomes, counter spans, clamped durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.oversight.facts import (
    BookingFact,
    BookingOutcome,
    ComplaintFact,
    CounterLogEntry,
    Facts,
    Outcome,
    TicketFact,
    counter_spans,
    ticket_fact,
)
from satupintu.oversight.measures import MeasureSettings, summarize
from satupintu.oversight.rollup import rollup
from satupintu.queueing.policy import Channel, Priority, Status

from .helpers import AS_OF, MONDAY, TZ, at, ev, mon


def fact(events, **kw):
    return ticket_fact(ticket_id="T", visit_id="V", site_id="S", agency_id="A", service_id="A1",
                       channel=kw.pop("channel", Channel.kiosk), priority=Priority.none, events=events, **kw)


def test_recalls_and_a_requeue_do_not_move_the_first_call():
    """Called 08:10, recalled 08:12, no-show 08:15, back in the queue 08:20, called again 08:30 by
    another officer at another counter, served 08:31-08:40: the wait is 10 minutes, the officer
    and counter are the ones who served."""
    t = fact([ev(mon(8, 0), "issued", "waiting"), ev(mon(8, 10), "called", "called", "C1", "O1"),
              ev(mon(8, 12), "recalled", "called", "C1", "O1"), ev(mon(8, 15), "no_show", "no_show", "C1", "O1"),
              ev(mon(8, 20), "requeued", "waiting"), ev(mon(8, 30), "called", "called", "C2", "O2"),
              ev(mon(8, 31), "serving", "serving", "C2", "O2"), ev(mon(8, 40), "finished", "done", "C2", "O2")])
    assert t.wait() == (timedelta(minutes=10), False) and t.service_time() == (timedelta(minutes=9), False)
    assert (t.counter_id, t.officer_id, t.outcome, t.no_show) == ("C2", "O2", Outcome.served, False)


def test_hold_and_resume_keep_the_last_start():
    t = fact([ev(mon(8, 0), "issued", "waiting"), ev(mon(8, 5), "called", "called", "C1", "O1"),
              ev(mon(8, 6), "serving", "serving", "C1", "O1"), ev(mon(8, 9), "held", "on_hold", "C1", "O1"),
              ev(mon(8, 30), "resumed", "waiting"), ev(mon(8, 40), "called", "called", "C1", "O1"),
              ev(mon(8, 41), "serving", "serving", "C1", "O1"), ev(mon(8, 50), "finished", "done", "C1", "O1")])
    assert t.service_time() == (timedelta(minutes=9), False) and t.wait() == (timedelta(minutes=5), False)


@pytest.mark.parametrize(("events", "outcome"), [
    ([ev(mon(8), "issued", "waiting")], Outcome.open),
    ([ev(mon(8), "issued", "waiting"), ev(mon(9), "called", "called", "C1"), ev(mon(9, 1), "no_show", "no_show", "C1")],
     Outcome.no_show),
    ([ev(mon(8), "issued", "waiting"), ev(mon(9), "called", "called", "C1"), ev(mon(9, 1), "no_show", "no_show", "C1"),
      ev(mon(15), "closed", "closed")], Outcome.no_show),
    ([ev(mon(8), "issued", "waiting"), ev(mon(9), "called", "called", "C1"), ev(mon(9, 1), "serving", "serving", "C1"),
      ev(mon(15), "closed", "closed")], Outcome.closed_unserved),
    ([ev(mon(8), "issued", "waiting"), ev(mon(8, 1), "voided", "closed")], Outcome.withdrawn),
])
def test_each_ticket_has_one_outcome(events, outcome):
    t = fact(events)
    assert t.outcome is outcome
    assert t.service_time() is None  # never finished


def test_events_must_start_with_the_issue():
    with pytest.raises(ValueError):
        fact([ev(mon(8), "called", "called")])
    with pytest.raises(ValueError):
        fact([])


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="issued_at"):
        TicketFact("T", "V", "S", "A", "A1", Channel.kiosk, Priority.none, datetime(2026, 3, 2, 8), Status.waiting)


def test_counter_spans_from_the_open_close_log():
    """C1 opened 08:00 by O1, taken over 10:00 by O2 (a new open), closed 12:00; opened again
    13:00 and never closed: cut at local midnight (the end-of-day close leaves no log entry).
    C2 opened 09:00 on the day of `as_of` and still open: cut at as_of. A close without an open
    is ignored."""
    tue = MONDAY + timedelta(days=1)
    c1 = [(mon(8), "open", "O1"), (mon(10), "open", "O2"), (mon(12), "close", None), (mon(13), "open", "O1")]
    c2 = [(mon(7), "close", None), (at(tue, 9), "open", "O3")]
    log = [CounterLogEntry("C1", "S", "A", *e) for e in c1] + [CounterLogEntry("C2", "S", "B", *e) for e in c2]
    spans = counter_spans(log, TZ, as_of=at(tue, 11))
    got = sorted((s.counter_id, s.officer_id, s.opened_at, s.closed_at) for s in spans)
    assert got == [("C1", "O1", mon(8), mon(10)), ("C1", "O1", mon(13), at(tue, 0)), ("C1", "O2", mon(10), mon(12)),
                   ("C2", "O3", at(tue, 9), at(tue, 11))]


def test_bookings_become_no_shows_after_the_grace():
    b = BookingFact("B", "S", "A", "A1", MONDAY, mon(10), "booked", mon(7))
    assert b.outcome(mon(10, 15)) is BookingOutcome.pending
    assert b.outcome(mon(10, 16)) is BookingOutcome.no_show
    with pytest.raises(ValueError):
        BookingFact("B", "S", "A", "A1", MONDAY, mon(10), "lost", mon(7))


def test_complaint_deadlines():
    c = ComplaintFact("K", "S", "diterima", mon(9), mon(17))
    assert not c.verify_overdue(mon(16, 59)) and c.verify_overdue(mon(17))
    closed = ComplaintFact("K", "S", "ditolak", mon(9), mon(17), verified_at=mon(10))
    assert not closed.verify_overdue(AS_OF) and not closed.answer_overdue(AS_OF)
    with pytest.raises(ValueError):
        ComplaintFact("K", "S", "hilang", mon(9), mon(17))


@given(st.lists(st.tuples(st.integers(min_value=-3600, max_value=3600), st.integers(min_value=-600, max_value=600)),
                max_size=20))
def test_times_out_of_order_are_clamped_to_zero_and_counted(offsets):
    """A call recorded before the issue (clock skew) is kept with a wait of 0 and counted as inverted."""
    issued = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    tickets = []
    for i, (call, service) in enumerate(offsets):
        called = issued + timedelta(seconds=call)
        tickets.append(TicketFact(f"T{i}", f"V{i}", "S", "A", "A1", Channel.kiosk, Priority.none, issued, Status.done,
                                  called, called + timedelta(seconds=60), called + timedelta(seconds=60 + service),
                                  "C1"))
    s = summarize(rollup(Facts(tickets=tickets), TZ, as_of=AS_OF), MeasureSettings())
    assert s.inverted == sum(1 for call, service in offsets if call < 0 or service < 0)
    assert s.wait.count == s.service.count == len(offsets)
    for value in (s.wait.mean_s, s.wait.median_s, s.service.mean_s, s.service.p90_s):
        assert value is None or value >= 0
    if offsets:
        assert s.wait.mean_s == pytest.approx(sum(max(0, c) for c, _ in offsets) / len(offsets))
