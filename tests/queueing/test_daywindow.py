"""The queue day's rules: when a kiosk may issue, when it explains to come back, when a day closes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing.daywindow import (
    Calendar,
    IssueRules,
    Refusal,
    close_due_at,
    days_to_close,
    may_issue,
    next_issue_opening,
    window,
)

WEEKDAYS_8_15 = {d: (time(8), time(15)) for d in range(5)}  # Monday-Friday 08:00-15:00
MALL = Calendar(WEEKDAYS_8_15)
TUESDAY = date(2026, 12, 1)
WIB = ZoneInfo("Asia/Jakarta")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), WIB)


def test_a_kiosk_issues_during_opening_hours() -> None:
    assert may_issue(MALL, IssueRules(), at(TUESDAY, 9), issued_today=0).allowed


def test_at_ten_in_the_evening_the_kiosk_refuses_and_says_come_back_tomorrow_at_eight() -> None:
    d = may_issue(MALL, IssueRules(), at(TUESDAY, 22), issued_today=0)
    assert d.refusal is Refusal.after_cutoff
    assert d.come_back_at == at(TUESDAY + timedelta(days=1), 8)


def test_before_opening_the_kiosk_says_when_issuing_starts_today() -> None:
    d = may_issue(MALL, IssueRules(), at(TUESDAY, 7, 30), issued_today=0)
    assert (d.refusal, d.come_back_at) == (Refusal.before_opening, at(TUESDAY, 8))


def test_on_friday_evening_the_next_opening_is_monday() -> None:
    friday = date(2026, 12, 4)
    d = may_issue(MALL, IssueRules(), at(friday, 16), issued_today=0)
    assert d.come_back_at == at(date(2026, 12, 7), 8)


def test_on_a_saturday_the_kiosk_says_the_site_is_closed_today() -> None:
    d = may_issue(MALL, IssueRules(), at(date(2026, 12, 5), 10), issued_today=0)
    assert d.refusal is Refusal.closed_today
    assert d.come_back_at == at(date(2026, 12, 7), 8)


def test_a_closure_date_is_skipped_when_saying_when_to_come_back() -> None:
    cal = Calendar(WEEKDAYS_8_15, closed=frozenset({TUESDAY + timedelta(days=1)}))
    d = may_issue(cal, IssueRules(), at(TUESDAY, 16), issued_today=0)
    assert d.come_back_at == at(TUESDAY + timedelta(days=2), 8)


def test_dukcapil_stops_issuing_at_two_while_the_mall_stays_open_until_three() -> None:
    dukcapil = IssueRules(service_last_issue=time(14))
    assert may_issue(MALL, dukcapil, at(TUESDAY, 13, 59), 0).allowed
    assert may_issue(MALL, dukcapil, at(TUESDAY, 14), 0).refusal is Refusal.after_cutoff
    assert may_issue(MALL, IssueRules(), at(TUESDAY, 14), 0).allowed


def test_the_site_cut_off_stops_issuing_before_closing() -> None:
    rules = IssueRules(site_cutoff_minutes=30)
    assert may_issue(MALL, rules, at(TUESDAY, 14, 29), 0).allowed
    assert may_issue(MALL, rules, at(TUESDAY, 14, 30), 0).refusal is Refusal.after_cutoff


def test_the_earlier_of_site_cut_off_and_service_last_issue_wins() -> None:
    w = window(MALL, IssueRules(site_cutoff_minutes=120, service_last_issue=time(14)), TUESDAY, WIB)
    assert w is not None and w.last_issue == at(TUESDAY, 13)


def test_when_the_daily_quota_is_used_up_the_kiosk_says_come_back_on_the_next_working_day() -> None:
    rules = IssueRules(daily_quota=50)
    assert may_issue(MALL, rules, at(TUESDAY, 10), issued_today=49).allowed
    d = may_issue(MALL, rules, at(TUESDAY, 10), issued_today=50)
    assert (d.refusal, d.come_back_at) == (Refusal.quota_full, at(TUESDAY + timedelta(days=1), 8))


def test_a_mobile_event_works_only_within_its_dates() -> None:
    event = Calendar({d: (time(9), time(13)) for d in range(7)}, starts_on=TUESDAY, ends_on=TUESDAY + timedelta(days=1))
    assert may_issue(event, IssueRules(), at(TUESDAY, 10), 0).allowed
    after = may_issue(event, IssueRules(), at(TUESDAY + timedelta(days=2), 10), 0)
    assert after.refusal is Refusal.closed_today and after.come_back_at is None  # the event is over
    before = may_issue(event, IssueRules(), at(TUESDAY - timedelta(days=1), 10), 0)
    assert before.come_back_at == at(TUESDAY, 9)


def test_a_cut_off_longer_than_the_day_leaves_no_window() -> None:
    assert window(MALL, IssueRules(site_cutoff_minutes=8 * 60), TUESDAY, WIB) is None
    assert next_issue_opening(MALL, IssueRules(site_cutoff_minutes=8 * 60), at(TUESDAY, 7)) is None


def test_the_day_closes_itself_at_closing_time_plus_grace() -> None:
    assert close_due_at(MALL, TUESDAY, 30, WIB) == at(TUESDAY, 15, 30)
    assert days_to_close(MALL, [TUESDAY], at(TUESDAY, 15, 29), 30) == []
    assert days_to_close(MALL, [TUESDAY], at(TUESDAY, 15, 30), 30) == [TUESDAY]


def test_a_server_that_was_down_closes_every_missed_day_oldest_first() -> None:
    days = [TUESDAY, TUESDAY - timedelta(days=1), TUESDAY + timedelta(days=1)]
    assert days_to_close(MALL, days, at(TUESDAY + timedelta(days=1), 9), 0) == [TUESDAY - timedelta(days=1), TUESDAY]


def test_tickets_left_on_a_day_the_site_does_not_work_close_once_that_day_is_over() -> None:
    saturday = date(2026, 12, 5)
    assert days_to_close(MALL, [saturday], at(saturday, 23, 59), 0) == []
    assert days_to_close(MALL, [saturday], at(saturday + timedelta(days=1), 0), 0) == [saturday]


hours_st = st.dictionaries(
    st.integers(0, 6),
    st.tuples(st.integers(0, 22), st.integers(1, 23))
    .filter(lambda t: t[0] < t[1])
    .map(lambda t: (time(t[0]), time(t[1]))),
)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))


@given(hours_st, moments, st.integers(0, 300), st.integers(0, 100), st.integers(0, 100))
def test_an_allowed_issue_always_lies_inside_opening_hours_before_the_cut_off_and_under_quota(
        hours, now, cutoff, quota, issued) -> None:
    cal, rules = Calendar(hours), IssueRules(site_cutoff_minutes=cutoff, daily_quota=quota)
    d = may_issue(cal, rules, now, issued)
    span = hours.get(now.weekday())
    if d.allowed:
        assert span is not None and span[0] <= now.time()
        assert now < datetime.combine(now.date(), span[1]) - timedelta(minutes=cutoff)
        assert quota == 0 or issued < quota
    else:
        assert d.come_back_at is None or d.come_back_at > now
        if d.come_back_at is not None:  # coming back then is allowed (with a fresh day's count)
            assert may_issue(cal, rules, d.come_back_at, 0).allowed


@given(hours_st, moments, st.integers(0, 120), st.lists(st.dates(date(2025, 12, 1), date(2027, 12, 31)), max_size=6))
def test_no_day_is_closed_before_its_closing_time_and_grace(hours, now, grace, open_days) -> None:
    cal = Calendar(hours)
    for day in days_to_close(cal, open_days, now, grace):
        span = hours.get(day.weekday())
        closing = datetime.combine(day, span[1]) if span else datetime.combine(day + timedelta(days=1), time(0))
        assert now >= closing + (timedelta(minutes=grace) if span else timedelta())
