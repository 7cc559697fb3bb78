"""Erlang C as the site manager sees it in capacity planning."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.errors import DomainError
from satupintu.staffing.erlang import (
    agents_for_service_level,
    average_wait,
    erlang_b,
    erlang_c,
    service_level,
    traffic_erlangs,
)


def test_published_example_10_erlangs_14_counters_matches_to_six_decimals():
    """10 Erlangs, 14 counters, 180 s handling, 20 s target: the manager sees P(wait) 0.174132,
    average wait 7.8359 s and service level 0.888350, exactly the published figures."""
    assert round(erlang_c(10, 14), 6) == 0.174132
    assert round(average_wait(10, 14, 180), 4) == 7.8359
    assert round(service_level(10, 14, 180, 20), 6) == 0.888350


def test_minimum_counters_for_target_is_the_first_that_reaches_it():
    """80% within 20 s at 10 Erlangs: the recommended number reaches the target, one fewer does not."""
    n = agents_for_service_level(10, 180, 20, 0.8)
    assert service_level(10, n, 180, 20) >= 0.8
    assert service_level(10, n - 1, 180, 20) < 0.8


def test_traffic_from_arrivals_and_handling_time():
    """30 visitors an hour at 6 minutes each keep 3 counters busy."""
    assert traffic_erlangs(30, 360) == pytest.approx(3.0)


def test_overloaded_counters_mean_everyone_waits():
    """With fewer counters than the load, the manager sees 100% waiting and 0% within target."""
    assert erlang_c(10, 10) == 1.0
    assert math.isinf(average_wait(10, 9, 180))
    assert service_level(10, 9, 180, 20) == 0.0


def test_no_visitors_needs_no_counters():
    assert agents_for_service_level(0, 180, 20, 0.8) == 0
    assert erlang_c(0, 3) == 0.0


def test_large_loads_stay_numerically_stable():
    """A city-sized load (400 Erlangs) computes without overflow (recursion, not factorials)."""
    n = agents_for_service_level(400, 300, 900, 0.8)
    assert 400 < n < 440
    assert 0 < erlang_c(400, n) < 1


def test_invalid_input_gives_indonesian_message_naming_the_field():
    with pytest.raises(DomainError) as err:
        agents_for_service_level(10, 180, 20, 1.5)
    assert err.value.field == "target_level" and "Target tingkat layanan" in err.value.message
    with pytest.raises(DomainError) as err:
        erlang_c(-1, 3)
    assert err.value.field == "traffic"


loads = st.floats(min_value=0.1, max_value=200, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(traffic=loads, extra=st.integers(min_value=1, max_value=60), aht=st.floats(30, 3600),
       target=st.floats(0, 1800))
def test_more_counters_never_lower_the_service_level_or_raise_waiting(traffic, extra, aht, target):
    """Adding a counter never makes the manager's figures worse."""
    n = math.floor(traffic) + extra
    assert erlang_c(traffic, n + 1) <= erlang_c(traffic, n) + 1e-12
    assert service_level(traffic, n + 1, aht, target) >= service_level(traffic, n, aht, target) - 1e-12
    assert average_wait(traffic, n + 1, aht) <= average_wait(traffic, n, aht) + 1e-9


@settings(max_examples=80, deadline=None)
@given(traffic=loads, n=st.integers(min_value=0, max_value=300))
def test_probabilities_stay_between_zero_and_one(traffic, n):
    assert 0.0 <= erlang_b(traffic, n) <= 1.0
    assert 0.0 <= erlang_c(traffic, n) <= 1.0
    if n > traffic:
        assert erlang_c(traffic, n) >= erlang_b(traffic, n) - 1e-12
