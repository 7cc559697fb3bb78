"""Domain events of a write transaction: what happened, for systems outside SatuPintu.

A use case calls `record(session, type, ...)` inside its `db.write()` block; the event waits in
the session. A before-commit hook installed by the wiring (app.py: the webhook outbox of
integration) reads them with `pending()` and writes its rows in the same transaction, so an
outgoing webhook exists exactly when the change committed. Nothing here is published on the
bus; the bus keeps its own `db.on_commit`.

`data` holds only facts a client system may see: ids, codes, numbers, statuses, times. Never a
NIK, phone number, e-mail address or name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .timeutil import utcnow

_KEY = "satupintu_domain_events"


@dataclass(frozen=True)
class DomainEvent:
    type: str  # e.g. "booking.made"
    site_id: uuid.UUID
    entity: str  # what the event is about, e.g. "booking:<id>": a later event waits for an earlier one
    data: dict[str, Any]
    at: datetime = field(default_factory=utcnow)
    # The agency the event belongs to (its service's, its complaint's), None when it is the
    # whole site's: a client whose key is limited to one agency hears only that agency's events.
    agency_id: uuid.UUID | None = None


def record(session: Session, type: str, *, site_id: uuid.UUID, entity: str, data: dict[str, Any],
           agency_id: uuid.UUID | None = None) -> None:
    """Note an event of this open write transaction; it exists only if the transaction commits."""
    session.info.setdefault(_KEY, []).append(DomainEvent(type, site_id, entity, data, agency_id=agency_id))


def pending(session: Session) -> list[DomainEvent]:
    """The events noted so far in this transaction (the before-commit hook takes them)."""
    return list(session.info.get(_KEY, []))


def take(session: Session) -> list[DomainEvent]:
    """The events noted so far, forgotten in the session (so a hook handles each once)."""
    return list(session.info.pop(_KEY, []))
