"""Named reads of queue facts for other capabilities (feedback, applications), as plain values,
inside the caller's session (its transaction decides).

Other capabilities call these instead of joining the queue's tables; each function stands
alone, and they are listed in `__all__` and sorted by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Ticket, TicketEvent
from .policy import Status

__all__ = [
    "TicketFacts",
    "finished_tickets_since",
    "served_ticket_count",
    "ticket",
    "ticket_issuer",
]


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
