"""Old ticket events leave the database (the retention command): the steps of tickets of a
site's local days before a horizon the caller has made sure the figures no longer read."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from ..db import Database, count_where, delete_in_batches
from .models import Ticket, TicketEvent


def _before(site_id: uuid.UUID, day: date) -> Any:
    return TicketEvent.ticket_id.in_(select(Ticket.id).where(Ticket.site_id == site_id, Ticket.local_date < day))


def count_ticket_events_before(db: Database, site_id: uuid.UUID, day: date) -> int:
    """How many ticket events of the site's tickets of local days before `day` there are."""
    return count_where(db, TicketEvent.id, _before(site_id, day))


def forget_ticket_events_before(db: Database, site_id: uuid.UUID, day: date, batch: int) -> int:
    """Delete the events of the site's tickets of local days before `day`, in batches; the tickets
    themselves (number, times, status) stay. Returns how many went."""
    return delete_in_batches(db, TicketEvent.id, _before(site_id, day), batch)
