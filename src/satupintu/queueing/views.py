"""What the queue shows: a ticket (with its position and estimated wait), a visit's history,
the waiting list, a counter's state, the display board. Reads only: each opens its own read
transaction (`db.read()`), or reads inside the caller's when given a session.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import Forbidden, NotFound
from ..scope import Actor, can_read_site, key_agency
from ..timeutil import utcnow
from . import lookup, policy, store, voice
from .models import BoardText, CounterState, Ticket, TicketEvent
from .policy import Status
from .schemas import BoardCall, BoardCounter, BoardState, CounterStateView, TicketView

DEFAULT_SERVICE_TIME = timedelta(minutes=10)


def ticket_view(db: Database, t: Any, site_code: str, ahead: int | None = None) -> TicketView:
    """A ticket's view from cached catalogue facts; with `ahead` (tickets before it in the
    calling order), a waiting ticket also shows its position and estimated wait. `t` is an
    ORM ticket or a store.TicketRow."""
    svc = lookup.service_by_id(db, t.service_id)
    view = TicketView(
        id=t.id, visit_id=t.visit_id, number=t.number, status=t.status, site=site_code, service_code=svc.code,
        service_name=svc.name, agency_code=svc.agency_code, priority=t.priority, channel=t.channel,
        counter_number=lookup.counter_number(db, t.counter_id) if t.counter_id else None, issued_at=t.issued_at,
        called_at=t.called_at, recall_count=t.recall_count,
    )
    if ahead is not None and t.status is Status.waiting:
        view.position = ahead
        avg, counters = service_pace(db, svc)
        view.estimated_wait_minutes = int(policy.estimate_wait(ahead, avg, counters).total_seconds() // 60)
    return view


def positioned(db: Database, ticket: uuid.UUID | store.TicketRow, site_code: str) -> TicketView:
    """A waiting ticket's view with position and estimate, read after the write has committed,
    so the counting query does not lengthen the write transaction (SQLite has one writer).
    `ticket` is a ticket id, or the row just written (then it is not read again)."""
    with db.read() as s:
        t = ticket if isinstance(ticket, store.TicketRow) else s.get(Ticket, ticket)
        if t is None:
            raise NotFound("Tiket", "ticket")
        return ticket_view(db, t, site_code, _ahead(s, t) if t.status is Status.waiting else None)


def service_pace(db: Database, svc: lookup.ServiceInfo) -> tuple[timedelta, int]:
    """Recent mean service time and open counters of a service, refreshed every few seconds."""
    def load() -> tuple[timedelta, int]:
        with db.read() as s:
            return _avg_service_time(s, svc), _open_counters(s, svc.id)

    pace: tuple[timedelta, int] = lookup._cache(db).get(("pace", svc.id), load)
    return pace


def _ahead(s: Session, t: Any) -> int:
    """Waiting tickets of the same service that the calling order puts first."""
    return store.count_ahead(s.connection(), t.service_id, t.id, t.ready_at, t.is_priority)


def _avg_service_time(s: Session, svc: lookup.ServiceInfo) -> timedelta:
    """Mean of the last 20 service durations of the past week, else the standard, else 10 minutes."""
    since = utcnow() - timedelta(days=7)
    rows = s.execute(select(Ticket.serving_at, Ticket.finished_at).where(
        Ticket.service_id == svc.id, Ticket.status == Status.done, Ticket.finished_at >= since,
        Ticket.serving_at.is_not(None)).order_by(Ticket.finished_at.desc()).limit(20)).all()
    durations = [f - st for st, f in rows if st is not None and f is not None]  # the query excludes None
    if durations:
        return sum(durations, timedelta()) / len(durations)
    if svc.standard_minutes:
        return timedelta(minutes=min(svc.standard_minutes, 60))
    return DEFAULT_SERVICE_TIME


def _open_counters(s: Session, service_id: uuid.UUID) -> int:
    serving = catalogue.counter_ids_serving(s, service_id)
    if not serving:
        return 0
    return int(s.scalar(select(func.count()).select_from(CounterState).where(
        CounterState.counter_id.in_(serving), CounterState.is_open.is_(True))) or 0)


def get_ticket(db: Database, ticket_id: uuid.UUID) -> TicketView:
    """A ticket's public state (the citizen's page): position and estimated wait, no personal data."""
    with db.read() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        site = catalogue.site(s, t.site_id)
        assert site is not None, "a ticket's site is a foreign key"
        return ticket_view(db, t, site.code, _ahead(s, t) if t.status is Status.waiting else None)


def visit_history(db: Database, actor: Actor, ticket_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every event of every ticket of this visit, for the officer serving it."""
    with db.read() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        site = catalogue.site(s, t.site_id)
        assert site is not None, "a ticket's site is a foreign key"
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        rows = s.execute(select(TicketEvent, Ticket.number, Ticket.service_id)
                         .join(Ticket, Ticket.id == TicketEvent.ticket_id).where(Ticket.visit_id == t.visit_id)
                         .order_by(TicketEvent.at, TicketEvent.id)).all()
        codes = catalogue.service_codes(s, (service_id for _, _, service_id in rows))
        return [{"at": e.at, "kind": e.kind, "status": e.status, "by": e.actor_label, "number": number,
                 "service": codes[service_id].code, "data": e.data} for e, number, service_id in rows]


def waiting(db: Database, actor: Actor, site_code: str) -> list[TicketView]:
    """A site's waiting tickets, in calling order."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        q = select(Ticket).where(Ticket.site_id == site.id, Ticket.status == Status.waiting)
        if (agency := key_agency(actor)) is not None:  # a key of one agency: its services' tickets only
            q = q.where(Ticket.service_id.in_(catalogue.service_ids_of_agency(s, agency)))
        tickets = s.scalars(q.order_by(Ticket.is_priority.desc(), Ticket.ready_at, Ticket.id)).all()
        return [ticket_view(db, t, site.code) for t in tickets]


@dataclass(frozen=True)
class WaitingHere:
    """A ticket waiting for one of a counter's services, as the officer's console lists it."""

    id: uuid.UUID
    number: str
    service_code: str
    service_name: str
    priority: policy.Priority
    waited_minutes: int


def counter_queue(db: Database, actor: Actor, site_code: str, number: int,
                  limit: int = 8) -> tuple[int, list[WaitingHere]]:
    """How many of today's ready tickets wait for this counter's services, and the first
    `limit` of them in calling order (priority visitors first, then by ready time)."""
    site = lookup.site(db, site_code)
    counter = lookup.counter(db, site, number)
    if not counter.service_ids:
        return 0, []
    now = utcnow()
    day = policy.local_day(now, site.timezone)
    with db.read() as s:
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        where = (Ticket.service_id.in_(counter.service_ids), Ticket.status == Status.waiting,
                 Ticket.local_date == day, Ticket.ready_at <= now)
        total = int(s.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0)
        rows = s.execute(select(Ticket.id, Ticket.number, Ticket.service_id, Ticket.priority, Ticket.ready_at)
                         .where(*where).order_by(Ticket.is_priority.desc(), Ticket.ready_at, Ticket.id)
                         .limit(limit)).all()
    out = []
    for tid, num, service_id, priority, ready_at in rows:
        svc = lookup.service_by_id(db, service_id)
        out.append(WaitingHere(tid, num, svc.code, svc.name, priority,
                               max(0, int((now - ready_at).total_seconds() // 60))))
    return total, out


def counter_view(db: Database, s: Session, site_code: str, counter_id: uuid.UUID,
                 state: CounterState | None) -> CounterStateView:
    """A counter's state and the ticket active there, read in the caller's session."""
    counter = catalogue.counter(s, counter_id)
    if counter is None:
        raise NotFound("Loket", "counter")
    current = None
    if state and state.current_ticket_id:
        t = s.get(Ticket, state.current_ticket_id)
        if t is not None and t.status in policy.ACTIVE_AT_COUNTER:
            current = ticket_view(db, t, site_code)
    return CounterStateView(number=counter.number, name=counter.name, agency_code=counter.agency_code or "",
                            is_open=bool(state and state.is_open), officer=state.officer_label if state else "",
                            current=current)


def _counter(s: Session, site: catalogue.SiteFacts, number: int) -> catalogue.CounterFacts:
    counter = catalogue.counter_by_number(s, site.id, number)
    if counter is None:
        raise NotFound(f"Loket {number}", "counter")
    return counter


def counter_status(db: Database, actor: Actor, site_code: str, number: int) -> CounterStateView:
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        counter = _counter(s, site, number)
        return counter_view(db, s, site.code, counter.id, s.get(CounterState, counter.id))


def site_counters(db: Database, actor: Actor, site_code: str) -> list[CounterStateView]:
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        counters = catalogue.site_counters(s, site.id)
        if (agency := key_agency(actor)) is not None:  # a key of one agency: its counters only
            counters = [c for c in counters if c.agency_id == agency]
        return [counter_view(db, s, site.code, c.id, s.get(CounterState, c.id)) for c in counters]


def board_state(db: Database, site_code: str, agencies: Collection[str] = (), floor: str = "") -> BoardState:
    """What a display board shows (public: numbers and counters only, no personal data); with
    `agencies` (codes) only their counters, calls and waiting tickets, with `floor` only the
    counters on that floor and their calls, for a board that shows part of the hall. Waiting
    counts are per agency (a ticket waits for a service, not a floor): a floor's board counts
    the agencies that have a counter on its floor."""
    site = lookup.site(db, site_code)
    day = policy.local_day(utcnow(), site.timezone)
    floor = floor.strip()
    with db.read() as s:
        counters = [c for c in catalogue.site_counters(s, site.id)
                    if (not agencies or c.agency_code in agencies) and (not floor or c.floor == floor)]
        numbers = {c.id: c.number for c in counters}
        by_id = {c.id: c for c in counters}
        shown_agencies = set(agencies) if agencies else {c.agency_code for c in counters} if floor else set()
        text_row = s.get(BoardText, site.id)
        running_text = text_row.text if text_row else ""

        def said(n: str, c: uuid.UUID) -> tuple[str, int, str, str]:
            return n, numbers[c], by_id[c].agency_short_name, by_id[c].floor
        states = {st.counter_id: st for st in s.scalars(select(CounterState).where(CounterState.site_id == site.id))}
        current_ids = [st.current_ticket_id for st in states.values() if st.current_ticket_id]
        current = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(current_ids)))} if current_ids else {}
        rows = []
        for c in counters:
            st = states.get(c.id)
            t = current.get(st.current_ticket_id) if st and st.current_ticket_id else None
            active = t is not None and t.status in policy.ACTIVE_AT_COUNTER
            rows.append(BoardCounter(number=c.number, name=c.name, agency=c.agency_short_name,
                                     is_open=bool(st and st.is_open), floor=c.floor, location=c.location,
                                     ticket=t.number if t is not None and active else None,
                                     status=t.status.value if t is not None and active else None))
        calls = s.execute(select(Ticket.number, TicketEvent.counter_id, TicketEvent.at)
                          .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                          .where(Ticket.site_id == site.id, Ticket.local_date == day,
                                 TicketEvent.counter_id.in_(list(numbers)),
                                 TicketEvent.kind.in_(["called", "recalled"]))
                          .order_by(TicketEvent.at.desc()).limit(8)).all() if numbers else []
        per_service = s.execute(select(Ticket.service_id, func.count()).where(
            Ticket.site_id == site.id, Ticket.local_date == day, Ticket.status == Status.waiting)
            .group_by(Ticket.service_id)).all()
        short_names = catalogue.service_agency_short_names(s, (sid for sid, _ in per_service))
        scoped = bool(agencies or floor)
        agency_codes = catalogue.service_codes(s, (sid for sid, _ in per_service)) if scoped else {}
        waiting: dict[str, int] = {}
        for service_id, count in per_service:
            if scoped and agency_codes[service_id].agency_code not in shown_agencies:
                continue
            name = short_names.get(service_id) or "-"
            waiting[name] = waiting.get(name, 0) + int(count)
    return BoardState(site=site.code, timezone=site.timezone, counters=rows,
                      recent_calls=[BoardCall(number=n, counter=numbers[c], at=at,
                                              announcement=voice.call_announcement(*said(n, c)),
                                              clips=voice.call_clips(*said(n, c)),
                                              agency=by_id[c].agency_short_name, floor=by_id[c].floor,
                                              location=by_id[c].location)
                                    for n, c, at in calls if c is not None],  # calls are at a counter
                      waiting=dict(sorted(waiting.items())), running_text=running_text, floor=floor)
