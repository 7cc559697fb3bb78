"""`satupintu retention`: old ticket events, audit entries and settled webhook deliveries leave
the database, on SQLite and PostgreSQL, and no report changes.

What the operator sees: the dry run prints the counts and changes nothing; the real run removes
exactly those rows, in batches, writes one audit entry with its counts, and the site's figures
over the whole past read the same before and after; a past day that is still open (not settled)
keeps its events and every day after it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from satupintu import retention
from satupintu.audit import COUNTER_ACTIONS, AuditEntry
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.oversight import service as oversight
from satupintu.queueing.models import DayClose, Ticket, TicketEvent
from satupintu.scope import SYSTEM

SITE = "lahat"
KEEP = 10  # days


def settings(db: Database, **kw: Any) -> Settings:
    return Settings(database_url=db.url, secret_key="uji-retensi", retention_ticket_event_days=KEEP,
                    retention_audit_days=KEEP, retention_batch_size=50, **kw)


def today(db: Database) -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def events_by_day(db: Database) -> dict[date, int]:
    with db.read() as s:
        rows = s.execute(select(Ticket.local_date, func.count(TicketEvent.id))
                         .join(Ticket, Ticket.id == TicketEvent.ticket_id).group_by(Ticket.local_date))
        return {d: n for d, n in rows}


def counter_entries(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action.in_(COUNTER_ACTIONS))) or 0)


def runs(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        return [e.after or {} for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.run"))]


def figures(db: Database, first: date, last: date) -> Any:
    return oversight.summary(db, SYSTEM, SITE, first, last)


def test_retention_removes_old_events_and_no_figure_changes(fresh_demo_db: Database) -> None:
    """The demo's past weeks: the dry run counts the events of days older than 10 days and
    changes nothing; the run removes exactly them (in batches of 50), keeps the tickets and the
    last 10 days' events, is written to the audit log, and the figures of every past day read
    the same as before."""
    db = fresh_demo_db
    before = events_by_day(db)
    first, last = min(before), today(db)
    cutoff = last - timedelta(days=KEEP)
    old = sum(n for d, n in before.items() if d < cutoff)
    assert old > 500 and any(d >= cutoff for d in before)
    with db.read() as s:
        tickets = s.scalar(select(func.count()).select_from(Ticket))
    shown = figures(db, first, last)

    dry = retention.run(db, settings(db), dry_run=True)
    assert dry.ticket_events == old
    assert dry.audit_entries > 0
    assert events_by_day(db) == before and runs(db) == []

    done = retention.run(db, settings(db))
    assert (done.ticket_events, done.audit_entries) == (dry.ticket_events, dry.audit_entries)
    after = events_by_day(db)
    assert all(d >= cutoff for d in after)
    assert after == {d: n for d, n in before.items() if d >= cutoff}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == tickets
    assert figures(db, first, last) == shown
    [entry] = runs(db)
    assert entry["ticket_events"] == old and entry["dry_run"] is False and entry["ticket_event_days"] == KEEP

    again = retention.run(db, settings(db))
    assert (again.ticket_events, again.audit_entries) == (0, 0)


def test_an_unsettled_past_day_keeps_its_events_and_the_days_after(fresh_demo_db: Database) -> None:
    """A past day whose queue day was never closed (its figures are computed live from its
    tickets and events) stops the retention there: its events and every later day's stay, the earlier ones go,
    and the counter entries of that day stay too."""
    db = fresh_demo_db
    before = events_by_day(db)
    cutoff = today(db) - timedelta(days=KEEP)
    past = sorted(d for d in before if d < cutoff)
    open_day = past[len(past) // 2]
    with db.write() as s:
        s.execute(delete(DayClose).where(DayClose.local_date == open_day))
    counters = counter_entries(db)
    shown = figures(db, past[0], today(db))

    done = retention.run(db, settings(db))
    assert done.horizons[SITE] == open_day.isoformat()
    after = events_by_day(db)
    assert min(after) == open_day
    assert after == {d: n for d, n in before.items() if d >= open_day}
    assert 0 < counter_entries(db) < counters
    assert figures(db, past[0], today(db)) == shown


def test_the_command_line_dry_run_prints_the_counts(fresh_demo_db: Database) -> None:
    """`satupintu retention --dry-run` prints what would go, in Indonesian, and removes nothing."""
    db = fresh_demo_db
    before = events_by_day(db)
    env = dict(os.environ, SATUPINTU_DATABASE_URL=db.url, SATUPINTU_SECRET_KEY="uji-retensi",
               SATUPINTU_RETENTION_TICKET_EVENT_DAYS=str(KEEP))
    done = subprocess.run([sys.executable, "-m", "satupintu", "retention", "--dry-run"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cutoff = today(db) - timedelta(days=KEEP)
    assert f"Peristiwa antrean akan dihapus: {sum(n for d, n in before.items() if d < cutoff)}" in done.stdout
    assert "Uji coba: tidak ada yang diubah." in done.stdout
    assert events_by_day(db) == before and runs(db) == []
