"""Calling order, numbering and the ticket state machine: pure rules, with hypothesis."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.queueing import policy
from satupintu.queueing.policy import (
    Action,
    Candidate,
    PolicyConfig,
    Status,
    booking_ready_at,
    choose_next,
    day_slots,
    estimate_wait,
    format_number,
    local_day,
    next_streak,
    transition,
)

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_numbers_read_like_the_tickets_citizens_know():
    assert format_number("A", 12) == "A-012"
    assert format_number("B", 1000) == "B-1000"


def test_the_numbering_day_is_the_sites_local_day():
    late_utc = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 24th
    assert local_day(late_utc, "Asia/Jakarta") == date(2026, 11, 24)
    assert local_day(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), "Asia/Jayapura") == date(2026, 11, 24)
    assert local_day(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), "Asia/Jakarta") == date(2026, 11, 23)


def test_priority_first_then_arrival_order():
    a = Candidate("reg", False, T0)
    b = Candidate("pri", True, T0 + timedelta(minutes=5))
    assert choose_next([a, b], 0, PolicyConfig()).key == "pri"
    assert choose_next([a], 0, PolicyConfig()).key == "reg"
    assert choose_next([], 0, PolicyConfig()) is None


def test_after_the_streak_limit_a_regular_visitor_is_called():
    a = Candidate("reg", False, T0)
    b = Candidate("pri", True, T0)
    assert choose_next([a, b], 3, PolicyConfig(max_priority_streak=3)).key == "reg"
    assert choose_next([b], 3, PolicyConfig(max_priority_streak=3)).key == "pri"  # nobody regular waits


@settings(max_examples=300)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 500)), min_size=1, max_size=40), st.integers(1, 5))
def test_simulated_calls_never_starve_regular_visitors_and_keep_class_order(tickets, limit):
    cfg = PolicyConfig(max_priority_streak=limit)
    waiting = [Candidate(i, pri, T0 + timedelta(minutes=m), i) for i, (pri, m) in enumerate(tickets)]
    streak, called = 0, []
    while waiting:
        c = choose_next(waiting, streak, cfg)
        waiting.remove(c)
        streak = next_streak(streak, c.priority)
        called.append(c)
        # Never more than `limit` priority calls in a row while a regular visitor waits.
        assert streak <= limit or not any(not w.priority for w in waiting)
    for cls in (True, False):
        order = [(c.ready_at, c.tiebreak) for c in called if c.priority is cls]
        assert order == sorted(order)  # within a class, first come first served
    assert len(called) == len(tickets)  # nobody lost


@given(st.permutations(list(range(8))))
def test_the_choice_does_not_depend_on_the_order_candidates_are_listed(perm):
    cands = [Candidate(i, i % 3 == 0, T0 + timedelta(minutes=i // 2), i) for i in range(8)]
    shuffled = [cands[i] for i in perm]
    assert choose_next(shuffled, 1, PolicyConfig()) == choose_next(cands, 1, PolicyConfig())


@given(st.booleans(), st.booleans(), st.integers(0, 8), st.integers(1, 5))
def test_looking_in_the_preferred_class_first_calls_whom_the_policy_would_call(has_pri, has_reg, streak, limit):
    """The counter's fast path asks one class first and stops when it finds someone: that
    visitor must be the one choose_next picks from both classes."""
    cfg = PolicyConfig(max_priority_streak=limit)
    cands = ([Candidate("pri", True, T0)] if has_pri else []) + ([Candidate("reg", False, T0)] if has_reg else [])
    first = policy.prefers_priority(streak, cfg)
    found = [c for c in cands if c.priority is first] or [c for c in cands if c.priority is not first]
    expected = choose_next(cands, streak, cfg)
    assert (found[0] if found else None) == expected


LEGAL = sorted(policy.TRANSITIONS, key=lambda k: (k[0].value, k[1].value))


@pytest.mark.parametrize("status, action", LEGAL)
def test_each_legal_transition(status, action):
    assert transition(status, action) is policy.TRANSITIONS[(status, action)]


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)))
def test_illegal_transitions_are_refused(status, action):
    if (status, action) in policy.TRANSITIONS:
        return
    with pytest.raises(policy.IllegalTransition):
        transition(status, action)


def test_final_states_accept_nothing_and_finishing_needs_serving():
    for final in policy.FINAL:
        assert not any(s is final for s, _ in policy.TRANSITIONS)
    with pytest.raises(policy.IllegalTransition):
        transition(Status.waiting, Action.finish)  # a ticket never called cannot be finished


@settings(max_examples=300)
@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_any_sequence_of_actions_only_visits_reachable_states(actions):
    status = Status.waiting
    for a in actions:
        try:
            status = transition(status, a)
        except policy.IllegalTransition:
            continue
        assert status in Status


def test_bookings_keep_their_slot_unless_later_than_the_grace():
    slot = T0
    grace = timedelta(minutes=15)
    assert booking_ready_at(slot, slot - timedelta(minutes=40), grace) == slot  # early: at slot time
    assert booking_ready_at(slot, slot + timedelta(minutes=10), grace) == slot  # a little late: still
    late = slot + timedelta(minutes=16)
    assert booking_ready_at(slot, late, grace) == late  # too late: walk-in order


def test_waiting_estimate_grows_with_the_queue_and_shrinks_with_counters():
    avg = timedelta(minutes=6)
    assert estimate_wait(0, avg, 2) == timedelta(0)
    assert estimate_wait(4, avg, 2) == timedelta(minutes=12)
    assert estimate_wait(5, avg, 2) == timedelta(minutes=18)
    assert estimate_wait(3, avg, 0) == timedelta(minutes=18)


@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 20))
def test_more_people_ahead_never_means_a_shorter_wait(a, b, counters):
    avg = timedelta(minutes=5)
    lo, hi = sorted((a, b))
    assert estimate_wait(lo, avg, counters) <= estimate_wait(hi, avg, counters)


def test_slots_cover_the_opening_hours_in_utc():
    slots = day_slots(date(2026, 11, 23), time(8), time(15), 30, "Asia/Jakarta")
    assert len(slots) == 14
    assert slots[0].start == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert slots[-1].end == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    wita = day_slots(date(2026, 11, 23), time(8), time(9), 45, "Asia/Makassar")
    assert len(wita) == 1 and wita[0].start.hour == 0


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
       st.integers(0, 14 * 24 * 60), st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]))
def test_a_booking_reminder_is_never_in_the_past_nor_after_the_slot(now, minutes_ahead, tz):
    now = now.replace(tzinfo=UTC)
    slot = now + timedelta(minutes=minutes_ahead)
    when = policy.reminder_at(slot, now, tz)
    if when is not None:
        assert now < when < slot
    else:  # only when even two hours before the slot has passed
        assert slot - timedelta(hours=2) <= now


def test_a_booking_reminder_goes_out_at_four_the_afternoon_before():
    slot = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 09:00 WIB
    assert policy.reminder_at(slot, datetime(2026, 11, 20, tzinfo=UTC), "Asia/Jakarta") == \
        datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 16:00 WIB
    late = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # booked Wednesday 03:00 WIB
    assert policy.reminder_at(slot, late, "Asia/Jakarta") == slot - timedelta(hours=2)
