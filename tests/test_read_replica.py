"""SATUPINTU_DATABASE_REPLICA_URL: oversight's reports and dashboards read the replica, while a
ticket (a page reading its own write) and the queue itself stay on the primary.

The "replica" here is a copy of the primary taken with `satupintu backup`/`restore` (a replica
lagging behind, frozen): after it, a kiosk issues tickets on the primary. The overseer's figures
for today (summary, dashboard, national view) show the copy's count, which only the replica can
give; the new ticket is found at once. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from satupintu.backup import backup, restore
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.events import LocalBus
from satupintu.oversight import service as oversight
from satupintu.probes import readiness
from satupintu.queueing import lookup, service
from satupintu.scope import SYSTEM

SITE = "lahat"


def test_reports_read_the_replica_and_tickets_the_primary(fresh_demo_db: Database, backend, tmp_path) -> None:
    """Three tickets issued after the replica's copy: the overseer's summary, dashboard and
    national row for today count without them (the replica), the same figures without a replica
    count them (the primary), and each new ticket is found by its id straight after its issue."""
    primary = fresh_demo_db
    kiosk = service.Issuer(label="uji", site_id=lookup.site(primary, SITE).id)
    service.issue_ticket(primary, kiosk, SITE, "DKC-01")
    archive = tmp_path / "salinan.backup"
    backup(primary.url, archive)
    replica_url = backend.new_url()
    restore(replica_url, archive)

    db = Database.from_settings(Settings(database_url=primary.url, database_replica_url=replica_url,
                                         secret_key="uji-replika"))
    try:
        assert db.reports() is not db and db.reports().engine is db.engine  # writes stay on the primary
        new = [service.issue_ticket(db, kiosk, SITE, "DKC-01") for _ in range(3)]
        for ticket in new:  # read your own write: the primary
            assert service.get_ticket(db, ticket.id).number == ticket.number

        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        on_primary = oversight.summary(primary, SYSTEM, SITE, today, today).tickets
        on_replica = oversight.summary(db, SYSTEM, SITE, today, today).tickets
        assert on_replica == on_primary - 3 >= 1
        assert oversight.dashboard(db, SYSTEM, SITE, today, today).figures.tickets == on_replica
        assert oversight.dashboard(primary, SYSTEM, SITE, today, today).figures.tickets == on_primary
        [row] = [r for r in oversight.national(db, SYSTEM, today, today) if r.code == SITE]
        assert row.figures.tickets == on_replica
    finally:
        db.dispose()


def test_without_a_replica_reports_read_the_primary(fresh_demo_db: Database) -> None:
    """No replica URL set: the reports' database is the database itself."""
    db = Database.from_settings(Settings(database_url=fresh_demo_db.url, secret_key="uji-replika"))
    try:
        assert db.reports() is db
    finally:
        db.dispose()


def test_readyz_says_degraded_while_the_replica_is_down(fresh_demo_db: Database) -> None:
    """A replica URL nothing answers at: /readyz's body is 200 "degraded" naming the replica (the
    balancer keeps the process: only reports wait for the replica), and "ready" with a replica
    that answers."""
    down = Database.from_settings(Settings(database_url=fresh_demo_db.url, secret_key="uji-replika",
                                           database_replica_url="postgresql+psycopg://satupintu@127.0.0.1:1/none"))
    up = Database.from_settings(Settings(database_url=fresh_demo_db.url, secret_key="uji-replika",
                                         database_replica_url=fresh_demo_db.url))
    try:
        status, body = readiness(down, LocalBus())
        assert (status, body["status"], body["degraded"]) == (200, "degraded", ["replica"])
        assert body["checks"]["replica"]["ok"] is False
        status, body = readiness(up, LocalBus())
        assert (status, body["status"], body["checks"]["replica"]) == (200, "ready", {"ok": True})
    finally:
        down.dispose()
        up.dispose()
