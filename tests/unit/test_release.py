"""Which unit releases the centre syncs with, and how long the unit waits between its own
background syncs: pure rules, checked directly and with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from satupintu.unit import release
from satupintu.unit.worker import next_wait

part = st.integers(min_value=0, max_value=50)


def test_the_centre_syncs_with_its_own_release_and_the_one_before() -> None:
    """Centre 0.4.x: a 0.4 or 0.3 unit syncs (any patch), a 0.2 unit is told to install 0.4.1."""
    assert release.accepted("0.4.1", "0.4.0") and release.accepted("0.4.1", "0.4.7")
    assert release.accepted("0.4.1", "0.3.9")
    assert not release.accepted("0.4.1", "0.2.5")
    assert not release.accepted("1.0.0", "0.9.0")  # a new major: the old one's units upgrade
    assert release.accepted("0.4.1", "0.5.0")  # a newer unit: the centre refuses unknown columns row by row
    assert not release.accepted("0.4.1", "") and not release.accepted("0.4.1", "tidak tahu")
    assert "versi 0.4.1" in release.too_old_message("0.4.1", "0.2.5")


@given(part, part, part, part, part)
def test_a_release_is_accepted_exactly_when_it_is_not_more_than_one_minor_behind(
        major: int, minor: int, patch: int, their_minor: int, their_patch: int) -> None:
    """Within one major, patches never matter and only minors at most one behind sync."""
    centre = f"{major}.{minor}.{patch}"
    unit = f"{major}.{their_minor}.{their_patch}"
    assert release.accepted(centre, unit) == (their_minor >= minor - 1)


@given(part, part)
def test_a_unit_of_the_centres_release_always_syncs(major: int, minor: int) -> None:
    assert release.accepted(f"{major}.{minor}.3", f"{major}.{minor}.0")


def test_the_release_comes_from_the_header_or_the_units_user_agent() -> None:
    assert release.of_request("0.2.0", "SatuPintu-unit/0.1.0") == "0.2.0"
    assert release.of_request(None, "SatuPintu-unit/0.1.0") == "0.1.0"
    assert release.of_request(None, "python-httpx/0.27") is None  # a manager's own script: no unit


@given(st.floats(min_value=0.1, max_value=3600), st.integers(min_value=0, max_value=10_000),
       st.floats(min_value=0.1, max_value=86_400))
def test_the_wait_between_background_syncs_grows_with_failures_within_its_bounds(
        interval: float, failures: int, cap: float) -> None:
    """No failure: the interval; each failure doubles it, never past the cap (nor under the interval)."""
    wait = next_wait(interval, failures, cap)
    assert interval <= wait <= max(interval, cap)
    assert next_wait(interval, failures + 1, cap) >= wait
    if failures == 0:
        assert wait == interval
