"""Agreement expiry and opening hours: pure rules."""

from datetime import date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from satupintu.catalogue.agreements import AgreementState, agreement_status
from satupintu.catalogue.hours import is_open, parse_hours

TODAY = date(2026, 11, 23)


def test_an_agreement_ending_within_the_warning_window_is_expiring():
    s = agreement_status(date(2024, 1, 1), date(2026, 12, 31), TODAY, 60)
    assert s.state is AgreementState.expiring and s.days_left == 38


def test_agreement_states_across_its_life():
    assert agreement_status(date(2027, 1, 1), date(2028, 1, 1), TODAY, 60).state is AgreementState.not_started
    assert agreement_status(date(2024, 1, 1), date(2028, 1, 1), TODAY, 60).state is AgreementState.active
    assert agreement_status(date(2024, 1, 1), date(2026, 11, 22), TODAY, 60).state is AgreementState.expired
    assert agreement_status(date(2024, 1, 1), TODAY, TODAY, 60).state is AgreementState.expiring


@given(st.dates(), st.integers(0, 3000), st.integers(0, 365))
def test_expired_exactly_when_the_end_date_has_passed(start, length, warn):
    end = date.fromordinal(min(start.toordinal() + length, date.max.toordinal()))
    s = agreement_status(start, end, TODAY, warn)
    if start <= TODAY:
        assert (s.state is AgreementState.expired) == (end < TODAY)


def test_opening_hours_parse_and_name_the_bad_day():
    hours, errors = parse_hours({"mon": ["08:00", "15:00"], "tue": ["15:00", "08:00"], "xyz": ["1", "2"],
                                 "wed": ["8.00", "abc"]})
    assert hours == {0: (time(8), time(15))}
    assert {e.field for e in errors} == {"opening_hours.tue", "opening_hours.xyz", "opening_hours.wed"}


def test_open_within_hours_closed_on_closure_days_and_outside_event_dates():
    hours, _ = parse_hours({"mon": ["08:00", "15:00"]})
    monday = datetime(2026, 11, 23, 9, 0)
    assert is_open(hours, set(), monday)
    assert not is_open(hours, set(), monday.replace(hour=15))
    assert not is_open(hours, {monday.date()}, monday)
    assert not is_open(hours, set(), monday, starts_on=date(2026, 11, 24))
