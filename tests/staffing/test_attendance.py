"""Attendance versus roster: opening a counter records the account and, through the login link,
the roster officer; the pure comparison marks late, absent and unplanned (staffing/attendance.py),
on SQLite and PostgreSQL."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts import service as accounts
from satupintu.queueing import service as queue
from satupintu.staffing import service as staffing
from satupintu.staffing.attendance import Actual, Planned, compare
from tests.conftest import DEMO_PASSWORD
from tests.queueing.usecases import db, officer  # noqa: F401


def test_compare_marks_late_absent_and_unplanned():
    planned = [Planned("a", 4, 480, 660), Planned("a", 4, 690, 900), Planned("b", 5, 480, 900),
               Planned("c", 6, 480, 900)]
    actual = [Actual("a", 4, 485, 660), Actual("b", 5, 520, None), Actual("x", 7, 600, 630)]
    lines = {line.officer: line for line in compare(planned, actual, grace=10)}
    assert {k: (v.status, v.late_minutes) for k, v in lines.items()} == {
        "a": ("hadir", 0), "b": ("terlambat", 40), "c": ("tidak_hadir", 0), "x": ("di_luar_jadwal", 0)}


minutes = st.integers(0, 1439)


@given(planned=st.lists(st.builds(Planned, st.sampled_from("abc"), st.integers(1, 5), minutes, minutes)),
       actual=st.lists(st.builds(Actual, st.sampled_from("bcd"), st.integers(1, 5), minutes, st.none() | minutes)),
       grace=st.integers(0, 60))
def test_every_officer_gets_one_line_and_the_status_follows_from_plan_and_openings(planned, actual, grace):
    lines = compare(planned, actual, grace)
    assert [line.officer for line in lines] == sorted({p.officer for p in planned} | {a.officer for a in actual})
    for line in lines:
        assert bool(line.planned) or bool(line.actual)
        if not line.actual:
            assert line.status == "tidak_hadir"
        elif not line.planned:
            assert line.status == "di_luar_jadwal"
        else:
            late = min(a.opened_minute for a in line.actual) - min(p.start_minute for p in line.planned)
            assert line.status == ("terlambat" if late > grace else "hadir")
            assert line.late_minutes == (late if late > grace else 0)


def test_the_day_view_names_the_roster_officer_of_the_login_that_opened(db, officer):
    """The demo's petugas.dukcapil is the roster's first Dukcapil officer: opening Loket 4 shows
    under that officer's name today, with the opening time; a planned officer who never opened is absent."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.close_counter(db, officer, "lahat", 4, "istirahat")
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    today = staffing.site_today(db, "lahat")
    rows = staffing.attendance_day(db, manager, "lahat", today)
    opened = [r for r in rows if "loket 4" in r.actual]
    assert len(opened) == 1 and "akun tanpa petugas" not in opened[0].name and "(DUKCAPIL)" in opened[0].name
    if today.weekday() < 5:  # the demo rosters Monday to Friday
        assert any(r.status == "tidak_hadir" for r in rows)
        assert opened[0].status in ("hadir", "terlambat") and opened[0].planned != "-"
    else:
        assert opened[0].status == "di_luar_jadwal"
    assert staffing.attendance_day(db, manager, "lahat", today - timedelta(days=400)) == []
