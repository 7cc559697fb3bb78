"""The end of a site's day: unserved tickets close with a reason (statistics keep them), every
open counter closes, and the day gets its row in queue_day_closes.

That row is written in the same transaction as the closing, and its key (site, local date)
makes closing happen once: a manager closing early, or several app processes whose day
closers (closer.py) reach the closing time together, all try; the first commits, the others
meet the key (PostgreSQL waits for the first and then refuses; SQLite's single writer sees
the row) and roll back, closing nothing twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalogue import queries as catalogue_queries
from ..catalogue.service import site_row
from ..db import Database, on_commit
from ..errors import Conflict, Forbidden
from ..scope import Actor, can_manage_site
from ..timeutil import utcnow
from . import daygate, daywindow, lookup, policy
from .counters import end_attendance
from .models import CounterState, DayClose, Ticket
from .policy import Action, Status
from .schemas import CloseDayResult
from .tickets import apply, record, site_channel

AUTOMATIC_REASON = "Jam layanan hari ini telah berakhir"
AUTOMATIC_BY = "sistem (tutup otomatis)"
OPEN_STATUSES = [st for st in Status if (st, Action.close) in policy.TRANSITIONS]


class DayAlreadyClosed(Conflict):
    def __init__(self, day: date) -> None:
        super().__init__("day_already_closed", f"Hari layanan {day:%d-%m-%Y} sudah ditutup.", "date")


def _close(s: Session, site_id: uuid.UUID, site_code: str, day: date, reason: str, who: str,
           actor_id: uuid.UUID | None, automatic: bool) -> CloseDayResult:
    """Inside the caller's transaction: the day's row first (its key refuses a second close),
    then every ticket still open on or before `day` and every open counter."""
    mark = DayClose(site_id=site_id, local_date=day, closed_at=utcnow(), automatic=automatic, closed_by=who[:200],
                    reason=reason[:300], closed_tickets=0)
    s.add(mark)
    s.flush()  # the key is checked here: a racing closer fails now, before changing anything
    tickets = s.scalars(select(Ticket).where(Ticket.site_id == site_id, Ticket.local_date <= day,
                                             Ticket.status.in_(OPEN_STATUSES))).all()
    for t in tickets:
        apply(t, Action.close)
        t.closed_reason = reason
        record(s, t, "closed", who, actor_id, data={"reason": reason, "automatic": automatic})
    states = s.scalars(select(CounterState).where(CounterState.site_id == site_id,
                                                  CounterState.is_open.is_(True))).all()
    now = utcnow()
    for state in states:
        state.is_open, state.current_ticket_id, state.closed_reason, state.priority_streak = False, None, reason, 0
        state.closed_at = now
        end_attendance(s, state.counter_id, now, reason, who)  # the day's close ends every officer's stretch
    mark.closed_tickets = len(tickets)
    on_commit(s, site_channel(site_id), {"type": "day.closed", "site": site_code, "date": day.isoformat(),
                                         "reason": reason, "at": utcnow().isoformat()})
    return CloseDayResult(closed_tickets=len(tickets), closed_counters=len(states))


def close_day(db: Database, actor: Actor, site_code: str, day: date, reason: str) -> CloseDayResult:
    """A manager closes a day (early, or one the closer has not reached): in one `db.write()`
    transaction; `day.closed` is published once it committed. A day closed already is refused."""
    reason = reason.strip()
    try:
        with db.write() as s:
            site = site_row(s, site_code)
            if not can_manage_site(actor, site.ref):
                raise Forbidden()
            if s.get(DayClose, (site.id, day)) is not None:
                raise DayAlreadyClosed(day)
            result = _close(s, site.id, site.code, day, reason, actor.label, actor.user_id, automatic=False)
            site_id = site.id
    except IntegrityError:
        raise DayAlreadyClosed(day) from None
    lookup.clear_calendar(db, site_id)
    return result


@dataclass(frozen=True)
class Closed:
    site_code: str
    day: date
    result: CloseDayResult


def open_days(s: Session, site_id: uuid.UUID, today: date, closed: frozenset[date]) -> set[date]:
    """Days of a site not yet closed that still hold unfinished tickets, and today while a
    counter is open."""
    days = set(s.scalars(select(Ticket.local_date).distinct().where(Ticket.site_id == site_id,
                                                                   Ticket.status.in_(OPEN_STATUSES))))
    if s.scalar(select(CounterState.counter_id).where(CounterState.site_id == site_id,
                                                      CounterState.is_open.is_(True)).limit(1)) is not None:
        days.add(today)
    return {d for d in days if d not in closed}


def close_due_days(db: Database, now: datetime | None = None) -> list[Closed]:
    """Close every site's days whose closing time plus grace has passed at `now` (UTC), oldest
    first, each in its own transaction; a day another process closed first is skipped."""
    now = now or utcnow()
    due: list[tuple[uuid.UUID, str, date]] = []
    with db.read() as s:
        for site_id, code in sorted(catalogue_queries.site_codes(s).items(), key=lambda kv: kv[1]):
            cal = lookup.load_calendar(s, site_id)
            local = daygate.local_now(cal, now)
            done = frozenset(s.scalars(select(DayClose.local_date).where(DayClose.site_id == site_id)))
            days = open_days(s, site_id, local.date(), done)
            due += [(site_id, code, d) for d in daywindow.days_to_close(cal.calendar, days, local,
                                                                       cal.close_grace_minutes)]
    closed = []
    for site_id, code, day in due:
        try:
            with db.write() as s:
                result = _close(s, site_id, code, day, AUTOMATIC_REASON, AUTOMATIC_BY, None, automatic=True)
        except IntegrityError:
            continue  # another process closed it first
        lookup.clear_calendar(db, site_id)
        closed.append(Closed(code, day, result))
    return closed


# ---------------------------------------------------------------- the manager's day page

@dataclass(frozen=True)
class ClosedDayView:
    day: date
    closed_at: datetime
    automatic: bool
    closed_by: str
    reason: str
    closed_tickets: int


@dataclass(frozen=True)
class DayOverview:
    """Today at a site as its manager sees it (local times, the site's zone)."""

    site_id: uuid.UUID
    site_code: str
    timezone: str
    today: date
    now: datetime
    is_open: bool  # tickets may be issued now (ignoring per-service limits)
    closed_today: ClosedDayView | None
    opens: datetime | None
    closes: datetime | None
    last_issue: datetime | None  # the site's issuing cut-off today
    closes_itself_at: datetime | None
    has_hours: bool
    is_event: bool
    event_status: str
    issue_cutoff_minutes: int
    close_grace_minutes: int
    next_opening: datetime | None
    waiting: int  # unfinished tickets of today
    closed_days: list[ClosedDayView]


def _closed_view(r: DayClose) -> ClosedDayView:
    return ClosedDayView(r.local_date, r.closed_at, r.automatic, r.closed_by, r.reason, r.closed_tickets)


def day_overview(db: Database, actor: Actor, site_code: str, now: datetime | None = None) -> DayOverview:
    """The day page's facts; the site's manager (or an overseer) only."""
    now = now or utcnow()
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        cal = lookup.load_calendar(s, site.id)
        local = daygate.local_now(cal, now)
        today = local.date()
        rules = daywindow.IssueRules(cal.issue_cutoff_minutes)
        w = daywindow.window(cal.calendar, rules, today, local.tzinfo)
        closed_today = s.get(DayClose, (site.id, today))
        span = cal.calendar.span(today) if closed_today is None else None
        opens = w.opens if w else None
        closes = w.closes if w else None
        if span is not None and w is None:  # the cut-off leaves no issuing time
            opens = datetime.combine(today, span[0], local.tzinfo)
            closes = datetime.combine(today, span[1], local.tzinfo)
        is_open = (not cal.is_event or cal.event_status == "open") and closed_today is None and (
            (w is not None and w.opens <= local < w.last_issue) if cal.has_hours else True)
        waiting = int(s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.site_id == site.id, Ticket.local_date == today, Ticket.status.in_(OPEN_STATUSES))) or 0)
        rows = s.scalars(select(DayClose).where(DayClose.site_id == site.id)
                         .order_by(DayClose.local_date.desc()).limit(30)).all()
        closed_days = [_closed_view(r) for r in rows]
        due = daywindow.close_due_at(cal.calendar, today, cal.close_grace_minutes, local.tzinfo)
        return DayOverview(
            site.id, site.code, cal.timezone, today, local, is_open,
            _closed_view(closed_today) if closed_today else None, opens, closes,
            w.last_issue if w else None, due if closed_today is None else None, cal.has_hours, cal.is_event,
            cal.event_status, cal.issue_cutoff_minutes, cal.close_grace_minutes,
            daywindow.next_issue_opening(cal.calendar, rules, local) if cal.has_hours else None, waiting,
            closed_days)
