"""Rollups merge: any split of the days adds up to the whole, in any order, hourly to daily."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.oversight.facts import Facts
from satupintu.oversight.measures import MeasureSettings, summarize, summarize_glance
from satupintu.oversight.periods import Grain, local_day
from satupintu.oversight.rollup import (
    Glance,
    RollupKey,
    Totals,
    headline,
    merge,
    merge_glances,
    merge_totals,
    rollup,
    standards_basis,
)

from .helpers import AS_OF, MONDAY, TZ, hand_day
from .strategies import DAYS, site_facts

day_sets = st.sets(st.integers(min_value=0, max_value=DAYS - 1))


def keyed(rollups):
    return {r.key: r.totals for r in rollups}


@settings(max_examples=100, deadline=None)
@given(site_facts(), st.lists(st.integers(min_value=0, max_value=3), min_size=DAYS, max_size=DAYS))
def test_merging_the_daily_rollups_of_any_split_of_days_equals_the_whole(generated, part_of_day):
    _, facts = generated
    rollups = rollup(facts, TZ, as_of=AS_OF)
    parts = [merge(r for r in rollups if part_of_day[(r.key.day - MONDAY).days % DAYS] == p)
             for p in range(4)]
    assert merge_totals(parts) == merge(rollups)
    assert merge_totals(reversed(parts)) == merge(rollups)


@settings(max_examples=100, deadline=None)
@given(site_facts(), day_sets)
def test_rolling_up_the_facts_of_some_days_gives_those_days_rollups(generated, chosen):
    """Tickets, bookings and survey answers of a set of local days roll up alone exactly as they
    do among all the others (counter time needs the tickets of the hours it spans, so it is left out)."""
    _, facts = generated
    days = {MONDAY + timedelta(days=d) for d in chosen}

    def only(f: Facts) -> Facts:
        return Facts(tickets=[t for t in f.tickets if local_day(t.issued_at, TZ) in days],
                     bookings=[b for b in f.bookings if b.on_date in days],
                     surveys=[s for s in f.surveys if local_day(s.submitted_at, TZ) in days])

    whole = Facts(tickets=facts.tickets, bookings=facts.bookings, surveys=facts.surveys)
    everything = keyed(rollup(whole, TZ, as_of=AS_OF))
    assert keyed(rollup(only(whole), TZ, as_of=AS_OF)) == {k: v for k, v in everything.items() if k.day in days}


@settings(max_examples=60, deadline=None)
@given(site_facts(), site_facts(), site_facts())
def test_totals_merge_associatively_and_commutatively(x, y, z):
    a, b, c = (merge(rollup(f, TZ, as_of=AS_OF)) for _, f in (x, y, z))
    assert (a + b) + c == a + (b + c) == merge_totals([a, b, c])
    assert a + b == b + a
    assert a + Totals() == a


@settings(max_examples=80, deadline=None)
@given(site_facts())
def test_hourly_rollups_add_up_to_the_daily_ones(generated):
    _, facts = generated
    daily = keyed(rollup(facts, TZ, as_of=AS_OF))
    by_day: dict[RollupKey, list[Totals]] = {}
    for r in rollup(facts, TZ, as_of=AS_OF, grain=Grain.hour):
        k = r.key
        day_key = RollupKey(k.day, k.site_id, k.agency_id, k.service_id, k.counter_id, k.officer_id)
        by_day.setdefault(day_key, []).append(r.totals)
    assert {k: merge_totals(v) for k, v in by_day.items()} == daily


@settings(max_examples=100, deadline=None)
@given(site_facts(), st.lists(st.integers(min_value=0, max_value=3), min_size=DAYS, max_size=DAYS),
       st.sampled_from([{}, {"A1": 15}, {"A1": 15, "B1": 1}, {"B1": 30, "C1": 1440}]))
def test_glances_of_any_split_of_days_give_the_figures_of_the_whole(generated, part_of_day, minutes):
    """What the national view adds up (a glance per kept day or month) gives the same figures as
    the rollups of the whole range, for any standards; a glance round-trips through its JSON and
    carries the fingerprint of the standards it was taken against, which changes with them."""
    _, facts = generated
    rollups = rollup(facts, TZ, as_of=AS_OF)
    parts = [[r for r in rollups if part_of_day[(r.key.day - MONDAY).days % DAYS] == p] for p in range(4)]
    basis = standards_basis(minutes)
    glances = [Glance.of(headline(part), minutes, basis) for part in parts]
    config = MeasureSettings(wait_threshold_minutes=10, standard_minutes=minutes)
    assert summarize_glance(merge_glances(glances), config) == summarize(rollups, config)
    assert summarize_glance(merge_glances(reversed(glances)), config) == summarize(rollups, config)
    for g in glances:
        assert Glance.from_dict(json.loads(json.dumps(g.as_dict()))) == g
        assert g.basis == basis
    assert standards_basis({**minutes, "A1": 7}) != basis


@settings(max_examples=40, deadline=None)
@given(site_facts())
def test_a_stored_rollup_round_trips_through_json(generated):
    _, facts = generated
    for r in rollup(facts, TZ, as_of=AS_OF):
        assert Totals.from_dict(json.loads(json.dumps(r.totals.as_dict()))) == r.totals


def test_one_rollup_per_day_and_combination_that_occurred():
    keys = {r.key for r in rollup(hand_day(), TZ, as_of=AS_OF)}
    tickets = {k for k in keys if k.service_id is not None and k.day == MONDAY}
    assert ("A", "A1", "C1", "O1") in {(k.agency_id, k.service_id, k.counter_id, k.officer_id) for k in tickets}
    # T5 was never called: its rollup has no counter and no officer.
    assert RollupKey(MONDAY, "S", "B", "B1", None, None) in keys
    # Counter time has no service.
    assert RollupKey(MONDAY, "S", "A", None, "C1", "O1") in keys
