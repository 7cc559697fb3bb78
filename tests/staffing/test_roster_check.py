"""The roster check as the site manager reads it: every gap and every broken rule, by minute."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.errors import DomainError
from satupintu.staffing.roster import (
    Assignment,
    BreakRules,
    Counter,
    FindingKind,
    HourPlan,
    Officer,
    Opening,
    Shift,
    check_roster,
    openings_from_plan,
    summarize,
    weekly_allowance,
)

MONDAY = date(2026, 1, 12)
FRIDAY = date(2026, 1, 16)
KTP, AKTA = "DKC-KTP", "DKC-AKTA"

C1 = Counter("c1", "Loket 1", "DUKCAPIL", frozenset({KTP}))
C2 = Counter("c2", "Loket 2", "DUKCAPIL", frozenset({AKTA}))
BUDI = Officer("o1", "Budi", "DUKCAPIL", frozenset({KTP, AKTA}), friday_prayer=True)
SARI = Officer("o2", "Sari", "DUKCAPIL", frozenset({KTP, AKTA}))
AGUS = Officer("o3", "Agus", "DUKCAPIL", frozenset({KTP}))
COUNTERS, OFFICERS = [C1, C2], [BUDI, SARI, AGUS]


def opening(day=MONDAY, counter=C1, start=480, end=900):
    return Opening(counter.id, day, start, end)


def check(assignments, openings, days=None):
    return check_roster(assignments, COUNTERS, OFFICERS, openings, BreakRules(), days)


def good_monday() -> list[Assignment]:
    """Loket 1 08:00–15:00: Budi 08–12 and 12:30–15, Agus covers Budi's break 12:00–12:30."""
    return [*Shift("o1", "c1", MONDAY, 480, 900, ((720, 750),)).assignments(),
            Assignment("o3", "c1", MONDAY, 720, 750)]


def test_a_fully_staffed_day_with_covered_breaks_has_no_findings():
    assert check(good_monday(), [opening()]) == []


def test_an_uncovered_break_shows_the_empty_counter_minutes():
    """Budi's break 12:00–12:30 without cover: 'Loket 1 (DUKCAPIL) ... 12:00–12:30: loket buka tanpa petugas'."""
    roster = Shift("o1", "c1", MONDAY, 480, 900, ((720, 750),)).assignments()
    findings = check(roster, [opening()])
    assert [(f.kind, f.start, f.end, f.counter_id) for f in findings] == [(FindingKind.uncovered, 720, 750, "c1")]
    assert findings[0].message == "Loket 1 (DUKCAPIL) Senin 12-01-2026 12:00–12:30: loket buka tanpa petugas."


def test_double_booking_is_found_with_both_counters_named():
    roster = good_monday() + [Assignment("o1", "c2", MONDAY, 600, 660)]
    found = [f for f in check(roster, [opening()]) if f.kind == FindingKind.double_booked]
    assert [(f.officer_id, f.start, f.end) for f in found] == [("o1", 600, 660)]
    assert "Loket 1, Loket 2" in found[0].message and "Budi" in found[0].message


def test_officer_at_a_counter_with_a_service_they_may_not_serve():
    """Agus may serve KTP only; at Loket 2 (akta) the manager sees the service named."""
    roster = [Assignment("o3", "c2", MONDAY, 480, 600)]
    found = check(roster, [opening(counter=C2, end=600)])
    assert [(f.kind, f.officer_id, f.start, f.end) for f in found] == [(FindingKind.not_allowed, "o3", 480, 600)]
    assert AKTA in found[0].message


def test_working_past_the_daily_limit_starts_where_the_limit_is_reached():
    """Sari may work 8 h; working 07:00–12:00 and 12:30–17:00 passes the limit at 15:30."""
    roster = [Assignment("o2", "c1", MONDAY, 420, 720), Assignment("o2", "c1", MONDAY, 750, 1020)]
    found = [f for f in check(roster, []) if f.kind == FindingKind.over_daily]
    assert [(f.start, f.end) for f in found] == [(930, 1020)]


def test_working_past_the_weekly_limit():
    """Sari at 40 h a week: six 7-hour days pass the limit on Saturday at 13:30."""
    days = [date(2026, 1, 12 + i) for i in range(6)]
    roster = [a for d in days for a in Shift("o2", "c1", d, 480, 930, ((720, 750),)).assignments()]
    found = [f for f in check(roster, []) if f.kind == FindingKind.over_weekly]
    assert [(f.day, f.start, f.end) for f in found] == [(days[5], 810, 930)]


def test_too_long_without_a_break_and_short_gaps_do_not_count():
    """A 10-minute gap is not a break: 08:00–13:10 with a gap 10:00–10:10 is flagged from 12:10."""
    roster = [Assignment("o2", "c1", MONDAY, 480, 600), Assignment("o2", "c1", MONDAY, 610, 790)]
    found = [f for f in check(roster, []) if f.kind == FindingKind.no_break]
    assert [(f.start, f.end) for f in found] == [(720, 790)]


def test_friday_prayer_break_is_respected_for_flagged_officers_only():
    roster = [Assignment("o1", "c1", FRIDAY, 660, 720), Assignment("o2", "c1", FRIDAY, 720, 780)]
    found = [f for f in check(roster, []) if f.kind == FindingKind.friday_prayer]
    assert [(f.officer_id, f.start, f.end) for f in found] == [("o1", 690, 720)]
    assert "salat Jumat" in found[0].message


def test_scheduled_on_a_day_off():
    off = Officer("o4", "Rina", "DUKCAPIL", frozenset({KTP}), days_off=frozenset({MONDAY}))
    found = check_roster([Assignment("o4", "c1", MONDAY, 480, 540)], COUNTERS, [*OFFICERS, off], [])
    assert [f.kind for f in found] == [FindingKind.day_off]


def test_check_can_be_limited_to_one_day_of_the_week():
    openings = [opening(), opening(day=date(2026, 1, 13))]
    assert [f.day for f in check(good_monday(), openings)] == [date(2026, 1, 13)]
    assert check(good_monday(), openings, days=[MONDAY]) == []


def test_unknown_officer_is_refused_in_indonesian():
    with pytest.raises(DomainError) as err:
        check([Assignment("nobody", "c1", MONDAY, 480, 540)], [])
    assert err.value.field == "officer_id" and "tidak ditemukan" in err.value.message


def test_invalid_time_range_is_refused():
    with pytest.raises(DomainError):
        Assignment("o1", "c1", MONDAY, 600, 600)


def test_summary_shows_each_officer_day_with_breaks():
    (budi, agus) = summarize(good_monday())
    assert (budi.officer_id, budi.start, budi.end, budi.work_minutes, budi.breaks) == ("o1", 480, 900, 390,
                                                                                        ((720, 750),))
    assert agus.work_minutes == 30


def test_counters_per_hour_become_openings_of_concrete_counters():
    plans = [HourPlan("DUKCAPIL", MONDAY, 8, 2), HourPlan("DUKCAPIL", MONDAY, 9, 2),
             HourPlan("DUKCAPIL", MONDAY, 10, 1)]
    assert openings_from_plan(plans, COUNTERS) == [Opening("c1", MONDAY, 480, 660), Opening("c2", MONDAY, 480, 600)]
    with pytest.raises(DomainError) as err:
        openings_from_plan([HourPlan("DUKCAPIL", MONDAY, 8, 3)], COUNTERS)
    assert "hanya ada 2 loket" in err.value.message


@settings(max_examples=60, deadline=None)
@given(start=st.integers(480, 880), length=st.integers(1, 60))
def test_removing_an_officer_leaves_a_gap_exactly_where_they_were(start, length):
    """Take a piece out of Budi's shift: the manager sees exactly that piece as an empty counter."""
    end = min(900, start + length)
    roster = [Assignment("o2", "c1", MONDAY, 480, 900)]
    full = check_roster(roster, COUNTERS, OFFICERS, [opening()], BreakRules(max_continuous_minutes=600))
    assert full == []
    cut = [Assignment("o2", "c1", MONDAY, 480, start)] if start > 480 else []
    if end < 900:
        cut.append(Assignment("o2", "c1", MONDAY, end, 900))
    found = check_roster(cut, COUNTERS, OFFICERS, [opening()], BreakRules(max_continuous_minutes=600))
    assert [(f.kind, f.start, f.end) for f in found] == [(FindingKind.uncovered, start, end)]


# ---------------------------------------------------------------- weekly allowance for generation

_MON = date(2026, 11, 23)  # a Monday


def test_generating_friday_leaves_only_what_monday_to_thursday_did_not_use_of_the_week():
    sari = Officer("s", "Sari", "DUKCAPIL", frozenset({"DKC-01"}), max_minutes_per_week=2400)
    saved = [Assignment("s", "c1", _MON + timedelta(days=d), 480, 960) for d in range(4)]  # 4 x 8 h
    saved.append(Assignment("s", "c1", _MON + timedelta(days=4), 480, 960))  # Friday itself: being replaced
    saved.append(Assignment("s", "c1", _MON - timedelta(days=1), 480, 960))  # last week's Sunday
    (allowed,) = weekly_allowance([sari], saved, [_MON + timedelta(days=4)])
    assert allowed.max_minutes_per_week == 2400 - 4 * 480
    (untouched,) = weekly_allowance([sari], [], [_MON + timedelta(days=4)])
    assert untouched is sari


@given(st.lists(st.tuples(st.integers(0, 13), st.integers(0, 1380), st.integers(1, 600)), max_size=12),
       st.sets(st.integers(0, 13), min_size=1, max_size=3), st.integers(0, 3000))
def test_the_weekly_allowance_never_grows_never_goes_negative_and_ignores_the_days_rostered(shifts, picked, limit):
    officer = Officer("o", "Budi", "DINSOS", frozenset({"SOS-01"}), max_minutes_per_week=limit)
    saved = [Assignment("o", "c", _MON + timedelta(days=d), s, min(1440, s + n)) for d, s, n in shifts]
    days = [_MON + timedelta(days=d) for d in picked]
    (allowed,) = weekly_allowance([officer], saved, days)
    assert 0 <= allowed.max_minutes_per_week <= limit
    others = [a for a in saved if a.day not in set(days)]
    assert weekly_allowance([officer], others, days) == [allowed]  # the days themselves never count
    if not others:
        assert allowed.max_minutes_per_week == limit
