"""Working-day deadlines across weekends, national holidays, cuti bersama and site closures."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from satupintu.workdays import add_working_days, due_at, is_working_day, working_days_between


def test_weekends_and_holidays_are_skipped():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday -> Monday
    # Christmas 2026: 24 Dec is cuti bersama, 25 Dec a holiday: Wed 23 Dec + 1 -> Mon 28 Dec
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    # Idul Fitri 2026 with its cuti bersama (18-24 March): Tue 17 March + 1 -> Wed 25 March
    assert add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    # 17 Aug 2025 (a Sunday) was followed by a cuti bersama on Monday 18 Aug
    assert not is_working_day(date(2025, 8, 18)) and is_working_day(date(2025, 8, 19))


def test_a_sites_own_closed_dates_are_skipped():
    assert add_working_days(date(2026, 11, 23), 1, closed=[date(2026, 11, 24)]) == date(2026, 11, 25)


def test_deadline_is_end_of_the_local_day_in_every_zone():
    received = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday morning in all three zones
    for tz, offset in (("Asia/Jakarta", 7), ("Asia/Makassar", 8), ("Asia/Jayapura", 9)):
        due = due_at(received, 3, tz)
        assert due == datetime(2026, 11, 27, tzinfo=UTC) - timedelta(hours=offset)  # end of Thursday


def test_received_late_evening_utc_counts_from_the_local_day():
    # 18:00 UTC Sunday = 01:00 WIB Monday: three working days from Monday -> Thursday
    received = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    assert due_at(received, 3, "Asia/Jakarta") == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.integers(1, 40))
def test_a_deadline_is_a_working_day_and_one_more_day_never_moves_it_earlier(start, n):
    d = add_working_days(start, n)
    assert is_working_day(d)
    assert add_working_days(start, n + 1) > d
    assert working_days_between(start, d) == n
