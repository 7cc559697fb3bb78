"""The demo's past, on SQLite and PostgreSQL: a manager opening a freshly loaded demo sees
weeks of served visits, an SKM index with its respondent profile, and complaints in every
state of the desk, while today's queue is still empty and starts at number 1."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.catalogue.models import Site
from satupintu.demo.history import PAST_DAYS, past_working_days
from satupintu.feedback import complaint_service as cs
from satupintu.feedback import service as feedback
from satupintu.feedback.complaints import State
from satupintu.queueing.models import DayClose, Ticket, TicketSequence
from satupintu.queueing.policy import Status, local_day
from satupintu.timeutil import utcnow
from satupintu.workdays import is_working_day
from tests.conftest import DEMO_PASSWORD


def _site(db):  # type: ignore[no-untyped-def]
    with db.read() as s:
        site = s.scalars(select(Site).where(Site.code == "lahat")).one()
        return site.id, local_day(utcnow(), site.timezone)


def test_past_working_days_skip_weekends_holidays_and_the_sites_closed_dates():
    """The history covers days the mall was open: Christmas 2026 (closed at Lahat) and the
    weekend around it have no visitors."""
    hours = {d: (None, None) for d in range(5)}  # Monday to Friday
    days = past_working_days(date(2026, 12, 29), {date(2026, 12, 24), date(2026, 12, 25)}, hours, 5)  # type: ignore[arg-type]
    assert days == [date(2026, 12, 18), date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23),
                    date(2026, 12, 28)]


def test_past_days_have_served_tickets_and_today_none(demo_db):
    """The queue reports show the last working days full of served visitors (more on a Monday
    than most days), a few closed unserved by the day's close, and nothing yet today."""
    site_id, today = _site(demo_db)
    with demo_db.read() as s:
        per_day = dict(s.execute(select(Ticket.local_date, func.count()).where(
            Ticket.site_id == site_id, Ticket.status == Status.done).group_by(Ticket.local_date)).all())
        closed = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.site_id == site_id, Ticket.status == Status.closed, Ticket.closed_reason != "")) or 0
        today_tickets = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.site_id == site_id, Ticket.local_date >= today)) or 0
        today_numbers = s.scalar(select(func.count()).select_from(TicketSequence).where(
            TicketSequence.site_id == site_id, TicketSequence.local_date >= today)) or 0
        closes = set(s.scalars(select(DayClose.local_date).where(DayClose.site_id == site_id)))
    assert len(per_day) == PAST_DAYS and max(per_day) < today and min(per_day) >= today - timedelta(days=45)
    assert all(d.weekday() < 5 for d in per_day)
    assert all(40 <= n <= 200 for n in per_day.values()), per_day
    assert 0 < closed < sum(per_day.values()) * 0.2
    assert today_tickets == 0 and today_numbers == 0
    assert closes == set(per_day)


def test_each_past_days_numbers_run_from_one_without_gaps(demo_db):
    """A-001, A-002, ... every letter of every day, as the kiosk would have printed them, and the
    day's sequence ends at the last number given (so a re-issued number can never repeat)."""
    site_id, _ = _site(demo_db)
    with demo_db.read() as s:
        numbers: dict[tuple[date, str], list[int]] = defaultdict(list)
        for day, prefix, seq, number in s.execute(select(Ticket.local_date, Ticket.prefix, Ticket.seq, Ticket.number)
                                                  .where(Ticket.site_id == site_id)):
            numbers[(day, prefix)].append(seq)
            assert number == f"{prefix}-{seq:03d}"
        last = {(q.local_date, q.prefix): q.last
                for q in s.scalars(select(TicketSequence).where(TicketSequence.site_id == site_id))}
    assert len({prefix for _, prefix in numbers}) >= 6
    for key, seqs in numbers.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), key
        assert last[key] == len(seqs), key
    assert set(last) == set(numbers)


def test_skm_report_of_the_last_month_has_an_index_and_a_profile(demo_db):
    """The SKM page over the last month: respondents (about a third of those served), an index
    between 1 and 4 per unsur and a grade, and the respondent profile counted by age, sex,
    education and occupation; a few suggestions in Indonesian."""
    manager = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    _, today = _site(demo_db)
    report = feedback.report(demo_db, manager, "lahat", today - timedelta(days=31), today)
    assert 0.2 * report.population < report.respondents < 0.4 * report.population
    assert len(report.unsur) == 9
    assert all(1 <= u.nrr <= 4 for u in report.unsur)
    assert 25 <= report.ikm <= 100 and report.grade in "ABCD"
    profile = report.profile
    assert profile.online == report.respondents
    for groups in (profile.age, profile.sex, profile.education, profile.occupation):
        assert sum(g.count for g in groups) == report.respondents and len(groups) >= 2
    assert report.suggestions


def test_complaint_desk_lists_complaints_in_several_states(demo_db):
    """The complaint desk: new, verified, assigned, in follow-up (overdue), answered, closed,
    rejected and not-our-authority complaints, one due soon, received over the past weeks."""
    manager = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    _, today = _site(demo_db)
    desk = cs.desk(demo_db, manager, "lahat")
    states = {c.state for c in desk.complaints}
    assert {State.received, State.in_follow_up, State.answered, State.closed} <= states
    assert len(states) >= 6 and 6 <= len(desk.complaints) <= 10
    overdue = [c for c in desk.complaints if c.overdue]
    assert len(overdue) == 1 and overdue[0].state is State.in_follow_up
    if is_working_day(today) and today.weekday() < 5:  # due at the end of today; on a weekend, later
        assert any(c.due_soon for c in desk.complaints)
    assert min(c.received_at for c in desk.complaints) < utcnow() - timedelta(days=7)
    answered = [c for c in desk.complaints if c.state in (State.answered, State.closed)]
    assert all(c.answer for c in answered)
