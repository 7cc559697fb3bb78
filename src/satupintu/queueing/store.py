"""The queue's hot statements in SQLAlchemy Core.

Issuing a ticket and the counter operations run hundreds of times a second at a national
deployment. Through the ORM each one cost about 3 ms of Python (unit of work, identity map,
attribute events) before the database did anything; these statements do the same work in a
few round trips with a fraction of the Python. The rules stay in policy.py; this module only
reads and writes rows, inside the caller's transaction (db.write()).

Locking: the counter's state row is locked FOR UPDATE (PostgreSQL; SQLite serialises writers
with BEGIN IMMEDIATE), and the calling query locks its ticket FOR UPDATE SKIP LOCKED, so two
counters never take the same ticket. Ticket updates also name the status they expect, so a
concurrent change (end of day, a kiosk voiding a number) makes them match no row instead of
overwriting it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Uuid, and_, bindparam, func, insert, or_, select, text, update

from ..db import UTCDateTime
from ..ids import new_id
from .models import CounterState, Ticket, TicketEvent, TicketSequence, Visit
from .policy import Channel, Priority, Status

T = Ticket.__table__
S = CounterState.__table__
E = TicketEvent.__table__
V = Visit.__table__
Q = TicketSequence.__table__

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
         .where(T.c.service_id.in_(bindparam("service_ids", expanding=True)), T.c.status == Status.waiting,
                T.c.is_priority == bindparam("is_priority"), T.c.ready_at <= bindparam("now"))
         .order_by(T.c.ready_at, T.c.id).limit(1).with_for_update(skip_locked=True))


def lock_counter(conn: Connection, counter_id: uuid.UUID) -> CounterRow | None:
    """The counter's state, locked for this transaction, with the ticket it holds (if any)."""
    row = conn.execute(_LOCK_STATE, {"counter_id": counter_id}).first()
    if row is None:
        return None
    current = None
    if row.current_ticket_id is not None:
        found = conn.execute(_CURRENT, {"ticket_id": row.current_ticket_id}).first()
        current = TicketRow(*found) if found is not None else None
    return CounterRow(bool(row.is_open), row.current_ticket_id, int(row.priority_streak), current)


def pick_waiting(conn: Connection, service_ids: tuple[uuid.UUID, ...], priority: bool,
                 now: datetime) -> TicketRow | None:
    """The first ready ticket of one class for these services, in calling order, locked."""
    row = conn.execute(_PICK, {"service_ids": list(service_ids), "is_priority": priority, "now": now}).first()
    return TicketRow(*row) if row is not None else None


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


def insert_visit_and_ticket(conn: Connection, *, site_id: uuid.UUID, service_id: uuid.UUID, prefix: str,
                            day: date, seq: int, number: str, channel: Channel, priority: Priority,
                            now: datetime) -> TicketRow:
    visit_id, ticket_id = new_id(), new_id()
    is_priority = priority is not Priority.none
    conn.execute(insert(V).values(id=visit_id, site_id=site_id, created_at=now, priority=priority))
    conn.execute(insert(T).values(
        id=ticket_id, site_id=site_id, visit_id=visit_id, service_id=service_id, prefix=prefix, local_date=day,
        seq=seq, number=number, channel=channel, priority=priority, is_priority=is_priority, status=Status.waiting,
        ready_at=now, issued_at=now, recall_count=0, note="", closed_reason=""))
    return TicketRow(ticket_id, visit_id, service_id, number, Status.waiting, priority, is_priority, channel, None,
                     now, now, None, 0)


# PostgreSQL: the whole issue in one statement. The sequence row is locked from the upsert to
# the commit, so every issue at a site and letter queues on it; one statement in autocommit
# (no BEGIN, one round trip, one commit) keeps that lock for the shortest time. The number's
# format must match policy.format_number (tested against it).
_ISSUE_PG = text("""
WITH v AS (
    INSERT INTO visits (id, site_id, created_at, priority) VALUES (:visit_id, :site_id, :now, :priority)
), s AS (
    INSERT INTO ticket_sequences (site_id, prefix, local_date, last) VALUES (:site_id, :prefix, :day, 1)
    ON CONFLICT (site_id, prefix, local_date) DO UPDATE SET last = ticket_sequences.last + 1
    RETURNING last
), t AS (
    INSERT INTO tickets (id, site_id, visit_id, service_id, prefix, local_date, seq, number, channel, priority,
                         is_priority, status, ready_at, issued_at, recall_count, note, closed_reason)
    SELECT :ticket_id, :site_id, :visit_id, :service_id, :prefix, :day, s.last,
           :prefix || '-' || CASE WHEN s.last < 1000 THEN lpad(s.last::text, 3, '0') ELSE s.last::text END,
           :channel, :priority, :is_priority, 'waiting', :now, :now, 0, '', ''
    FROM s
    RETURNING seq, number
), e AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT :event_id, :ticket_id, :now, 'issued', 'waiting', :actor_label, :actor_id, NULL, CAST(:data AS jsonb)
    FROM t
)
SELECT seq, number FROM t
""").bindparams(bindparam("visit_id", type_=Uuid()), bindparam("site_id", type_=Uuid()),
                bindparam("ticket_id", type_=Uuid()), bindparam("service_id", type_=Uuid()),
                bindparam("event_id", type_=Uuid()), bindparam("actor_id", type_=Uuid()),
                bindparam("now", type_=UTCDateTime()))


def issue_one_statement(conn: Connection, *, site_id: uuid.UUID, service_id: uuid.UUID, prefix: str, day: date,
                        channel: Channel, priority: Priority, now: datetime, actor_label: str,
                        actor_id: uuid.UUID | None, data: dict[str, Any]) -> TicketRow:
    """PostgreSQL only: number, visit, ticket and its 'issued' event in one atomic statement."""
    visit_id, ticket_id = new_id(), new_id()
    is_priority = priority is not Priority.none
    row = conn.execute(_ISSUE_PG, {
        "visit_id": visit_id, "site_id": site_id, "ticket_id": ticket_id, "service_id": service_id,
        "prefix": prefix, "day": day, "channel": channel.value, "priority": priority.value,
        "is_priority": is_priority, "now": now, "event_id": new_id(), "actor_label": actor_label,
        "actor_id": actor_id, "data": json.dumps(data)}).one()
    return TicketRow(ticket_id, visit_id, service_id, row.number, Status.waiting, priority, is_priority, channel,
                     None, now, now, None, 0)


# PostgreSQL: the counter's state and the ticket it holds, in one locked read.
_LOCK_COUNTER_PG = text("""
SELECT cs.is_open, cs.priority_streak, cur.id, cur.visit_id, cur.service_id, cur.number, cur.status,
       cur.priority, cur.is_priority, cur.channel, cur.counter_id, cur.ready_at, cur.issued_at, cur.called_at,
       cur.recall_count, cur.booking_id
FROM counter_states cs LEFT JOIN tickets cur ON cur.id = cs.current_ticket_id
WHERE cs.counter_id = :counter_id
FOR UPDATE OF cs
""").bindparams(bindparam("counter_id", type_=Uuid()))

# PostgreSQL: a step on the counter's current ticket (recall, no-show, start, finish, hold) in
# one statement; the ticket changes only if it still has the status the caller saw.
_STEP_PG = text("""
WITH upd AS (
    UPDATE tickets SET status = :new_status, recall_count = recall_count + :recall_inc,
           serving_at = COALESCE(:serving_at, serving_at), finished_at = COALESCE(:finished_at, finished_at)
    WHERE id = :ticket_id AND status = :expected
    RETURNING id
), cs AS (
    UPDATE counter_states SET current_ticket_id = CASE WHEN :release THEN NULL ELSE current_ticket_id END,
           updated_at = :now
    FROM upd WHERE counter_states.counter_id = :counter_id
), ev AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT :event_id, upd.id, :now, :kind, :new_status, :actor_label, :actor_id, :counter_id, NULL FROM upd
)
SELECT count(*) FROM upd
""").bindparams(bindparam("ticket_id", type_=Uuid()), bindparam("counter_id", type_=Uuid()),
                bindparam("event_id", type_=Uuid()), bindparam("actor_id", type_=Uuid()),
                bindparam("now", type_=UTCDateTime()), bindparam("serving_at", type_=UTCDateTime()),
                bindparam("finished_at", type_=UTCDateTime()))

# PostgreSQL: the whole call in one statement, run in autocommit: lock the counter's state,
# refuse (by returning its state) if it is closed or still holds an active ticket, pick the
# first ready ticket of the preferred class (else of the other) with FOR UPDATE SKIP LOCKED,
# call it, point the counter at it, and record the event. The preferred class is the calling
# policy's rule (policy.prefers_priority: streak < max_priority_streak), with the limit passed
# in from the policy's configuration. The calling order and the index (service_id, status,
# is_priority, ready_at, id) agree.
_CALL_PG = text("""
WITH st AS (
    SELECT cs.is_open, cs.priority_streak, cur.status AS cur_status, cur.number AS cur_number
    FROM counter_states cs LEFT JOIN tickets cur ON cur.id = cs.current_ticket_id
    WHERE cs.counter_id = :counter_id
    FOR UPDATE OF cs
), ok AS (
    SELECT priority_streak, priority_streak < :max_streak AS first FROM st
    WHERE is_open AND (cur_status IS NULL OR cur_status NOT IN ('called', 'serving'))
), p1 AS (
    SELECT id, is_priority FROM tickets
    WHERE service_id = ANY(:service_ids) AND status = 'waiting' AND ready_at <= :now
      AND is_priority = (SELECT first FROM ok)
    ORDER BY ready_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
), p2 AS (
    SELECT id, is_priority FROM tickets
    WHERE service_id = ANY(:service_ids) AND status = 'waiting' AND ready_at <= :now
      AND is_priority = NOT (SELECT first FROM ok) AND NOT EXISTS (SELECT 1 FROM p1)
    ORDER BY ready_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
), chosen AS (
    SELECT id, is_priority FROM p1 UNION ALL SELECT id, is_priority FROM p2
), upd AS (
    UPDATE tickets t SET status = 'called', called_at = :now, counter_id = :counter_id
    FROM chosen WHERE t.id = chosen.id AND t.status = 'waiting'
    RETURNING t.id, t.visit_id, t.service_id, t.number, t.status, t.priority, t.is_priority, t.channel,
              t.counter_id, t.ready_at, t.issued_at, t.called_at, t.recall_count, t.booking_id
), cs AS (
    UPDATE counter_states SET current_ticket_id = upd.id, updated_at = :now,
           priority_streak = CASE WHEN upd.is_priority THEN (SELECT priority_streak FROM ok) + 1 ELSE 0 END
    FROM upd WHERE counter_states.counter_id = :counter_id
), ev AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT :event_id, upd.id, :now, 'called', 'called', :actor_label, :actor_id, :counter_id, NULL FROM upd
)
SELECT st.is_open AS counter_open, st.cur_status, st.cur_number, upd.* FROM st LEFT JOIN upd ON true
""").bindparams(bindparam("counter_id", type_=Uuid()), bindparam("event_id", type_=Uuid()),
                bindparam("actor_id", type_=Uuid()), bindparam("now", type_=UTCDateTime()))


class CallOutcome(NamedTuple):
    counter_open: bool
    busy_with: str | None  # the number still active at the counter
    ticket: TicketRow | None


def _ticket_from(row: Any) -> TicketRow:
    return TicketRow(row.id, row.visit_id, row.service_id, row.number, Status(row.status), Priority(row.priority),
                     row.is_priority, Channel(row.channel), row.counter_id, row.ready_at, row.issued_at,
                     row.called_at, row.recall_count, row.booking_id)


def lock_counter_pg(conn: Connection, counter_id: uuid.UUID) -> CounterRow | None:
    """PostgreSQL: lock_counter in one round trip (the state row locked, the ticket it holds)."""
    row = conn.execute(_LOCK_COUNTER_PG, {"counter_id": counter_id}).first()
    if row is None:
        return None
    current = _ticket_from(row) if row.id is not None else None
    return CounterRow(bool(row.is_open), row.id, int(row.priority_streak), current)


def step_one_statement(conn: Connection, *, ticket: TicketRow, counter_id: uuid.UUID, new_status: Status,
                       kind: str, release: bool, now: datetime, actor_label: str, actor_id: uuid.UUID | None,
                       recall_inc: int = 0, serving_at: datetime | None = None,
                       finished_at: datetime | None = None) -> bool:
    """PostgreSQL only: see _STEP_PG. False when the ticket changed status meanwhile."""
    return bool(conn.execute(_STEP_PG, {
        "new_status": new_status.value, "recall_inc": recall_inc, "serving_at": serving_at,
        "finished_at": finished_at, "ticket_id": ticket.id, "expected": ticket.status.value, "release": release,
        "now": now, "counter_id": counter_id, "event_id": new_id(), "kind": kind, "actor_label": actor_label,
        "actor_id": actor_id}).scalar())


def call_one_statement(conn: Connection, *, counter_id: uuid.UUID, service_ids: tuple[uuid.UUID, ...],
                       max_streak: int, now: datetime, actor_label: str, actor_id: uuid.UUID | None) -> CallOutcome:
    """PostgreSQL only, on an autocommit connection: see _CALL_PG."""
    row = conn.execute(_CALL_PG, {
        "service_ids": list(service_ids), "max_streak": max_streak, "now": now, "counter_id": counter_id,
        "event_id": new_id(), "actor_label": actor_label, "actor_id": actor_id}).first()
    if row is None:  # never opened: no state row
        return CallOutcome(False, None, None)
    busy = row.cur_number if row.cur_status in ("called", "serving") else None
    return CallOutcome(bool(row.counter_open), busy, _ticket_from(row) if row.id is not None else None)


_AHEAD_PRIORITY = (select(func.count()).select_from(T).where(
    T.c.service_id == bindparam("service_id"), T.c.status == Status.waiting, T.c.is_priority.is_(True),
    or_(T.c.ready_at < bindparam("ready_at"), and_(T.c.ready_at == bindparam("ready_at"), T.c.id < bindparam("id")))))
_AHEAD_REGULAR = (select(func.count()).select_from(T).where(
    T.c.service_id == bindparam("service_id"), T.c.status == Status.waiting,
    or_(T.c.is_priority.is_(True), T.c.ready_at < bindparam("ready_at"),
        and_(T.c.ready_at == bindparam("ready_at"), T.c.id < bindparam("id")))))


def count_ahead(conn: Connection, service_id: uuid.UUID, ticket_id: uuid.UUID, ready_at: datetime,
                is_priority: bool) -> int:
    """Waiting tickets of the same service that the calling order puts before this one."""
    stmt = _AHEAD_PRIORITY if is_priority else _AHEAD_REGULAR
    return int(conn.execute(stmt, {"service_id": service_id, "ready_at": ready_at, "id": ticket_id}).scalar() or 0)


def ticket_row(conn: Connection, ticket_id: uuid.UUID) -> TicketRow | None:
    row = conn.execute(_CURRENT, {"ticket_id": ticket_id}).first()
    return TicketRow(*row) if row is not None else None


__all__ = ["TicketRow", "CounterRow", "lock_counter", "pick_waiting", "update_ticket", "update_counter", "add_event",
           "insert_visit_and_ticket", "count_ahead", "ticket_row", "Q"]
