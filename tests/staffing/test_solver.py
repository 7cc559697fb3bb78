"""Roster generation: a roster that passes the check, or the exact reason there is none."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satupintu.errors import DomainError
from satupintu.staffing.roster import BreakRules, Counter, Officer, Opening, check_roster, summarize
from satupintu.staffing.solver import RosterProblem, precheck, solve_roster

MONDAY, FRIDAY = date(2026, 1, 12), date(2026, 1, 16)
KTP, AKTA, SIM = "DKC-KTP", "DKC-AKTA", "POL-SIM"


def officer(i: int, services=(KTP, AKTA), agency="DUKCAPIL", **kw) -> Officer:
    return Officer(f"o{i}", f"Petugas {i}", agency, frozenset(services), **kw)


def counter(i: int, services=(KTP,), agency="DUKCAPIL") -> Counter:
    return Counter(f"c{i}", f"Loket {i}", agency, frozenset(services))


def checked(problem: RosterProblem, limit: float = 10.0):
    result = solve_roster(problem, time_limit_s=limit)
    assert result.ok, result.reasons
    findings = check_roster(result.assignments, problem.counters, problem.officers, problem.openings, problem.rules)
    return result, findings


def test_counters_stay_staffed_through_breaks_and_friday_prayer():
    """Two counters open 08:00–15:00 Monday and Friday: the manager gets a roster with no gaps,
    every officer has a break, flagged men are off 11:30–13:00 on Friday."""
    counters = (counter(1), counter(2, (AKTA,)))
    officers = tuple(officer(i, friday_prayer=(i % 2 == 0)) for i in range(1, 6))
    openings = tuple(Opening(c.id, d, 480, 900) for c in counters for d in (MONDAY, FRIDAY))
    problem = RosterProblem((MONDAY, FRIDAY), counters, officers, openings)
    result, findings = checked(problem, limit=3)
    assert findings == []
    on_c1 = {a.officer_id for a in result.assignments if a.counter_id == "c1" and a.day == MONDAY}
    assert len(on_c1) >= 2  # 7 hours > 4 hours without a break: someone covers
    for day in summarize(result.assignments):
        assert day.work_minutes <= 480
    assert not any(a.day == FRIDAY and a.officer_id in ("o2", "o4") and a.start < 780 and a.end > 690
                   for a in result.assignments)


def test_breaks_are_spread_and_hours_balanced():
    """Four officers, two counters all day: not everyone breaks at once; hours differ by <= 1 h."""
    counters = (counter(1), counter(2))
    officers = tuple(officer(i) for i in range(1, 5))
    openings = tuple(Opening(c.id, MONDAY, 480, 900) for c in counters)
    result, findings = checked(RosterProblem((MONDAY,), counters, officers, openings))
    assert findings == []
    days = summarize(result.assignments)
    hours = sorted(d.work_minutes for d in days)
    assert hours[-1] - hours[0] <= 60
    for minute in range(480, 900, 30):
        on_break = sum(1 for d in days for s, e in d.breaks if s <= minute < e)
        assert on_break <= 2  # 4 officers, 2 counters: at most the 2 spare ones rest


def test_impossible_when_too_few_officers_may_serve_names_counters_and_hours():
    """Two DUKCAPIL counters 08:00–09:00, only one officer may serve them: the manager reads
    'Loket 4, Loket 5 (DUKCAPIL) Senin 12-01-2026 08:00–09:00: hanya 1 petugas yang boleh melayani, dibutuhkan 2.'"""
    counters = (counter(4, (AKTA,)), counter(5, (AKTA,)))
    officers = (officer(1, (KTP, AKTA)), officer(2, (KTP,)), officer(3, (KTP,)))
    openings = tuple(Opening(c.id, MONDAY, 480, 540) for c in counters)
    result = solve_roster(RosterProblem((MONDAY,), counters, officers, openings))
    assert result.status == "infeasible"
    assert [r.message for r in result.reasons] == [
        "Loket 4, Loket 5 (DUKCAPIL) Senin 12-01-2026 08:00–09:00: hanya 1 petugas yang boleh melayani, dibutuhkan 2."]
    assert result.reasons[0].counter_ids == ("c4", "c5")


def test_one_counter_without_any_qualified_officer_is_named_alone():
    counters = (counter(1), counter(7, (SIM,), "POLRES"))
    officers = (officer(1), officer(2))
    openings = (Opening("c1", MONDAY, 480, 600), Opening("c7", MONDAY, 540, 600))
    reasons = precheck(RosterProblem((MONDAY,), counters, officers, openings))
    assert [r.message for r in reasons] == [
        "Loket 7 (POLRES) Senin 12-01-2026 09:00–10:00: hanya 0 petugas yang boleh melayani, dibutuhkan 1."]


def test_impossible_weekly_hours_are_named():
    """One officer for a counter open 7 h on 6 days with 40 h a week: the weekly limit is named."""
    days = tuple(date(2026, 1, 12 + i) for i in range(6))
    openings = tuple(Opening("c1", d, 480, 900) for d in days)
    result = solve_roster(RosterProblem(days, (counter(1),), (officer(1),), openings,
                                        BreakRules(max_continuous_minutes=480)))
    assert result.status == "infeasible"
    assert result.reasons[0].kind == "weekly_hours"
    assert result.reasons[0].message == ("Loket 1 (DUKCAPIL): seminggu butuh 42 jam petugas, petugas yang boleh "
                                         "melayani paling banyak 40 jam (batas jam kerja mingguan).")


def test_impossible_break_rule_is_named_by_cp_sat():
    """One officer for a counter open 7 h with a break due after 4 h: nobody can cover the break;
    the manager reads which counter and which rule of which officer make it impossible."""
    problem = RosterProblem((MONDAY,), (counter(1),), (officer(1),), (Opening("c1", MONDAY, 480, 900),))
    assert precheck(problem) == []
    result = solve_roster(problem, time_limit_s=10)
    assert result.status == "infeasible"
    assert [r.message for r in result.reasons] == [
        "Loket 1 (DUKCAPIL) Senin 12-01-2026 08:00–15:00: tidak dapat dijaga penuh karena aturan istirahat "
        "(Petugas 1)."]


def test_invalid_problem_is_refused_in_indonesian():
    with pytest.raises(DomainError) as err:
        RosterProblem((MONDAY,), (counter(1),), (officer(1),), (Opening("c9", MONDAY, 480, 540),))
    assert err.value.field == "openings" and "tidak ditemukan" in err.value.message
    with pytest.raises(DomainError) as err:
        RosterProblem((MONDAY,), (), (), (), slot_minutes=20)
    assert err.value.field == "slot_minutes"


@st.composite
def small_problems(draw):
    n_counters = draw(st.integers(1, 3))
    counters = tuple(counter(i, (draw(st.sampled_from([KTP, AKTA])),)) for i in range(1, n_counters + 1))
    officers = tuple(
        officer(i, draw(st.sampled_from([(KTP,), (AKTA,), (KTP, AKTA)])), friday_prayer=draw(st.booleans()),
                max_minutes_per_day=draw(st.sampled_from([240, 360, 480])))
        for i in range(1, draw(st.integers(1, 6)) + 1))
    day = draw(st.sampled_from([MONDAY, FRIDAY]))
    openings = []
    for c in counters:
        start = draw(st.integers(16, 22)) * 30
        end = draw(st.integers(start // 30 + 1, 30)) * 30
        openings.append(Opening(c.id, day, start, end))
    return RosterProblem((day,), counters, officers, tuple(openings))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=small_problems())
def test_solver_output_always_passes_the_checker(problem):
    """Whatever the site looks like, a generated roster has no findings; otherwise a reason is given."""
    result = solve_roster(problem, time_limit_s=5, explain_time_limit_s=5)
    if result.ok:
        assert check_roster(result.assignments, problem.counters, problem.officers, problem.openings,
                            problem.rules) == []
    else:
        assert result.status == "infeasible" and result.reasons and all(r.message for r in result.reasons)
