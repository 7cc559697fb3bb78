"""The calling query reads the partial index of waiting tickets (migration 0032), on both databases,
and on PostgreSQL even as a prepared statement's generic plan (psycopg prepares a statement after
five runs): an officer's "call next" never scans the day's served and closed tickets."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from sqlalchemy import event

from satupintu.queueing import store


def _sent(db, run) -> tuple[str, Any]:
    """The SQL text and parameters `run(conn)` sends to the driver (its last statement)."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with db.engine.connect() as conn:
            run(conn)
            conn.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return seen[-1]


def _plan(db, run) -> str:
    statement, params = _sent(db, run)
    with db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        if db.dialect == "sqlite":
            return " ".join(str(r[-1]) for r in driver.execute("EXPLAIN QUERY PLAN " + statement, params))
        # As PostgreSQL plans a prepared statement generically: with $n parameters and no values.
        names: list[str] = []
        sql = re.sub(r"%\((\w+)\)s", lambda m: f"${names.append(m.group(1)) or len(names)}", statement)
        with psycopg.ClientCursor(driver) as cur:  # EXECUTE's arguments as literals (EXPLAIN binds nothing)
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET plan_cache_mode = force_generic_plan")
            cur.execute(f"PREPARE calling_probe AS {sql}")
            cur.execute(f"EXPLAIN EXECUTE calling_probe({', '.join('%s' for _ in names)})", [params[n] for n in names])
            plan = "\n".join(r[0] for r in cur.fetchall())
            cur.execute("DEALLOCATE calling_probe")
        conn.rollback()
        return plan


def test_call_next_and_the_ahead_count_read_the_waiting_index(empty_db):
    now, day, service_id = datetime.now(UTC), date.today(), uuid.uuid4()
    pick = _plan(empty_db, lambda conn: store.pick_waiting(conn, (service_id,), False, now, day))
    assert "ix_tickets_waiting" in pick, pick
    ahead = _plan(empty_db, lambda conn: store.count_ahead(conn, service_id, uuid.uuid4(), now, False))
    assert "ix_tickets_waiting" in ahead, ahead
