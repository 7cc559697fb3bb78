"""Old ticket events leave the database (the retention command): the steps of tickets of a
site's local days before a horizon the caller has made sure the figures no longer read."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select

from ..db import Database, count_where, delete_in_batches
from .models import Ticket, TicketEvent

WINDOW_DAYS = 7  # one week of a site's tickets at a time: found by the site-and-day index


def _between(site_id: uuid.UUID, first: date | None, day: date) -> Any:
    tickets = select(Ticket.id).where(Ticket.site_id == site_id, Ticket.local_date < day)
    if first is not None:
        tickets = tickets.where(Ticket.local_date >= first)
    return TicketEvent.ticket_id.in_(tickets)


def count_ticket_events_before(db: Database, site_id: uuid.UUID, day: date) -> int:
    """How many ticket events of the site's tickets of local days before `day` there are."""
    return count_where(db, TicketEvent.id, _between(site_id, None, day))


def _first_day_with_events(db: Database, site_id: uuid.UUID, day: date) -> date | None:
    with db.read() as s:
        return s.scalar(select(func.min(Ticket.local_date)).where(
            Ticket.site_id == site_id, Ticket.local_date < day,
            exists().where(TicketEvent.ticket_id == Ticket.id)))


def forget_ticket_events_before(db: Database, site_id: uuid.UUID, day: date, batch: int) -> int:
    """Delete the events of the site's tickets of local days before `day`, a week of tickets at a
    time from the first day that still has events, each week in batches of `batch` rows; the
    tickets themselves (number, times, status) stay. Returns how many went."""
    start = _first_day_with_events(db, site_id, day)
    gone = 0
    while start is not None and start < day:
        end = min(start + timedelta(days=WINDOW_DAYS), day)
        gone += delete_in_batches(db, TicketEvent.id, _between(site_id, start, end), batch)
        start = end
    return gone
