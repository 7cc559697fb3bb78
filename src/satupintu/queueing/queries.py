"""Named read queries over the queue's tickets, for other capabilities.

Planning and reporting read the queue's history through these functions (re-exported by
`queueing.service`) instead of joining the ticket table. Each takes the caller's session, so it
runs inside the caller's transaction, and returns plain tuples of ids and times, never a ticket
row. Times are as stored: UTC, naive on SQLite.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Ticket
from .policy import Channel, Status

__all__ = [
    "ServedTicket",
    "TicketArrival",
    "arrivals_since",
    "last_arrival_before",
    "served_tickets_since",
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
