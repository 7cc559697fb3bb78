"""Simulated days and counter recommendations, as the site manager compares plans."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.errors import DomainError
from satupintu.staffing.capacity import recommend_counters
from satupintu.staffing.simulation import (
    ServiceTimes,
    Visitor,
    make_visitors,
    run_day,
    simulate_day,
)

SERVICES = [ServiceTimes("DKC-KTP", "DUKCAPIL", (4.0, 5.0, 6.0, 12.0), 2.0),
            ServiceTimes("DKC-AKTA", "DUKCAPIL", (8.0, 10.0)),
            ServiceTimes("SAM-PKB", "SAMSAT", (3.0, 4.0))]
ARRIVALS = {"DUKCAPIL": {7: 10, 8: 40, 9: 35, 10: 20, 11: 10, 12: 5, 13: 5, 14: 5},
            "SAMSAT": {8: 20, 9: 20, 10: 10}}


def test_same_seed_gives_the_same_day():
    """The manager can re-run a plan and see identical figures."""
    plan = {"DUKCAPIL": {8: 4}, "SAMSAT": {8: 2}}
    a = simulate_day(ARRIVALS, SERVICES, plan, seed=4)
    b = simulate_day(ARRIVALS, SERVICES, plan, seed=4)
    assert a == b
    assert {h.agency for h in a.hours} == {"DUKCAPIL", "SAMSAT"}


def test_service_times_come_from_the_measured_durations():
    """Durations are drawn from what was measured (with replacement), never invented."""
    visitors = make_visitors(random.Random(1), ARRIVALS, SERVICES)
    measured = {s.service: set(s.durations) for s in SERVICES}
    assert visitors and all(v.duration in measured[v.service] for v in visitors)
    ktp = sum(1 for v in visitors if v.service == "DKC-KTP")
    akta = sum(1 for v in visitors if v.service == "DKC-AKTA")
    assert ktp > akta  # KTP weighs twice as much


def test_priority_visitors_go_first_but_at_most_three_in_a_row():
    """Five priority visitors and one regular at one counter: the regular one is called fourth."""
    visitors = [Visitor(0.0, "D", "x", True, 1.0) for _ in range(5)] + [Visitor(0.0, "D", "x", False, 1.0)]
    outcome = run_day(visitors, {"D": {0: 1}})
    regular = next(w for v, w, _ in outcome if not v.priority)
    assert regular == pytest.approx(3.0)
    assert max(q for _, _, q in outcome) == 6


def test_visitors_before_opening_wait_for_the_first_counter():
    """Arrivals at 07:30 wait until the counters open at 08:00."""
    outcome = run_day([Visitor(450.0, "D", "x", False, 5.0)], {"D": {8: 1}})
    assert outcome[0][1] == pytest.approx(30.0)


def test_agency_without_counters_leaves_visitors_unserved():
    result = simulate_day({"SAMSAT": {8: 5}}, SERVICES, {"SAMSAT": {8: 0}}, seed=1)
    assert result.unserved > 0 and result.hours[0].served == 0 and result.hours[0].within_target == 0


def test_invalid_simulation_input_is_refused_in_indonesian():
    with pytest.raises(DomainError) as err:
        ServiceTimes("X", "D", ())
    assert err.value.field == "durations"
    with pytest.raises(DomainError) as err:
        simulate_day(ARRIVALS, SERVICES, {"DUKCAPIL": {8: -1}})
    assert "tidak boleh negatif" in err.value.message


@settings(max_examples=20, deadline=None)
@given(base=st.integers(1, 4), seed=st.integers(0, 1000))
def test_more_counters_do_not_make_the_day_longer(base, seed):
    """With the same visitors, one more counter never raises the day's mean wait."""
    def mean_wait(n):
        r = simulate_day(ARRIVALS, SERVICES, {"DUKCAPIL": {8: n}, "SAMSAT": {8: 2}}, seed=seed)
        rows = [h for h in r.hours if h.agency == "DUKCAPIL"]
        return sum(h.mean_wait * h.served for h in rows) / sum(h.served for h in rows)
    assert mean_wait(base + 1) <= mean_wait(base) + 1e-9


def test_recommendation_shows_waits_before_and_after():
    """Dukcapil with 2 counters all day: Erlang C recommends more in the peak, and the simulated
    wait per hour drops; the afternoon needs fewer counters."""
    rec = recommend_counters(ARRIVALS, SERVICES, {"DUKCAPIL": {8: 2}, "SAMSAT": {8: 2}}, target_wait=15,
                             target_level=0.8, replications=3, seed=2)
    peak = next(h for h in rec.hours if h.agency == "DUKCAPIL" and h.hour == 9)
    assert peak.current == 2 and peak.recommended > 2
    assert peak.erlang_level >= 0.8
    assert peak.after.mean_wait < peak.before.mean_wait
    early = next(h for h in rec.hours if h.agency == "DUKCAPIL" and h.hour == 7)
    assert early.recommended == 0  # before opening nobody is rostered; the queue waits for 08:00
    late = next(h for h in rec.hours if h.agency == "DUKCAPIL" and h.hour == 14)
    assert late.recommended <= peak.recommended


def test_recommendation_respects_the_counters_an_agency_has():
    rec = recommend_counters(ARRIVALS, SERVICES, {"DUKCAPIL": {8: 2}, "SAMSAT": {8: 2}},
                             max_counters={"DUKCAPIL": 3}, replications=1)
    dukcapil = [h for h in rec.hours if h.agency == "DUKCAPIL"]
    assert max(h.recommended for h in dukcapil) == 3 and any(h.capped for h in dukcapil)
