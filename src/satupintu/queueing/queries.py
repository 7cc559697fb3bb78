"""Named read queries over the queue's tickets, for other capabilities.

Planning, reporting, feedback and applications read the queue's history through these functions
(re-exported by `queueing.service`) instead of joining the ticket table. Each takes the caller's
session, so it runs inside the caller's transaction, and returns plain tuples of ids and times,
never a ticket row. Times are as stored: UTC, naive on SQLite.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from ..audit import AuditEntry
from .models import Booking, CounterAttendance, CounterState, DayClose, QueueSettings, Ticket, TicketEvent
from .policy import ACTIVE_AT_COUNTER, Channel, Priority, Status

__all__ = [
    "BookingRecord",
    "CounterLogRecord",
    "CounterNow",
    "EventRecord",
    "ServedTicket",
    "TicketArrival",
    "TicketFacts",
    "TicketHistory",
    "WaitingTicket",
    "arrivals_since",
    "bookings_between",
    "counter_log_between",
    "counters_now",
    "day_close_marks",
    "day_closes",
    "finished_tickets_since",
    "first_ticket_day",
    "last_arrival_before",
    "served_ticket_count",
    "served_tickets_since",
    "ticket",
    "ticket_history",
    "ticket_issuer",
    "tickets_per_day",
    "waiting_now",
]


class TicketArrival(NamedTuple):
    """A citizen arriving for a service: when the ticket was issued."""

    service_id: uuid.UUID
    issued_at: datetime


class ServedTicket(NamedTuple):
    """A ticket served to the end: when service started and when it finished."""

    service_id: uuid.UUID
    serving_at: datetime
    finished_at: datetime


def arrivals_since(session: Session, site_id: uuid.UUID, since: datetime) -> list[TicketArrival]:
    """Tickets issued at a site from `since` on, as arrivals: a referral is the same visitor
    moving on, not a new arrival, so referrals are left out."""
    rows = session.execute(select(Ticket.service_id, Ticket.issued_at)
                           .where(Ticket.site_id == site_id, Ticket.channel != Channel.referral,
                                  Ticket.issued_at >= since))
    return [TicketArrival(*row) for row in rows]


def last_arrival_before(session: Session, site_id: uuid.UUID, before: datetime) -> datetime | None:
    """When the last ticket (referrals left out) was issued at a site before `before`, or None."""
    return session.scalar(select(func.max(Ticket.issued_at)).where(
        Ticket.site_id == site_id, Ticket.channel != Channel.referral, Ticket.issued_at < before))


def served_tickets_since(session: Session, site_id: uuid.UUID, since: datetime) -> list[ServedTicket]:
    """Tickets of a site finished (done, with a start and an end of service) from `since` on,
    the most recently finished first."""
    rows = session.execute(select(Ticket.service_id, Ticket.serving_at, Ticket.finished_at)
                           .where(Ticket.site_id == site_id, Ticket.status == Status.done,
                                  Ticket.serving_at.is_not(None), Ticket.finished_at.is_not(None),
                                  Ticket.finished_at >= since)
                           .order_by(Ticket.finished_at.desc()))
    # The query leaves out tickets without both times; the check tells the type checker so.
    return [ServedTicket(service_id, serving, finished) for service_id, serving, finished in rows
            if serving is not None and finished is not None]


class TicketFacts(NamedTuple):
    id: uuid.UUID
    site_id: uuid.UUID
    visit_id: uuid.UUID
    service_id: uuid.UUID
    number: str
    status: Status
    finished_at: datetime | None


def finished_tickets_since(s: Session, site_id: uuid.UUID, since: datetime) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(ticket id, visit id) of a site's tickets served to the end since `since`, latest first."""
    rows = s.execute(select(Ticket.id, Ticket.visit_id)
                     .where(Ticket.site_id == site_id, Ticket.local_date >= since.date() - timedelta(days=1),
                            Ticket.status == Status.done, Ticket.finished_at >= since)
                     .order_by(Ticket.finished_at.desc()))
    return [(ticket_id, visit_id) for ticket_id, visit_id in rows]


def served_ticket_count(s: Session, site_id: uuid.UUID, start: datetime, end: datetime,
                        service_ids: Collection[uuid.UUID] | None = None) -> int:
    """How many of a site's tickets were served to the end in [start, end) (UTC), of these
    services only when given."""
    q = select(func.count()).select_from(Ticket).where(
        Ticket.site_id == site_id, Ticket.status == Status.done, Ticket.finished_at >= start, Ticket.finished_at < end)
    if service_ids is not None:
        q = q.where(Ticket.service_id.in_(service_ids))
    return int(s.scalar(q) or 0)


def ticket(s: Session, ticket_id: uuid.UUID) -> TicketFacts | None:
    """A ticket by id; None when there is none."""
    t = s.get(Ticket, ticket_id)
    if t is None:
        return None
    return TicketFacts(t.id, t.site_id, t.visit_id, t.service_id, t.number, t.status, t.finished_at)


def ticket_issuer(s: Session, ticket_id: uuid.UUID) -> str | None:
    """The actor label of whoever issued a ticket (a kiosk's `kios:<name>`, a staff member's label)."""
    return s.scalar(select(TicketEvent.actor_label).where(TicketEvent.ticket_id == ticket_id,
                                                          TicketEvent.kind == "issued").limit(1))


# --- History, for oversight's measures ---------------------------------------------------------

class EventRecord(NamedTuple):
    """One step of a ticket (a `ticket_events` row): when, what, the status it led to, where, who."""

    at: datetime
    kind: str
    status: str
    counter_id: uuid.UUID | None
    actor_id: uuid.UUID | None


class TicketHistory(NamedTuple):
    """A ticket, who it is for, and every step it went through, oldest first."""

    id: uuid.UUID
    site_id: uuid.UUID
    visit_id: uuid.UUID
    service_id: uuid.UUID
    channel: Channel
    priority: Priority
    booking_id: uuid.UUID | None
    referred_from_service_id: uuid.UUID | None  # for a referral: the service that sent the visit
    events: tuple[EventRecord, ...]


def ticket_history(s: Session, site_ids: Collection[uuid.UUID], start: datetime, end: datetime,
                   days: tuple[date, date] | None = None) -> list[TicketHistory]:
    """The tickets of these sites issued in [start, end) (UTC), each with all its events; `days`
    (the local days of that range) lets the site-and-day index find them.

    Two queries (tickets, then their events by a join on the same range), so a month of a busy
    mall is read in one pass each, not one query per ticket."""
    sender = aliased(Ticket)
    in_range = [Ticket.site_id.in_(site_ids), Ticket.issued_at >= start, Ticket.issued_at < end]
    if days is not None:
        in_range += [Ticket.local_date >= days[0], Ticket.local_date <= days[1]]
    rows = s.execute(select(Ticket.id, Ticket.site_id, Ticket.visit_id, Ticket.service_id, Ticket.channel,
                            Ticket.priority, Ticket.booking_id, sender.service_id)
                     .outerjoin(sender, sender.id == Ticket.referred_from_id).where(*in_range)).all()
    events: dict[uuid.UUID, list[EventRecord]] = {row[0]: [] for row in rows}
    for ticket_id, at, kind, status, counter_id, actor_id in s.execute(
            select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.kind, TicketEvent.status,
                   TicketEvent.counter_id, TicketEvent.actor_id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id).where(*in_range)
            .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id)):
        events[ticket_id].append(EventRecord(at, kind, status, counter_id, actor_id))
    return [TicketHistory(*row, events=tuple(events[row[0]])) for row in rows]


class CounterLogRecord(NamedTuple):
    """A counter opened or closed (its `counter.open` / `counter.close` audit entry)."""

    counter_id: uuid.UUID
    site_id: uuid.UUID
    at: datetime
    action: str  # open | close
    officer_id: uuid.UUID | None


def counter_log_between(s: Session, site_ids: Collection[uuid.UUID], start: datetime,
                        end: datetime) -> list[CounterLogRecord]:
    """Counters opened and closed at these sites in [start, end) (UTC), oldest first."""
    rows = s.execute(select(AuditEntry.entity_id, AuditEntry.site_id, AuditEntry.at, AuditEntry.action,
                            AuditEntry.actor_id)
                     .where(AuditEntry.site_id.in_(site_ids), AuditEntry.action.in_(("counter.open", "counter.close")),
                            AuditEntry.at >= start, AuditEntry.at < end)
                     .order_by(AuditEntry.at, AuditEntry.id))
    return [CounterLogRecord(counter_id, site_id, at, action.removeprefix("counter."), actor_id)
            for counter_id, site_id, at, action, actor_id in rows
            if counter_id is not None and site_id is not None]


class BookingRecord(NamedTuple):
    id: uuid.UUID
    site_id: uuid.UUID
    service_id: uuid.UUID
    on_date: date
    slot_start: datetime
    status: str  # booked | checked_in | cancelled
    created_at: datetime
    checked_in_at: datetime | None
    grace_minutes: int


def bookings_between(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date) -> list[BookingRecord]:
    """Bookings for slots on local days first..last at these sites, with the service's grace period."""
    rows = s.execute(select(Booking.id, Booking.site_id, Booking.service_id, Booking.on_date, Booking.slot_start,
                            Booking.status, Booking.created_at, Booking.checked_in_at,
                            func.coalesce(QueueSettings.booking_grace_minutes, 15))
                     .outerjoin(QueueSettings, QueueSettings.service_id == Booking.service_id)
                     .where(Booking.site_id.in_(site_ids), Booking.on_date >= first, Booking.on_date <= last))
    return [BookingRecord(*row) for row in rows]


def day_closes(s: Session, site_ids: Collection[uuid.UUID], first: date,
               last: date) -> dict[tuple[uuid.UUID, date], datetime]:
    """When each closed queue day of these sites in first..last was closed, by (site, local day)."""
    ids = _id_lookup(site_ids)
    rows = s.execute(select(type_coerce(DayClose.site_id, String), DayClose.local_date, DayClose.closed_at)
                     .where(DayClose.site_id.in_(site_ids), DayClose.local_date >= first,
                            DayClose.local_date <= last))
    return {(ids[site_id], day): closed_at for site_id, day, closed_at in rows}


def day_close_marks(s: Session, site_ids: Collection[uuid.UUID], first: date,
                    last: date) -> dict[uuid.UUID, tuple[int, object]]:
    """Per site: how many of its queue days first..last were closed, and the latest close (as
    stored): a day closed again moves the latter."""
    ids = _id_lookup(site_ids)
    return {ids[site_id]: (n, latest) for site_id, n, latest in s.execute(
        select(type_coerce(DayClose.site_id, String), func.count(), type_coerce(func.max(DayClose.closed_at), String))
        .where(DayClose.site_id.in_(site_ids), DayClose.local_date >= first, DayClose.local_date <= last)
        .group_by(DayClose.site_id))}


def _id_lookup(site_ids: Collection[uuid.UUID]) -> dict[object, uuid.UUID]:
    """Stored site ids as the driver returns them (a UUID, or 32 hex digits on SQLite) -> UUID:
    a national read of many days does not parse one UUID per row."""
    out: dict[object, uuid.UUID] = {i: i for i in site_ids}
    out.update({i.hex: i for i in site_ids})
    return out


def first_ticket_day(s: Session, site_id: uuid.UUID) -> date | None:
    """The local day of a site's first ticket; None before its first."""
    return s.scalar(select(func.min(Ticket.local_date)).where(Ticket.site_id == site_id))


def tickets_per_day(s: Session, site_ids: Collection[uuid.UUID], first: date,
                    last: date) -> dict[tuple[uuid.UUID, date], int]:
    """How many tickets each of these sites issued on each local day first..last (days with none
    are left out); read from the site-and-day index alone."""
    rows = s.execute(select(Ticket.site_id, Ticket.local_date, func.count())
                     .where(Ticket.site_id.in_(site_ids), Ticket.local_date >= first, Ticket.local_date <= last)
                     .group_by(Ticket.site_id, Ticket.local_date))
    return {(site_id, day): n for site_id, day, n in rows}


# --- The present moment, for oversight's live dashboard ----------------------------------------

class WaitingTicket(NamedTuple):
    """A ticket waiting to be called now: its number, service and when it was issued."""

    number: str
    service_id: uuid.UUID
    issued_at: datetime


def waiting_now(s: Session, site_id: uuid.UUID, day: date) -> list[WaitingTicket]:
    """The tickets of a site's local day still waiting to be called, the longest-waiting first."""
    rows = s.execute(select(Ticket.number, Ticket.service_id, Ticket.issued_at).where(
        Ticket.site_id == site_id, Ticket.local_date == day, Ticket.status == Status.waiting)
        .order_by(Ticket.issued_at, Ticket.number))
    return [WaitingTicket(*row) for row in rows]


class CounterNow(NamedTuple):
    """A counter's state now: open or not, serving someone (a called or started ticket), and
    whether an officer's attendance stretch is open there."""

    counter_id: uuid.UUID
    is_open: bool
    serving: bool
    has_officer: bool


def counters_now(s: Session, site_id: uuid.UUID) -> list[CounterNow]:
    """The state of every counter of a site that has one (a counter never opened has none)."""
    states = list(s.scalars(select(CounterState).where(CounterState.site_id == site_id)))
    staffed = set(s.scalars(select(CounterAttendance.counter_id).where(
        CounterAttendance.site_id == site_id, CounterAttendance.closed_at.is_(None))))
    current = [st.current_ticket_id for st in states if st.current_ticket_id]
    active = set(s.scalars(select(Ticket.id).where(Ticket.id.in_(current),
                                                   Ticket.status.in_(list(ACTIVE_AT_COUNTER))))) if current else set()
    return [CounterNow(st.counter_id, bool(st.is_open), st.current_ticket_id in active,
                       st.counter_id in staffed) for st in states]
