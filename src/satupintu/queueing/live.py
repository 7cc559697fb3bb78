"""The manager's live view of "loket tidak boleh kosong": closed counters with their reason
and since when, idle counters, the oldest wait per agency, and the alerts (an open counter with
no officer's attendance open; a wait past the threshold). `alerts` is the pure rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import Forbidden
from ..scope import Actor, can_read_site
from ..timeutil import utcnow
from . import policy, queries
from .models import CounterAttendance, CounterState

# A wait past this many minutes raises an alert (the site has no stored threshold yet; the
# oversight measures judge waits against the same 30 minutes by default).
WAIT_ALERT_MINUTES = 30


@dataclass(frozen=True)
class CounterLive:
    number: int
    agency: str
    is_open: bool
    serving: bool
    has_officer: bool  # an attendance stretch is open at this counter
    closed_reason: str
    closed_since: datetime | None
    idle_since: datetime | None  # open, nobody at the counter, since


@dataclass(frozen=True)
class Alert:
    kind: str  # "no_officer" or "long_wait"
    message: str


@dataclass(frozen=True)
class LiveOverview:
    counters: list[CounterLive]
    oldest_wait: dict[str, datetime]  # agency code -> issue time of its longest-waiting ticket
    alerts: list[Alert]
    threshold_minutes: int


def alerts(counters: list[CounterLive], oldest_wait: dict[str, datetime], now: datetime,
           threshold_minutes: int) -> list[Alert]:
    """Open counters without an officer, then agencies whose oldest wait passed the threshold."""
    out = [Alert("no_officer", f"Loket {c.number} buka tanpa petugas tercatat hadir.")
           for c in counters if c.is_open and not c.has_officer]
    for agency, since in sorted(oldest_wait.items()):
        minutes = int((now - since).total_seconds() // 60)
        if minutes > threshold_minutes:
            out.append(Alert("long_wait", f"{agency}: ada yang menunggu {minutes} menit "
                                          f"(batas {threshold_minutes} menit)."))
    return out


def live_overview(db: Database, actor: Actor, site_code: str,
                  threshold_minutes: int = WAIT_ALERT_MINUTES) -> LiveOverview:
    now = utcnow()
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        facts = catalogue.site_counters(s, site.id)
        states = {st.counter_id: st for st in s.scalars(select(CounterState).where(CounterState.site_id == site.id))}
        now_state = {c.counter_id: c for c in queries.counters_now(s, site.id)}  # the dashboard's read too
        counters = []
        for c in facts:
            st, cur = states.get(c.id), now_state.get(c.id)
            is_open, serving = bool(cur and cur.is_open), bool(cur and cur.serving)
            counters.append(CounterLive(
                number=c.number, agency=c.agency_code or "", is_open=is_open, serving=serving,
                has_officer=bool(cur and cur.has_officer), closed_reason=st.closed_reason if st and not is_open else "",
                closed_since=st.closed_at if st and not is_open else None,
                idle_since=(st.updated_at if st and is_open and not serving else None)))
        day = policy.local_day(now, site.timezone)
        waiting = queries.waiting_now(s, site.id, day)
        codes = catalogue.service_codes(s, (w.service_id for w in waiting))
        oldest: dict[str, datetime] = {}
        for w in waiting:
            agency = codes[w.service_id].agency_code
            if agency not in oldest or w.issued_at < oldest[agency]:
                oldest[agency] = w.issued_at
    return LiveOverview(counters, dict(sorted(oldest.items())), alerts(counters, oldest, now, threshold_minutes),
                        threshold_minutes)


@dataclass(frozen=True)
class AttendanceFacts:
    """One stretch at a counter, for staffing's attendance-versus-roster view."""

    counter_id: uuid.UUID
    counter_number: int
    user_id: uuid.UUID | None
    officer_label: str
    opened_at: datetime
    closed_at: datetime | None
    closed_reason: str
    confirmed_by: str


def attendance_between(db: Database, site_id: uuid.UUID, start: datetime, end: datetime) -> list[AttendanceFacts]:
    """The attendance stretches at a site's counters that opened in [start, end), in order
    (a named read: the caller checks who may see them)."""
    with db.read() as s:
        numbers = {c.id: c.number for c in catalogue.site_counters(s, site_id)}
        rows = s.scalars(select(CounterAttendance).where(
            CounterAttendance.site_id == site_id, CounterAttendance.opened_at >= start,
            CounterAttendance.opened_at < end).order_by(CounterAttendance.opened_at)).all()
        return [AttendanceFacts(r.counter_id, numbers.get(r.counter_id, 0), r.user_id, r.officer_label, r.opened_at,
                                r.closed_at, r.closed_reason, r.confirmed_by) for r in rows]
