"""Named read queries over the queue's tickets, for other capabilities.

Planning, reporting, feedback and applications read the queue's history through these functions
(re-exported by `queueing.service`) instead of joining the ticket table. Each takes the caller's
session, so it runs inside the caller's transaction, and returns plain tuples of ids and times,
never a ticket row. Times are as stored: UTC, naive on SQLite.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Ticket, TicketEvent
from .policy import Channel, Status

__all__ = [
    "ServedTicket",
    "TicketArrival",
    "TicketFacts",
    "arrivals_since",
    "finished_tickets_since",
    "last_arrival_before",
    "served_ticket_count",
    "served_tickets_since",
    "ticket",
    "ticket_issuer",
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
