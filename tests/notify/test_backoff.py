"""Retry timing rules, checked directly and with hypothesis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.notify.backoff import Backoff, base_delay, delay, is_dead, next_attempt_at, unit_jitter
from tests.notify import T0

policies = st.builds(
    lambda base, extra, factor, attempts, jitter: Backoff(base=base, cap=base + extra, factor=factor,
                                                          max_attempts=attempts, jitter=jitter),
    st.floats(0.1, 600), st.floats(0, 86_400), st.floats(1, 5), st.integers(1, 30), st.floats(0, 0.99))
failures = st.integers(1, 10_000)
seeds = st.text(max_size=40)


@given(policies, st.integers(1, 5000))
def test_waits_never_get_shorter_after_another_failure(policy, n):
    assert base_delay(n + 1, policy) >= base_delay(n, policy)


@given(policies, failures, seeds)
def test_a_wait_is_never_longer_than_the_cap_nor_shorter_than_the_jitter_allows(policy, n, seed):
    d = delay(n, policy, seed)
    assert d <= policy.cap
    assert d >= base_delay(n, policy) * (1 - policy.jitter) - 1e-9
    assert d > 0


@given(policies, failures, seeds)
def test_the_same_message_gets_the_same_schedule_every_time(policy, n, seed):
    assert delay(n, policy, seed) == delay(n, policy, seed)
    assert 0 <= unit_jitter(seed, n) < 1


@given(policies, failures, seeds)
def test_a_message_is_dead_exactly_after_its_last_allowed_attempt(policy, n, seed):
    at = next_attempt_at(n, T0, policy, seed)
    if n >= policy.max_attempts:
        assert at is None and is_dead(n, policy)
    else:
        assert at is not None and T0 < at <= T0 + timedelta(seconds=policy.cap)


def test_default_schedule_doubles_from_thirty_seconds_up_to_an_hour():
    p = Backoff(jitter=0)
    assert [base_delay(n, p) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_jitter_spreads_messages_that_failed_together():
    p = Backoff()
    assert len({round(delay(1, p, f"msg-{i}"), 6) for i in range(50)}) > 40


def test_nonsense_policies_are_refused():
    for kwargs in (dict(base=0), dict(base=10, cap=5), dict(jitter=1), dict(max_attempts=0), dict(factor=0.5)):
        with pytest.raises(ValueError):
            Backoff(**kwargs)
    with pytest.raises(ValueError):
        base_delay(0, Backoff())
