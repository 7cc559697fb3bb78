"""PostgreSQL: each hot queue operation as one atomic statement, runnable sync or async.

Issuing a ticket, calling the next visitor and a step on the counter's current ticket
(recall, no-show, start, finish, hold) are each one statement in autocommit: one round trip,
one commit, and every lock held for that statement only. The statements are plain driver SQL
(psycopg's %(name)s parameters), so the same text and the same parameters run on a
SQLAlchemy connection in a worker thread (`execute`) and on a psycopg async connection in
the event loop (`execute_async`, see hotpath.py), and one function reads the result row for
both.

The rules stay in policy.py: the calling class comes in as `max_streak`, a step's allowed
moves come in as the policy's transition table for that action, and the ticket number's
format is checked against policy.format_number in the tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, NamedTuple, TypeVar, overload

from psycopg.errors import UniqueViolation
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection

from .. import webhook_outbox_sql as outbox
from ..ids import new_id
from . import policy
from .policy import Action, Channel, Priority, Status
from .store import TicketRow

R = TypeVar("R")


@dataclass(frozen=True)
class Prepared(Generic[R]):
    """A statement, its parameters and how to read its one result row (None if no row).
    `retry_on`: errors after which the statement (which then changed nothing) runs once more."""

    sql: str
    params: dict[str, Any]
    result: Callable[[Any], R]
    retry_on: tuple[type[Exception], ...] = ()


def execute(conn: Connection, p: Prepared[R]) -> R:
    """On a SQLAlchemy autocommit connection, so the statement commits on its own. It goes to
    the psycopg connection underneath: SQLAlchemy's result machinery would cost more Python
    than the rest of the call."""
    driver = conn.connection.driver_connection
    assert driver is not None, "a checked-out connection has its driver's connection"
    with driver.cursor(row_factory=namedtuple_row) as cur:
        try:
            cur.execute(p.sql, p.params)
        except p.retry_on:
            cur.execute(p.sql, p.params)
        return p.result(cur.fetchone())


async def execute_async(aconn: Any, p: Prepared[R]) -> R:
    """On a psycopg AsyncConnection in autocommit with namedtuple rows."""
    try:
        cur = await aconn.execute(p.sql, p.params)
    except p.retry_on:
        cur = await aconn.execute(p.sql, p.params)
    return p.result(await cur.fetchone())


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _ticket(row: Any) -> TicketRow:
    return TicketRow(row.id, row.visit_id, row.service_id, row.number, Status(row.status), Priority(row.priority),
                     row.is_priority, Channel(row.channel), row.counter_id, _utc(row.ready_at), _utc(row.issued_at),
                     _utc(row.called_at), row.recall_count, row.booking_id)


_TICKET_COLUMNS = ("id, visit_id, service_id, number, status, priority, is_priority, channel, counter_id, ready_at, "
                   "issued_at, called_at, recall_count, booking_id")

# ---------------------------------------------------------------- issue

# The sequence row is locked from the upsert to the commit, so every issue at a site and
# letter queues on it: in one autocommit statement that lock lasts one statement, and the
# statement takes it as late as it can. The position is counted first (its snapshot holds
# every ticket committed before, and not this one; the rule is the calling order's, as in
# store.count_ahead) and the visit is written first: the upsert reads both, so they are done
# before it locks the row.
_ISSUE = """
WITH {x}a AS (
    SELECT count(*) AS ahead FROM tickets a
    WHERE a.service_id = %(service_id)s AND a.status = 'waiting' AND {ahead}
), v AS (
    INSERT INTO visits (id, site_id, created_at, priority)
    SELECT %(visit_id)s, %(site_id)s, %(now)s, %(priority)s{only_new}
    RETURNING id
), s AS (
    INSERT INTO ticket_sequences (site_id, prefix, local_date, last)
    SELECT %(site_id)s, %(prefix)s, %(day)s, 1 FROM a CROSS JOIN v
    ON CONFLICT (site_id, prefix, local_date) DO UPDATE SET last = ticket_sequences.last + 1
    RETURNING last
), t AS (
    INSERT INTO tickets (id, site_id, visit_id, service_id, prefix, local_date, seq, number, channel, priority,
                         is_priority, status, ready_at, issued_at, recall_count, note, closed_reason{key_column})
    SELECT %(ticket_id)s, %(site_id)s, %(visit_id)s, %(service_id)s, %(prefix)s, %(day)s, s.last,
           %(prefix)s || '-' || CASE WHEN s.last < 1000 THEN lpad(s.last::text, 3, '0') ELSE s.last::text END,
           %(channel)s, %(priority)s, %(is_priority)s, 'waiting', %(now)s, %(now)s, 0, '', ''{key_value}
    FROM s
    RETURNING seq, number
), e AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT %(event_id)s, %(ticket_id)s, %(now)s, 'issued', 'waiting', %(actor_label)s, %(actor_id)s, NULL,
           CAST(%(data)s AS jsonb)
    FROM t
), {outbox}
{result}
"""
_BEFORE = "(a.ready_at < %(now)s OR (a.ready_at = %(now)s AND a.id < %(ticket_id)s))"
_REGULAR_AHEAD = f"(a.is_priority OR {_BEFORE})"
_PRIORITY_AHEAD = f"a.is_priority AND {_BEFORE}"
_PLAIN = {"x": "", "only_new": "", "key_column": "", "key_value": "",
          "result": "SELECT t.seq, t.number, a.ahead FROM t CROSS JOIN a"}
# With an idempotency key: the same statement, unless the site already has a ticket with that
# key (x): then it writes nothing (no visit, so no number is taken) and returns that ticket.
# Two attempts at once with one key: the later insert fails on the unique index and the whole
# statement with it; run again, it finds the first attempt's ticket (Prepared.retry_on).
_KEYED = {
    "x": f"""x AS (
    SELECT {", ".join("x." + c for c in _TICKET_COLUMNS.split(", "))}
    FROM tickets x WHERE x.site_id = %(site_id)s AND x.idempotency_key = %(key)s
), """,
    "only_new": " WHERE NOT EXISTS (SELECT 1 FROM x)",
    "key_column": ", idempotency_key",
    "key_value": ", %(key)s",
    "result": ("SELECT t.seq, t.number, a.ahead, " + ", ".join(f"x.{c} AS x_{c}" for c in _TICKET_COLUMNS.split(", "))
               + " FROM a LEFT JOIN t ON true LEFT JOIN x ON true"),
}
# The webhook outbox rows of the new ticket (none for a replay: t is empty then).
_ISSUE_OUTBOX = outbox.cte("wh", "t", "ticket.issued", ticket_id="%(ticket_id)s", number="src.number",
                           status="'waiting'", service_id="%(service_id)s").replace("{", "{{").replace("}", "}}")
_ISSUE_REGULAR = _ISSUE.format(ahead=_REGULAR_AHEAD, outbox=_ISSUE_OUTBOX, **_PLAIN)
_ISSUE_PRIORITY = _ISSUE.format(ahead=_PRIORITY_AHEAD, outbox=_ISSUE_OUTBOX, **_PLAIN)
_ISSUE_REGULAR_KEYED = _ISSUE.format(ahead=_REGULAR_AHEAD, outbox=_ISSUE_OUTBOX, **_KEYED)
_ISSUE_PRIORITY_KEYED = _ISSUE.format(ahead=_PRIORITY_AHEAD, outbox=_ISSUE_OUTBOX, **_KEYED)


class Issued(NamedTuple):
    ticket: TicketRow
    ahead: int | None  # None for a replay: that ticket's position is read afresh
    replayed: bool = False  # the key's earlier ticket, not a new one


def issue(*, site_id: uuid.UUID, service_id: uuid.UUID, prefix: str, day: date, channel: Channel,
          priority: Priority, now: datetime, actor_label: str, actor_id: uuid.UUID | None,
          data: dict[str, Any], idempotency_key: str | None = None, site_code: str = "") -> Prepared[Issued]:
    """Number, visit, ticket and its 'issued' event, and how many wait ahead of it; with an
    idempotency key already used at the site, the ticket issued with it instead."""
    visit_id, ticket_id = new_id(), new_id()
    is_priority = priority is not Priority.none

    def result(row: Any) -> Issued:
        if row.number is None:  # nothing written: the key's ticket
            return Issued(_ticket(_prefixed(row, "x_")), None, True)
        return Issued(TicketRow(ticket_id, visit_id, service_id, row.number, Status.waiting, priority, is_priority,
                                channel, None, now, now, None, 0), int(row.ahead))

    params = {
        "visit_id": visit_id, "site_id": site_id, "ticket_id": ticket_id, "service_id": service_id,
        "prefix": prefix, "day": day, "channel": channel.value, "priority": priority.value,
        "is_priority": is_priority, "now": now, "event_id": new_id(), "actor_label": actor_label,
        "actor_id": actor_id, "data": json.dumps(data), **outbox.params(site_id, site_code, None, now)}
    if idempotency_key is None:
        return Prepared(_ISSUE_PRIORITY if is_priority else _ISSUE_REGULAR, params, result)
    return Prepared(_ISSUE_PRIORITY_KEYED if is_priority else _ISSUE_REGULAR_KEYED,
                    {**params, "key": idempotency_key}, result, retry_on=(UniqueViolation,))


class _Columns:
    """A result row's columns under a prefix, read as the plain ticket columns."""

    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


def _prefixed(row: Any, prefix: str) -> Any:
    return _Columns(row, prefix)


# ---------------------------------------------------------------- call next

# The first ready ticket of one class for the counter's services, locked. With
# `service_id = ANY(...)` PostgreSQL cannot read the index (service_id, status, is_priority,
# ready_at, id) in calling order, so it fetched every waiting ticket and sorted them on each
# call. Per service, an equality lookup reads the index in order and stops at the first row
# it can lock; the earliest of those heads is called, and the other heads are free again
# when the statement ends.
_head = """
    SELECT h.id, h.is_priority FROM unnest(%(service_ids)s::uuid[]) AS sv(id)
    CROSS JOIN LATERAL (
        SELECT id, is_priority, ready_at FROM tickets
        WHERE service_id = sv.id AND status = 'waiting' AND ready_at <= %(now)s AND is_priority = {cls}
              AND local_date = %(day)s
        ORDER BY ready_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
    ) h{only}
    ORDER BY h.ready_at, h.id LIMIT 1"""

_ONLY_IF_NONE = """
    WHERE NOT EXISTS (SELECT 1 FROM p1)"""

# Lock the counter's state, refuse (by returning its state) if it is closed or still holds
# an active ticket, pick the first ready ticket of the preferred class (else of the other),
# call it, point the counter at it and record the event.
_CALL = f"""
WITH st AS (
    SELECT cs.is_open, cs.priority_streak, cur.status AS cur_status, cur.number AS cur_number
    FROM counter_states cs LEFT JOIN tickets cur ON cur.id = cs.current_ticket_id
    WHERE cs.counter_id = %(counter_id)s
    FOR UPDATE OF cs
), ok AS (
    SELECT priority_streak, priority_streak < %(max_streak)s AS first FROM st
    WHERE is_open AND (cur_status IS NULL OR cur_status NOT IN ('called', 'serving'))
), p1 AS ({_head.format(cls="(SELECT first FROM ok)", only="")}
), p2 AS ({_head.format(cls="NOT (SELECT first FROM ok)", only=_ONLY_IF_NONE)}
), chosen AS (
    SELECT id, is_priority FROM p1 UNION ALL SELECT id, is_priority FROM p2
), upd AS (
    UPDATE tickets t SET status = 'called', called_at = %(now)s, counter_id = %(counter_id)s
    FROM chosen WHERE t.id = chosen.id AND t.status = 'waiting'
    RETURNING {", ".join("t." + c for c in _TICKET_COLUMNS.split(", "))}
), cs AS (
    UPDATE counter_states SET current_ticket_id = upd.id, updated_at = %(now)s,
           priority_streak = CASE WHEN upd.is_priority THEN (SELECT priority_streak FROM ok) + 1 ELSE 0 END
    FROM upd WHERE counter_states.counter_id = %(counter_id)s
), ev AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT %(event_id)s, upd.id, %(now)s, 'called', 'called', %(actor_label)s, %(actor_id)s, %(counter_id)s, NULL
    FROM upd
), {outbox.cte("wh", "upd", "ticket.called", ticket_id="src.id", number="src.number", status="src.status",
               service_id="src.service_id")}
SELECT st.is_open AS counter_open, st.cur_status, st.cur_number, upd.* FROM st LEFT JOIN upd ON true
"""


class CallOutcome(NamedTuple):
    counter_open: bool
    busy_with: str | None  # the number still active at the counter
    ticket: TicketRow | None


def call(*, counter_id: uuid.UUID, service_ids: tuple[uuid.UUID, ...], max_streak: int, now: datetime,
         day: date, actor_label: str, actor_id: uuid.UUID | None, site_id: uuid.UUID | None = None,
         site_code: str = "", counter_number: int | None = None) -> Prepared[CallOutcome]:
    """Call the first ready ticket of the site's local `day` (an earlier day's leftover never)."""
    def result(row: Any) -> CallOutcome:
        if row is None:  # never opened: no state row
            return CallOutcome(False, None, None)
        busy = row.cur_number if row.cur_status in ("called", "serving") else None
        return CallOutcome(bool(row.counter_open), busy, _ticket(row) if row.id is not None else None)

    return Prepared(_CALL, {
        "service_ids": list(service_ids), "max_streak": max_streak, "now": now, "day": day, "counter_id": counter_id,
        "event_id": new_id(), "actor_label": actor_label, "actor_id": actor_id,
        **outbox.params(site_id or uuid.UUID(int=0), site_code, counter_number, now)}, result)


# ---------------------------------------------------------------- a step on the current ticket

# Lock the counter's state and read the ticket it holds; if that ticket is the one the
# officer sees (when named) and the policy allows the action from its status, move it, free
# the counter when the new status is not active there, and record the event. The moves come
# in as the policy's table for the action (from, to, frees the counter). The result is the
# ticket as it was, and whether it changed, so the caller words the refusal.
_STEP = f"""
WITH st AS (
    SELECT {", ".join("cur." + c for c in _TICKET_COLUMNS.split(", "))}
    FROM counter_states cs LEFT JOIN tickets cur ON cur.id = cs.current_ticket_id
    WHERE cs.counter_id = %(counter_id)s
    FOR UPDATE OF cs
), go AS (
    SELECT st.id, st.status AS from_status, m.to_status, m.release
    FROM st JOIN unnest(%(from_statuses)s::text[], %(to_statuses)s::text[], %(releases)s::bool[])
         AS m(from_status, to_status, release) ON m.from_status = st.status
    WHERE %(expected)s::uuid IS NULL OR st.id = %(expected)s::uuid
), upd AS (
    UPDATE tickets t SET status = go.to_status, recall_count = t.recall_count + %(recall_inc)s,
           serving_at = COALESCE(%(serving_at)s::timestamptz, t.serving_at),
           finished_at = COALESCE(%(finished_at)s::timestamptz, t.finished_at)
    FROM go WHERE t.id = go.id AND t.status = go.from_status
    RETURNING t.id, t.status, t.number, t.service_id, go.release
), cs AS (
    UPDATE counter_states SET current_ticket_id = CASE WHEN upd.release THEN NULL ELSE current_ticket_id END,
           updated_at = %(now)s
    FROM upd WHERE counter_states.counter_id = %(counter_id)s
), ev AS (
    INSERT INTO ticket_events (id, ticket_id, at, kind, status, actor_label, actor_id, counter_id, data)
    SELECT %(event_id)s, upd.id, %(now)s, %(kind)s, upd.status, %(actor_label)s, %(actor_id)s, %(counter_id)s, NULL
    FROM upd
){{outbox}}
SELECT st.*, (SELECT count(*) FROM upd) AS changed FROM st
"""
# Finishing also writes the ticket.finished webhook rows, in the same statement.
_STEP_FINISH = _STEP.replace("{outbox}", ", " + outbox.cte(
    "wh", "upd", "ticket.finished", ticket_id="src.id", number="src.number", status="src.status",
    service_id="src.service_id"))
_STEP = _STEP.replace("{outbox}", "")


class StepOutcome(NamedTuple):
    before: TicketRow | None  # the counter's ticket before the step; None if it holds none
    changed: bool


def step_moves(action: Action) -> list[tuple[Status, Status, bool]]:
    """The policy's moves for an action: (from, to, frees the counter)."""
    return [(frm, to, to not in policy.ACTIVE_AT_COUNTER)
            for (frm, act), to in policy.TRANSITIONS.items() if act is action]


def step(*, counter_id: uuid.UUID, action: Action, kind: str, expected: uuid.UUID | None, now: datetime,
         actor_label: str, actor_id: uuid.UUID | None, site_id: uuid.UUID | None = None, site_code: str = "",
         counter_number: int | None = None) -> Prepared[StepOutcome]:
    moves = step_moves(action)

    def result(row: Any) -> StepOutcome:
        if row is None or row.id is None:  # never opened, or holds no ticket
            return StepOutcome(None, False)
        return StepOutcome(_ticket(row), bool(row.changed))

    return Prepared(_STEP_FINISH if action is Action.finish else _STEP, {
        "counter_id": counter_id, "from_statuses": [m[0].value for m in moves],
        "to_statuses": [m[1].value for m in moves], "releases": [m[2] for m in moves], "expected": expected,
        "recall_inc": 1 if action is Action.recall else 0,
        "serving_at": now if action is Action.start else None,
        "finished_at": now if action is Action.finish else None,
        "now": now, "event_id": new_id(), "kind": kind, "actor_label": actor_label, "actor_id": actor_id,
        **outbox.params(site_id or uuid.UUID(int=0), site_code, counter_number, now)}, result)
