"""Deadlines: the due date and status an officer or citizen sees for an application."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.applications.deadline import (
    MINUTES,
    WORKING_DAYS,
    DeadlineStatus,
    TimeStandard,
    deadline,
    from_catalogue,
    on_time_rate,
    parse_time_standard,
    status,
)
from satupintu.catalogue.models import TimeUnit
from satupintu.errors import DomainError
from satupintu.workdays import days_off, is_working_day

UTC = UTC
JKT, MKS, JAP = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
ZONES = (JKT, MKS, JAP)
HOURS = {0: (time(8), time(15)), 1: (time(8), time(15)), 2: (time(8), time(15)),
         3: (time(8), time(15)), 4: (time(8), time(15, 30))}


def local(tz, *args):
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def end_of(tz, day):
    return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(tz)).astimezone(UTC)


def days(n):
    return TimeStandard(n, WORKING_DAYS)


def minutes(n):
    return TimeStandard(n, MINUTES)


# --- the holiday tables we rely on ----------------------------------------------------------

def test_the_holiday_tables_hold_idul_fitri_and_christmas_with_cuti_bersama():
    off_2025 = days_off(2025)
    assert {date(2025, 3, 31), date(2025, 4, 1)} <= off_2025  # Idul Fitri
    assert {date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 4), date(2025, 4, 7)} <= off_2025  # cuti bersama
    assert {date(2025, 12, 25), date(2025, 12, 26)} <= off_2025
    off_2026 = days_off(2026)
    # Nyepi 19 March with cuti bersama 18; Idul Fitri 21-22 March with cuti bersama 20, 23, 24
    assert {date(2026, 3, d) for d in (18, 19, 20, 21, 22, 23, 24)} <= off_2026
    assert {date(2026, 12, 24), date(2026, 12, 25)} <= off_2026


# --- working-day standards ------------------------------------------------------------------

def test_received_on_friday_one_working_day_is_due_end_of_monday():
    received = local(JKT, 2026, 11, 20, 10)
    assert deadline(received, days(1), JKT) == end_of(JKT, date(2026, 11, 23))


def test_idul_fitri_2025_and_its_cuti_bersama_are_skipped():
    received = local(JKT, 2025, 3, 27, 10)  # Thursday before Nyepi cuti bersama and Lebaran
    assert deadline(received, days(1), JKT) == end_of(JKT, date(2025, 4, 8))


def test_idul_fitri_2026_and_its_cuti_bersama_are_skipped():
    received = local(JKT, 2026, 3, 17, 10)
    assert deadline(received, days(1), JKT) == end_of(JKT, date(2026, 3, 25))
    assert deadline(received, days(3), JKT) == end_of(JKT, date(2026, 3, 27))


def test_christmas_2025_and_2026_are_skipped():
    assert deadline(local(JKT, 2025, 12, 24, 9), days(1), JKT) == end_of(JKT, date(2025, 12, 29))
    assert deadline(local(JKT, 2026, 12, 23, 9), days(1), JKT) == end_of(JKT, date(2026, 12, 28))


def test_a_sites_own_closed_day_is_skipped():
    received = local(JKT, 2026, 11, 23, 9)
    assert deadline(received, days(1), JKT, closed_dates=[date(2026, 11, 24)]) == end_of(JKT, date(2026, 11, 25))


def test_the_deadline_is_the_end_of_the_local_day_in_all_three_zones():
    received = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday morning everywhere
    for tz, offset in ((JKT, 7), (MKS, 8), (JAP, 9)):
        assert deadline(received, days(3), tz) == datetime(2026, 11, 27, tzinfo=UTC) - timedelta(hours=offset)


def test_a_late_evening_receipt_counts_from_the_sites_own_local_day():
    received = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Sunday 23:30 WIB, Monday 00:30 WITA
    assert deadline(received, days(1), JKT) == end_of(JKT, date(2026, 11, 23))
    assert deadline(received, days(1), MKS) == end_of(MKS, date(2026, 11, 24))


def test_a_correction_pause_over_a_weekend_adds_only_the_working_day_of_resubmission():
    received = local(JKT, 2026, 11, 23, 9)  # Monday
    assert deadline(received, days(5), JKT) == end_of(JKT, date(2026, 11, 30))
    pause = (local(JKT, 2026, 11, 27, 14), local(JKT, 2026, 11, 30, 10))  # Friday -> Monday
    assert deadline(received, days(5), JKT, pauses=[pause]) == end_of(JKT, date(2026, 12, 1))


def test_a_pause_of_several_working_days_moves_the_deadline_by_that_many():
    received = local(JKT, 2026, 11, 23, 9)
    pause = (local(JKT, 2026, 11, 24, 10), local(JKT, 2026, 11, 30, 9))  # Tue -> next Mon
    # Wed, Thu, Fri and Mon are paused: Tue counts, then Tue 1 and Wed 2 December
    assert deadline(received, days(3), JKT, pauses=[pause]) == end_of(JKT, date(2026, 12, 2))


def test_a_pause_within_one_day_costs_nothing_and_overlaps_count_once():
    received = local(JKT, 2026, 11, 23, 9)
    same_day = (local(JKT, 2026, 11, 24, 9), local(JKT, 2026, 11, 24, 14))
    assert deadline(received, days(3), JKT, pauses=[same_day]) == end_of(JKT, date(2026, 11, 26))
    a = (local(JKT, 2026, 11, 24, 9), local(JKT, 2026, 11, 25, 14))
    b = (local(JKT, 2026, 11, 24, 12), local(JKT, 2026, 11, 25, 9))
    assert deadline(received, days(3), JKT, pauses=[a, b]) == end_of(JKT, date(2026, 11, 27))


def test_a_pause_after_the_deadline_passed_does_not_rescue_it():
    received = local(JKT, 2026, 11, 23, 9)
    late = (local(JKT, 2026, 11, 30, 9), local(JKT, 2026, 12, 4, 9))
    assert deadline(received, days(3), JKT, pauses=[late]) == end_of(JKT, date(2026, 11, 26))


def test_a_pause_in_the_eastern_zone_counts_eastern_days():
    received = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Mon 09:00 WIT
    pause = (datetime(2026, 11, 24, 0, 0, tzinfo=UTC), datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # Tue->Wed WIT
    assert deadline(received, days(2), JAP, pauses=[pause]) == end_of(JAP, date(2026, 11, 26))


def test_while_the_application_waits_on_the_applicant_there_is_no_deadline():
    received = local(JKT, 2026, 11, 23, 9)
    assert deadline(received, days(3), JKT, pauses=[(local(JKT, 2026, 11, 24, 9), None)]) is None


def test_a_service_without_a_countable_standard_has_no_deadline():
    assert deadline(local(JKT, 2026, 11, 23, 9), None, JKT) is None


# --- working-hour standards -----------------------------------------------------------------

def test_three_working_hours_cross_closing_time_into_the_next_morning():
    received = local(JKT, 2026, 11, 23, 13)  # Monday 13:00, closes 15:00
    assert deadline(received, minutes(180), JKT, opening_hours=HOURS) == local(JKT, 2026, 11, 24, 9)


def test_friday_opens_longer_and_the_rest_runs_on_monday():
    received = local(JKT, 2026, 11, 27, 14)  # Friday 14:00, closes 15:30
    assert deadline(received, minutes(180), JKT, opening_hours=HOURS) == local(JKT, 2026, 11, 30, 9, 30)


def test_received_before_opening_the_clock_starts_at_opening():
    received = local(JKT, 2026, 11, 23, 6)
    assert deadline(received, minutes(30), JKT, opening_hours=HOURS) == local(JKT, 2026, 11, 23, 8, 30)


def test_a_standard_that_runs_out_at_closing_is_due_at_closing():
    received = local(JKT, 2026, 11, 23, 14)
    assert deadline(received, minutes(60), JKT, opening_hours=HOURS) == local(JKT, 2026, 11, 23, 15)


def test_working_hours_skip_christmas_and_the_weekend():
    received = local(JKT, 2026, 12, 23, 14)
    assert deadline(received, minutes(120), JKT, opening_hours=HOURS) == local(JKT, 2026, 12, 28, 9)


def test_paused_minutes_inside_opening_hours_are_added_back():
    received = local(JKT, 2026, 11, 23, 8)
    pause = (local(JKT, 2026, 11, 23, 9), local(JKT, 2026, 11, 23, 10, 30))
    assert deadline(received, minutes(180), JKT, [], [pause], HOURS) == local(JKT, 2026, 11, 23, 12, 30)


def test_working_hours_are_counted_on_the_sites_own_clock_in_every_zone():
    received = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 WIB, 08:00 WITA, 09:00 WIT
    assert deadline(received, minutes(60), JKT, opening_hours=HOURS) == local(JKT, 2026, 11, 23, 9)
    assert deadline(received, minutes(60), MKS, opening_hours=HOURS) == local(MKS, 2026, 11, 23, 9)
    assert deadline(received, minutes(60), JAP, opening_hours=HOURS) == local(JAP, 2026, 11, 23, 10)


def test_an_hour_standard_without_opening_hours_asks_for_them():
    with pytest.raises(DomainError) as caught:
        deadline(local(JKT, 2026, 11, 23, 9), minutes(60), JKT)
    assert caught.value.field == "opening_hours"


# --- status and on-time rate ----------------------------------------------------------------

def test_status_on_time_then_due_soon_then_overdue():
    due = datetime(2026, 11, 26, 17, tzinfo=UTC)
    assert status(due - timedelta(days=2), due) is DeadlineStatus.on_time
    assert status(due - timedelta(hours=3), due) is DeadlineStatus.due_soon
    assert status(due + timedelta(minutes=1), due) is DeadlineStatus.overdue
    assert status(due - timedelta(minutes=20), due, due_soon=timedelta(minutes=15)) is DeadlineStatus.on_time


def test_a_finished_application_is_judged_by_when_it_finished():
    due = datetime(2026, 11, 26, 17, tzinfo=UTC)
    later = due + timedelta(days=5)
    assert status(later, due, finished_at=due) is DeadlineStatus.on_time
    assert status(later, due, finished_at=due + timedelta(seconds=1)) is DeadlineStatus.overdue
    assert status(later, None) is None


def test_on_time_rate_counts_only_finished_applications_with_a_deadline():
    due = datetime(2026, 11, 26, 17, tzinfo=UTC)
    items = [(due, due), (due, due - timedelta(hours=1)), (due, due + timedelta(hours=1)),
             (due, None), (None, due)]
    assert on_time_rate(items) == pytest.approx(2 / 3)
    assert on_time_rate([]) is None


# --- reading the Standar Pelayanan ----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("14 hari kerja", days(14)),
    ("3 (tiga) hari kerja", days(3)),
    ("Tiga Hari Kerja", days(3)),
    ("empat belas hari kerja", days(14)),
    ("paling lama 5 HK", days(5)),
    ("1-3 hari kerja", days(3)),
    ("14 hari kerja (paling lama 14 hari kerja)", days(14)),
    ("1 jam", minutes(60)),
    ("3 jam kerja", minutes(180)),
    ("1 jam 30 menit", minutes(90)),
    ("1,5 jam", minutes(90)),
    ("30 menit", minutes(30)),
    ("14 working_days", days(14)),
    ("30 minutes", minutes(30)),
    ("Sesuai jadwal sidang", None),
    ("7 hari kalender", None),
    ("1 x 24 jam", None),
    ("", None),
    (None, None),
])
def test_the_time_standard_text_is_read_or_left_without_deadline(text, expected):
    assert parse_time_standard(text) == expected


def test_the_catalogue_fields_give_the_same_standard():
    assert from_catalogue(14, TimeUnit.working_days) == days(14)
    assert from_catalogue(30, "minutes") == minutes(30)
    assert from_catalogue(None, None) is None
    assert parse_time_standard(f"{30} {TimeUnit.minutes.value}") == from_catalogue(30, TimeUnit.minutes)


# --- properties -----------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))
closed_sets = st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 3, 31)), max_size=5)


@given(moments, st.integers(1, 30), st.sampled_from(ZONES), closed_sets)
def test_a_working_day_deadline_ends_a_working_day_and_one_more_day_is_later(received, n, tz, closed):
    due = deadline(received, days(n), tz, closed)
    last_day = (due - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()
    assert is_working_day(last_day, closed)
    assert deadline(received, days(n + 1), tz, closed) > due


@given(moments, st.integers(1, 600), st.sampled_from(ZONES), closed_sets)
def test_an_hour_deadline_falls_inside_opening_hours_of_a_working_day(received, n, tz, closed):
    due = deadline(received, minutes(n), tz, closed, (), HOURS)
    at = due.astimezone(ZoneInfo(tz))
    opens, closes = HOURS[at.weekday()]
    assert is_working_day(at.date(), closed) and opens < at.time() <= closes
    assert deadline(received, minutes(n + 1), tz, closed, (), HOURS) > due


@given(moments, st.sampled_from([days(5), minutes(240)]), st.sampled_from(ZONES),
       st.integers(0, 14 * 24 * 60), st.integers(0, 10 * 24 * 60), st.integers(1, 5 * 24 * 60))
def test_a_longer_pause_never_moves_the_deadline_earlier(received, standard, tz, start_after, length, extra):
    start = received + timedelta(minutes=start_after)
    short = (start, start + timedelta(minutes=length))
    long = (start, start + timedelta(minutes=length + extra))
    base = deadline(received, standard, tz, (), [], HOURS)
    with_short = deadline(received, standard, tz, (), [short], HOURS)
    with_long = deadline(received, standard, tz, (), [long], HOURS)
    assert base <= with_short <= with_long
