"""The queue's hot statements in SQLAlchemy Core.

Issuing a ticket and the counter operations run hundreds of times a second at a national
deployment. Through the ORM each one cost about 3 ms of Python (unit of work, identity map,
attribute events) before the database did anything; these statements do the same work in a
few round trips with a fraction of the Python. The rules stay in policy.py; this module only
reads and writes rows, inside the caller's transaction (db.write()).

PostgreSQL runs the same operations as single statements (pgstatements.py); these are the
portable forms, used on SQLite.

Locking: the counter's state row is locked FOR UPDATE (PostgreSQL; SQLite serialises writers
with BEGIN IMMEDIATE), and the calling query locks its ticket FOR UPDATE SKIP LOCKED, so two
counters never take the same ticket. Ticket updates also name the status they expect, so a
concurrent change (end of day, a kiosk voiding a number) makes them match no row instead of
overwriting it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, literal_column, or_, select, update

from ..ids import new_id
from .models import CounterState, Ticket, TicketEvent, TicketSequence, Visit
from .policy import Channel, Priority, Status

# A mapped class's __table__ is a Table (typed as its base, FromClause).
T = cast(Table, Ticket.__table__)
# "status = 'waiting'" with the value written into the SQL, not bound: the partial calling index
# (models.WAITING_ONLY, migration 0032) serves only statements whose own condition implies its
# one, and PostgreSQL cannot tell that from a parameter once it plans a prepared statement
# generically.
WAITING = T.c.status == literal_column("'waiting'")
S = cast(Table, CounterState.__table__)
E = cast(Table, TicketEvent.__table__)
V = cast(Table, Visit.__table__)
Q = cast(Table, TicketSequence.__table__)

TICKET_COLUMNS = (T.c.id, T.c.visit_id, T.c.service_id, T.c.number, T.c.status, T.c.priority, T.c.is_priority,
                  T.c.channel, T.c.counter_id, T.c.ready_at, T.c.issued_at, T.c.called_at, T.c.recall_count,
                  T.c.booking_id)


class TicketRow(NamedTuple):
    id: uuid.UUID
    visit_id: uuid.UUID
    service_id: uuid.UUID
    number: str
    status: Status
    priority: Priority
    is_priority: bool
    channel: Channel
    counter_id: uuid.UUID | None
    ready_at: datetime
    issued_at: datetime
    called_at: datetime | None
    recall_count: int
    booking_id: uuid.UUID | None = None


class CounterRow(NamedTuple):
    is_open: bool
    current_ticket_id: uuid.UUID | None
    priority_streak: int
    current: TicketRow | None


_LOCK_STATE = (select(S.c.is_open, S.c.current_ticket_id, S.c.priority_streak)
               .where(S.c.counter_id == bindparam("counter_id")).with_for_update())
_CURRENT = select(*TICKET_COLUMNS).where(T.c.id == bindparam("ticket_id"))
_PICK = (select(*TICKET_COLUMNS)
         .where(T.c.service_id.in_(bindparam("service_ids", expanding=True)), WAITING,
                T.c.is_priority == bindparam("is_priority"), T.c.ready_at <= bindparam("now"),
                T.c.local_date == bindparam("day"))
         .order_by(T.c.ready_at, T.c.id).limit(1).with_for_update(skip_locked=True))


def lock_counter(conn: Connection, counter_id: uuid.UUID) -> CounterRow | None:
    """The counter's state, locked for this transaction, with the ticket it holds (if any)."""
    row = conn.execute(_LOCK_STATE, {"counter_id": counter_id}).first()
    if row is None:
        return None
    current = None
    if row.current_ticket_id is not None:
        found = conn.execute(_CURRENT, {"ticket_id": row.current_ticket_id}).first()
        current = TicketRow._make(found) if found is not None else None
    return CounterRow(bool(row.is_open), row.current_ticket_id, int(row.priority_streak), current)


def pick_waiting(conn: Connection, service_ids: tuple[uuid.UUID, ...], priority: bool,
                 now: datetime, day: date) -> TicketRow | None:
    """The first ready ticket of one class for these services, in calling order, locked; only
    tickets of the site's local `day`, so a leftover of an earlier day is never called (and
    never meets today's ticket with the same number).

    One service at a time: with several in one IN (...) the index no longer gives the calling
    order, and every waiting ticket would be read and sorted on each call."""
    heads = []
    for service_id in service_ids:
        row = conn.execute(_PICK, {"service_ids": [service_id], "is_priority": priority, "now": now,
                                   "day": day}).first()
        if row is not None:
            heads.append(TicketRow._make(row))
    return min(heads, key=lambda t: (t.ready_at, t.id)) if heads else None


def update_ticket(conn: Connection, ticket_id: uuid.UUID, expected: Status, **values: Any) -> bool:
    """Change a ticket only if it still has the status the caller saw; False if it no longer does."""
    result = conn.execute(update(T).where(T.c.id == ticket_id, T.c.status == expected).values(**values))
    return result.rowcount == 1


def update_counter(conn: Connection, counter_id: uuid.UUID, now: datetime, **values: Any) -> None:
    conn.execute(update(S).where(S.c.counter_id == counter_id).values(updated_at=now, **values))


def add_event(conn: Connection, ticket_id: uuid.UUID, now: datetime, kind: str, status: Status, actor_label: str,
              actor_id: uuid.UUID | None, counter_id: uuid.UUID | None = None,
              data: dict[str, Any] | None = None) -> None:
    conn.execute(insert(E).values(id=new_id(), ticket_id=ticket_id, at=now, kind=kind, status=status.value,
                                  actor_label=actor_label, actor_id=actor_id, counter_id=counter_id, data=data))


def insert_visit(conn: Connection, site_id: uuid.UUID, now: datetime, priority: Priority) -> uuid.UUID:
    """A citizen's visit: the tickets it will hold (a referral adds one to the same visit)."""
    visit_id = new_id()
    conn.execute(insert(V).values(id=visit_id, site_id=site_id, created_at=now, priority=priority))
    return visit_id


def insert_ticket(conn: Connection, *, site_id: uuid.UUID, visit_id: uuid.UUID, service_id: uuid.UUID, prefix: str,
                  day: date, seq: int | None, number: str, channel: Channel, priority: Priority, is_priority: bool,
                  ready_at: datetime, now: datetime, booking_id: uuid.UUID | None = None,
                  referred_from_id: uuid.UUID | None = None, note: str = "",
                  idempotency_key: str | None = None) -> TicketRow:
    """The one portable constructor of a ticket row (issue, check-in, referral), waiting from
    `ready_at`; PostgreSQL's issue statement (pgstatements.issue) is the only other writer."""
    ticket_id = new_id()
    conn.execute(insert(T).values(
        id=ticket_id, site_id=site_id, visit_id=visit_id, service_id=service_id, prefix=prefix, local_date=day,
        seq=seq, number=number, channel=channel, priority=priority, is_priority=is_priority, status=Status.waiting,
        ready_at=ready_at, issued_at=now, recall_count=0, booking_id=booking_id, referred_from_id=referred_from_id,
        note=note, closed_reason="", idempotency_key=idempotency_key))
    return TicketRow(ticket_id, visit_id, service_id, number, Status.waiting, priority, is_priority, channel, None,
                     ready_at, now, None, 0, booking_id)


_AHEAD_PRIORITY = (select(func.count()).select_from(T).where(
    T.c.service_id == bindparam("service_id"), WAITING, T.c.is_priority.is_(True),
    or_(T.c.ready_at < bindparam("ready_at"), and_(T.c.ready_at == bindparam("ready_at"), T.c.id < bindparam("id")))))
_AHEAD_REGULAR = (select(func.count()).select_from(T).where(
    T.c.service_id == bindparam("service_id"), WAITING,
    or_(T.c.is_priority.is_(True), T.c.ready_at < bindparam("ready_at"),
        and_(T.c.ready_at == bindparam("ready_at"), T.c.id < bindparam("id")))))


def count_ahead(conn: Connection, service_id: uuid.UUID, ticket_id: uuid.UUID, ready_at: datetime,
                is_priority: bool) -> int:
    """Waiting tickets of the same service that the calling order puts before this one."""
    stmt = _AHEAD_PRIORITY if is_priority else _AHEAD_REGULAR
    return int(conn.execute(stmt, {"service_id": service_id, "ready_at": ready_at, "id": ticket_id}).scalar() or 0)


_ISSUED_ON_DAY = select(func.count()).select_from(T).where(
    T.c.site_id == bindparam("site_id"), T.c.local_date == bindparam("day"), T.c.service_id == bindparam("service_id"),
    T.c.seq.is_not(None))


def issued_on_day(conn: Connection, site_id: uuid.UUID, service_id: uuid.UUID, day: date) -> int:
    """Numbered tickets (issued or checked in; a referral keeps its visit's number) of a
    service on a local day: what its daily quota counts."""
    return int(conn.execute(_ISSUED_ON_DAY, {"site_id": site_id, "service_id": service_id, "day": day}).scalar() or 0)


_BY_KEY = select(*TICKET_COLUMNS).where(T.c.site_id == bindparam("site_id"), T.c.idempotency_key == bindparam("key"))


def ticket_by_key(conn: Connection, site_id: uuid.UUID, key: str) -> TicketRow | None:
    """The ticket issued at this site with this idempotency key, if any."""
    row = conn.execute(_BY_KEY, {"site_id": site_id, "key": key}).first()
    return TicketRow._make(row) if row is not None else None


_LOCK_TICKET = (select(*TICKET_COLUMNS, T.c.site_id, T.c.local_date).where(T.c.id == bindparam("ticket_id"))
                .with_for_update())


def lock_ticket(conn: Connection, ticket_id: uuid.UUID) -> tuple[TicketRow, uuid.UUID, date] | None:
    """One named ticket locked for this transaction (waiting for a caller that holds it, then
    read as that caller left it), with its site and local day; None if there is none."""
    row = conn.execute(_LOCK_TICKET, {"ticket_id": ticket_id}).first()
    if row is None:
        return None
    return TicketRow._make(row[:len(TICKET_COLUMNS)]), row.site_id, row.local_date


def ticket_row(conn: Connection, ticket_id: uuid.UUID) -> TicketRow | None:
    row = conn.execute(_CURRENT, {"ticket_id": ticket_id}).first()
    return TicketRow._make(row) if row is not None else None


__all__ = ["TicketRow", "CounterRow", "lock_counter", "pick_waiting", "update_ticket", "update_counter", "add_event",
           "insert_visit", "insert_ticket", "count_ahead", "issued_on_day", "ticket_row", "lock_ticket",
           "ticket_by_key", "Q"]
