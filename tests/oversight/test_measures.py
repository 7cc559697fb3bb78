"""Oversight figures: a day computed by hand, then properties over generated facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings

from satupintu.errors import ValidationFailed
from satupintu.oversight.distribution import rank
from satupintu.oversight.facts import Facts, PlanFact, SurveyTallyFact
from satupintu.oversight.measures import (
    MeasureSettings,
    compare,
    exact_heatmap,
    exact_summary,
    heatmap,
    plan_cells,
    plan_coverage,
    referral_matrix,
    report,
    summarize,
    tallies_within,
    where,
)
from satupintu.oversight.periods import Grain, Period, local_day, previous_range
from satupintu.oversight.rollup import rollup

from .helpers import AS_OF, MONDAY, TZ, hand_day
from .strategies import DAYS, site_facts

SUNDAY = MONDAY + timedelta(days=6)
SETTINGS = MeasureSettings(wait_threshold_minutes=15, standard_minutes={"A1": 15, "B1": 20})


def both_ways(facts: Facts, settings: MeasureSettings = SETTINGS):
    rolled = summarize(rollup(facts, TZ, as_of=AS_OF), settings)
    exact = exact_summary(facts, TZ, MONDAY, SUNDAY, settings, as_of=AS_OF)
    return rolled, exact


@pytest.mark.parametrize("way", ["rollups", "exact"])
def test_hand_computed_day(way):
    """One Monday at a WITA site, all times local, every figure worked out on paper.

    Tickets (agency A: services A1 (standard 15 min), A2, counter C1 with officer O1;
    agency B: service B1 (standard 20 min), counter C2 with officer O2):

      T1  V1 A1 kiosk      08:00 called 08:10 start 08:11 referred 08:21 to B1   wait 10  service 10
      T1r V1 B1 referral   08:21 called 08:40 start 08:41 done 09:01             wait 19  service 20
      T2  V2 A1 kiosk lansia 08:05 called 08:06 start 08:07 done 08:10           wait  1  service  3
      T3  V3 A2 booking    08:30 called 08:31 no-show 08:32, closed at 15:00     wait  1
      T4  V4 A1 reception  08:20 called 08:32 start 08:33 done 09:13             wait 12  service 40
      T5  V5 B1 kiosk      09:00 never called, closed at 15:00
      T6  V6 B1 kiosk      08:02 voided 08:03 (the ticket did not print)

    visitors 6 (V1..V6: T1r is V1's referral, not a new visitor), tickets 7, referred in 1;
    channels kiosk 4, booking 1, reception 1, referral 1; priority: lansia 1;
    outcomes: served 3 (T1r, T2, T4), referred 1, no-show 1, withdrawn 1, closed unserved 1.
    Waits (called tickets) sorted 1, 1, 10, 12, 19 min: mean 43/5 = 8.6 min = 516 s; nearest rank:
    median rank ceil(2.5) = 3 -> 10 min, p90 rank ceil(4.5) = 5 -> 19 min; over 15 min: 1 of 5.
    Service times 3, 10, 20, 40 min: mean 73/4 = 18.25 min = 1095 s, median rank 2 -> 10 min,
    p90 rank ceil(3.6) = 4 -> 40 min. Against the standard: T1 10 <= 15, T2 3 <= 15, T4 40 > 15,
    T1r 20 <= 20 (at the standard counts as within): 3 of 4.
    Counters: C1 open 08:00-12:00 (14400 s), busy 3 + 10 + 40 min = 3180 s; C2 open 08:30-09:30
    (3600 s), busy 20 min = 1200 s; utilisation 4380 / 18000.
    Bookings: 3 made, 1 checked in, 1 cancelled, 1 no-show (10:00 slot never came).
    SKM: two responses, all 4 and all 3 -> NRR 3.5 each unsur -> IKM 87.50 (grade B); 3 served ->
    Krejcie-Morgan 2.88075 / 0.96525 = 2.98 -> 3 needed: 2 is not enough; response rate 2/3.
    Complaints (as of next Tuesday 12.00): K1 verified Tue (due Thu) and answered Wed (due next
    Tue): on time; K2 never verified, due Thu: overdue for verification; K3 verified the same day,
    answer due Wed, still in follow-up: overdue. Verified on time 2 / (2 triaged + 1 overdue);
    answered on time 1 / (1 answered with a deadline + 1 overdue).
    Applications: P1 finished Wed, due Thu: on time; P2 due Fri, open: overdue; P3 without a
    deadline: 3 received, 1 finished with a deadline, on time 1/1.
    """
    rolled, exact = both_ways(hand_day())
    s = rolled if way == "rollups" else exact
    assert (s.visitors, s.tickets, s.referred_in, s.priority_tickets) == (6, 7, 1, 1)
    assert s.by_channel == {"kiosk": 4, "reception": 1, "booking": 1, "mobile": 0, "referral": 1}
    assert s.by_priority == {"none": 6, "elderly": 1, "disabled": 0, "pregnant": 0, "infant": 0}
    assert s.outcomes == {"served": 3, "referred": 1, "no_show": 1, "withdrawn": 1, "closed_unserved": 1, "open": 0}
    assert (s.wait.count, s.wait.mean_s, s.wait.median_s, s.wait.p90_s) == (5, 516.0, 600.0, 1140.0)
    assert (s.waited_over_threshold, s.over_threshold_share) == (1, 0.2)
    assert (s.service.count, s.service.mean_s, s.service.median_s, s.service.p90_s) == (4, 1095.0, 600.0, 2400.0)
    assert (s.with_standard, s.within_standard, s.within_standard_share) == (4, 3, 0.75)
    assert (s.open_s, s.busy_s) == (18000.0, 4380.0)
    assert s.utilisation == pytest.approx(4380 / 18000)
    assert s.bookings == {"made": 3, "checked_in": 1, "cancelled": 1, "no_show": 1, "pending": 0}
    assert (s.skm.respondents, s.skm.population, s.skm.required_sample, s.skm.sample_sufficient) == (2, 3, 3, False)
    assert (s.skm.ikm, s.skm.grade, s.skm.response_rate) == (Decimal("87.50"), "B", pytest.approx(2 / 3))
    c = s.complaints
    assert (c.received, c.triaged, c.verified_on_time, c.verify_overdue) == (3, 2, 2, 1)
    assert (c.answered, c.answered_with_due, c.answered_on_time, c.answer_overdue, c.overdue) == (1, 1, 1, 1, 2)
    assert (c.verified_on_time_share, c.answered_on_time_share) == (pytest.approx(2 / 3), 0.5)
    a = s.applications
    assert (a.received, a.open_overdue, a.finished, a.finished_with_due, a.on_time, a.on_time_share) == \
        (3, 1, 1, 1, 1, 1.0)
    assert s.referrals_from == {"A": 1} and s.inverted == 0
    assert s.exact_percentiles is (way == "exact")


def test_hand_day_per_agency_adds_up_to_the_site():
    """Agency A: V1..V4 arrive there (4 visitors); agency B: V5, V6 and V1's referral (2 + 1)."""
    rollups = rollup(hand_day(), TZ, as_of=AS_OF)
    per_agency = report(rollups, SETTINGS, by=("agency",))
    week = Period(Grain.range, MONDAY)
    a, b = per_agency[(week, ("A",))], per_agency[(week, ("B",))]
    assert (a.visitors, a.tickets, a.referred_in) == (4, 4, 0)
    assert (b.visitors, b.tickets, b.referred_in) == (2, 3, 1)
    assert referral_matrix(rollups) == {("A", "B"): 1}
    # K2 is not yet assigned to an agency: it forms its own group.
    assert per_agency[(week, (None,))].complaints.received == 1
    # Counter C2's utilisation is B's: busy 1200 of 3600 s.
    assert b.utilisation == pytest.approx(1 / 3)
    per_counter = report(where(rollups, agency="A"), SETTINGS, by=("counter", "officer"))
    assert per_counter[(week, ("C1", "O1"))].busy_s == 3180.0


def test_hand_day_heatmap_counts_new_visitors_by_local_hour():
    """Arrivals 08:00, 08:02, 08:05, 08:20, 08:30 (hour 8) and 09:00 (hour 9), WITA; the referral
    at 08:21 is not an arrival. One Monday in the week, so the mean equals the count."""
    facts = hand_day()
    rolled = heatmap(rollup(facts, TZ, as_of=AS_OF), MONDAY, SUNDAY)
    assert rolled == exact_heatmap(facts.tickets, TZ, MONDAY, SUNDAY)
    assert rolled.counts[0][8] == 5 and rolled.counts[0][9] == 1 and sum(map(sum, rolled.counts)) == 6
    assert rolled.days == (1,) * 7 and rolled.peak() == (0, 8, 5.0)
    assert heatmap([], MONDAY, SUNDAY, closed_days=[MONDAY]).days[0] == 0


def test_hand_day_open_counters_against_the_plan():
    """Plan: A one counter 08-13, B one counter 08-10. Open: C1 08:00-12:00 (hours 8-11 full,
    hour 12 empty), C2 08:30-09:30 (half of hour 8, half of hour 9). Coverage (4 + 1) / (5 + 2)."""
    plans = [PlanFact("S", "A", 0, h, 1) for h in range(8, 13)] + [PlanFact("S", "B", 0, h, 1) for h in (8, 9)]
    cells = plan_cells(rollup(hand_day(), TZ, as_of=AS_OF), plans, MONDAY, SUNDAY)
    assert [(c.agency_id, c.hour, c.open_counters) for c in cells if c.short] == [("B", 8, 0.5), ("B", 9, 0.5),
                                                                                 ("A", 12, 0.0)]
    assert plan_coverage(cells) == pytest.approx(5 / 7)
    assert plan_coverage([]) is None
    assert plan_cells([], plans, MONDAY, SUNDAY, closed_days=[MONDAY]) == []


def test_hand_day_compared_with_the_empty_week_before():
    rollups = rollup(hand_day(), TZ, as_of=AS_OF)
    prev_start, prev_end = previous_range(MONDAY, SUNDAY)
    assert (prev_start, prev_end) == (MONDAY - timedelta(days=7), MONDAY - timedelta(days=1))
    current = summarize(where(rollups, MONDAY, SUNDAY), SETTINGS)
    previous = summarize(where(rollups, prev_start, prev_end), SETTINGS)
    changes = {c.key: c for c in compare(current, previous)}
    assert (changes["visitors"].current, changes["visitors"].previous, changes["visitors"].delta) == (6, 0, 6)
    assert changes["visitors"].ratio is None  # from nothing: no percentage
    assert changes["wait_median_s"].previous is None and changes["wait_median_s"].delta is None
    assert changes["visitors"].label == "Pengunjung"


def test_daily_grouping_and_hourly_rollups_agree():
    facts = hand_day()
    daily = report(rollup(facts, TZ, as_of=AS_OF), SETTINGS, grain=Grain.day)
    hourly_rollups = rollup(facts, TZ, as_of=AS_OF, grain=Grain.hour)
    by_hour = report(hourly_rollups, SETTINGS, grain=Grain.hour)
    assert list(daily)[0] == (Period(Grain.day, MONDAY), ())
    assert by_hour[(Period(Grain.hour, MONDAY, 8), ())].visitors == 5
    assert summarize(hourly_rollups, SETTINGS) == summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS)
    with pytest.raises(ValueError):
        report(rollup(facts, TZ, as_of=AS_OF), grain=Grain.hour)  # daily rollups have no hours


def test_paper_tallies_join_the_index_and_the_population():
    """The hand day's two answers (all 4, all 3) plus a paper tally of two respondents answering 4
    over the same week: NRR (4 + 3 + 4 + 4) / 4 = 3.75 -> IKM 93.75 (A); population 3 served + 2 on
    paper = 5, Krejcie-Morgan needs 5: 4 respondents are not enough. A tally reaching into the
    next week cannot be split into days and is left out of this week."""
    unsur = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
    inside = SurveyTallyFact("S", "A", "A1", MONDAY, SUNDAY, 2, {u: {4: 2} for u in unsur})
    across = SurveyTallyFact("S", "A", "A1", SUNDAY, SUNDAY + timedelta(days=1), 9, {u: {1: 9} for u in unsur})
    facts = hand_day()
    rolled = summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS, paper=tallies_within([inside, across], MONDAY, SUNDAY))
    exact = exact_summary(facts, TZ, MONDAY, SUNDAY, SETTINGS, as_of=AS_OF, paper=[inside, across])
    for s in (rolled, exact):
        assert (s.skm.ikm, s.skm.grade, s.skm.respondents, s.skm.population) == (Decimal("93.75"), "A", 4, 5)
        assert (s.skm.required_sample, s.skm.sample_sufficient) == (5, False)


def test_settings_name_the_field_in_indonesian():
    with pytest.raises(ValidationFailed) as err:
        MeasureSettings(wait_threshold_minutes=0)
    assert err.value.field == "wait_threshold_minutes" and "menit" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        MeasureSettings(standard_minutes={"A1": 2000})
    assert err.value.field == "standard_minutes"


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError):
        report([], by=("room",))
    with pytest.raises(ValueError):
        where([], room="x")


# --- Properties over generated facts -----------------------------------------------------------

LAST = MONDAY + timedelta(days=DAYS - 1)
MINUTE = 60.0


def without_percentiles(s):
    return replace(s, wait=replace(s.wait, median_s=None, p90_s=None),
                   service=replace(s.service, median_s=None, p90_s=None), exact_percentiles=None)


def within_one_bucket(estimate, exact):
    if exact is None:
        return estimate is None
    return exact <= estimate < exact + MINUTE


@settings(max_examples=150, deadline=None)
@given(site_facts())
def test_rollups_give_the_exact_figures_and_percentiles_within_a_minute(generated):
    _, facts = generated
    rolled = summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS)
    exact = exact_summary(facts, TZ, MONDAY - timedelta(days=1), LAST + timedelta(days=30), SETTINGS, as_of=AS_OF)
    assert without_percentiles(rolled) == without_percentiles(exact)
    for est, ex in ((rolled.wait.median_s, exact.wait.median_s), (rolled.wait.p90_s, exact.wait.p90_s),
                    (rolled.service.median_s, exact.service.median_s), (rolled.service.p90_s, exact.service.p90_s)):
        assert within_one_bucket(est, ex)


def _from_raw_events(raw):
    """Figures straight from the raw event streams, without the fact types: what an auditor
    recomputing a page from `ticket_events` would do."""
    visits = {t.visit_id for t in raw}
    final = [t.events[-1].status for t in raw]
    voided = [any(e.kind == "voided" for e in t.events) for t in raw]
    before_close = [t.events[-2].status if len(t.events) > 1 else None for t in raw]
    waits = []
    for t in raw:
        called = [e.at for e in t.events if e.kind == "called"]
        if called:
            waits.append(max(0, (min(called) - t.events[0].at) // timedelta(microseconds=1)))
    services = []
    for t in raw:
        if t.events[-1].status in ("done", "referred"):
            start = [e.at for e in t.events if e.kind == "serving"][-1]
            services.append(max(0, (t.events[-1].at - start) // timedelta(microseconds=1)))
    channels = {c: sum(1 for t in raw if t.channel.value == c) for c in ("kiosk", "reception", "booking", "mobile",
                                                                         "referral")}
    return {
        "services": sorted(services), "channels": channels,
        "visitors": len(visits), "tickets": len(raw),
        "served": final.count("done"), "referred": final.count("referred"),
        "withdrawn": sum(voided),
        "no_show": sum(1 for f, b, v in zip(final, before_close, voided, strict=True)
                       if not v and (f == "no_show" or (f == "closed" and b == "no_show"))),
        "closed_unserved": sum(1 for f, b, v in zip(final, before_close, voided, strict=True)
                               if not v and f == "closed" and b != "no_show"),
        "waits": sorted(waits),
    }


@settings(max_examples=150, deadline=None)
@given(site_facts())
def test_every_figure_equals_its_recomputation_from_raw_events(generated):
    raw, facts = generated
    s = summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS)
    expected = _from_raw_events(raw)
    assert (s.visitors, s.tickets) == (expected["visitors"], expected["tickets"])
    for outcome in ("served", "referred", "withdrawn", "no_show", "closed_unserved"):
        assert s.outcomes[outcome] == expected[outcome], outcome
    waits = expected["waits"]
    assert s.wait.count == len(waits)
    if waits:
        assert s.wait.mean_s == pytest.approx(sum(waits) / len(waits) / 1e6, rel=1e-12)
        exact_median = waits[rank(50, len(waits)) - 1] / 1e6
        assert within_one_bucket(s.wait.median_s, exact_median)
        over = sum(1 for w in waits if w > SETTINGS.wait_threshold_minutes * 60 * 1_000_000)
        assert s.waited_over_threshold == over
    services = expected["services"]
    assert s.service.count == len(services) and s.by_channel == expected["channels"]
    if services:
        assert s.service.mean_s == pytest.approx(sum(services) / len(services) / 1e6, rel=1e-12)
        assert within_one_bucket(s.service.p90_s, services[rank(90, len(services)) - 1] / 1e6)


@settings(max_examples=100, deadline=None)
@given(site_facts())
def test_a_referral_is_never_a_new_visitor(generated):
    raw, facts = generated
    s = summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS)
    assert s.visitors == len({t.visit_id for t in facts.tickets})
    assert s.visitors + s.referred_in == s.tickets
    assert s.referred_in == sum(1 for t in raw if t.referred_from is not None)


@settings(max_examples=100, deadline=None)
@given(site_facts())
def test_site_totals_equal_the_sum_over_agencies_and_over_days(generated):
    _, facts = generated
    rollups = rollup(facts, TZ, as_of=AS_OF)
    site = summarize(rollups, SETTINGS)
    for by, grain in ((("agency",), Grain.range), (("counter",), Grain.range), ((), Grain.day), ((), Grain.week),
                      (("officer",), Grain.month)):
        parts = list(report(rollups, SETTINGS, by=by, grain=grain).values())
        for figure in (lambda s: s.visitors, lambda s: s.tickets, lambda s: s.referred_in, lambda s: s.wait.count,
                       lambda s: s.service.count, lambda s: s.waited_over_threshold, lambda s: s.within_standard,
                       lambda s: s.bookings["made"], lambda s: s.complaints.received, lambda s: s.skm.respondents,
                       lambda s: s.applications.finished, lambda s: s.complaints.overdue):
            assert sum(figure(p) for p in parts) == figure(site)
        for outcome in site.outcomes:
            assert sum(p.outcomes[outcome] for p in parts) == site.outcomes[outcome]
        assert sum(p.open_s for p in parts) == pytest.approx(site.open_s)
        assert sum(p.busy_s for p in parts) == pytest.approx(site.busy_s)


@settings(max_examples=100, deadline=None)
@given(site_facts())
def test_no_figure_is_negative_and_busy_never_exceeds_open(generated):
    _, facts = generated
    s = summarize(rollup(facts, TZ, as_of=AS_OF), SETTINGS)
    for value in (s.wait.mean_s, s.wait.median_s, s.wait.p90_s, s.service.mean_s, s.service.median_s):
        assert value is None or value >= 0
    assert 0 <= s.busy_s <= s.open_s + 1e-6
    assert s.utilisation is None or 0 <= s.utilisation <= 1


@settings(max_examples=60, deadline=None)
@given(site_facts())
def test_a_range_is_judged_on_the_local_days_it_covers(generated):
    _, facts = generated
    rollups = rollup(facts, TZ, as_of=AS_OF)
    middle_start, middle_end = MONDAY + timedelta(days=3), MONDAY + timedelta(days=5)
    rolled = summarize(where(rollups, middle_start, middle_end), SETTINGS)
    exact = exact_summary(facts, TZ, middle_start, middle_end, SETTINGS, as_of=AS_OF)
    assert without_percentiles(rolled) == without_percentiles(exact)
    assert rolled.tickets == sum(1 for t in facts.tickets if middle_start <= local_day(t.issued_at, TZ) <= middle_end)
