"""What one /metrics scrape's backlog reads cost when the outbox holds a long history: prints
figures, asserts nothing.

Fills a migrated database of its own (SQLite file, and PostgreSQL when reachable) with
`--sent` settled notifications and webhook deliveries plus `--pending` unsettled ones, then
times notify.service.backlog and integration.webhook_service.backlog (the two reads a scrape
makes), prints each query's plan, and as the ceiling the same SQL text run on the bare driver
(sqlite3, psycopg) with the ratio to it.

Run: `.venv/bin/python bench/backlog_bench.py [--sent 200000] [--pending 200] [--repeat 50]`
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("SATUPINTU_SECRET_KEY", "bench-secret-" + uuid.uuid4().hex)

from sqlalchemy import create_engine, insert, text  # noqa: E402

from satupintu.catalogue.models import Site  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.integration import webhook_service  # noqa: E402
from satupintu.integration.models import ClientSystem, WebhookDelivery, WebhookEndpoint  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402
from satupintu.notify import service as notify  # noqa: E402
from satupintu.notify.models import Notification  # noqa: E402
from satupintu.timeutil import utcnow  # noqa: E402

PG_ADMIN = os.environ.get("SATUPINTU_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
NOTIFY_SQL = ("SELECT status, count(*), min(created_at) FROM notifications "
              "WHERE status IN ('pending', 'sending') GROUP BY status")
WEBHOOK_SQL = ("SELECT status, count(*), min(created_at) FROM webhook_deliveries "
               "WHERE status IN ('pending', 'sending') GROUP BY status")


def fill(db: Database, sent: int, pending: int) -> None:
    load_demo(db, "bench-password-123")
    now = utcnow()
    with db.write() as s:
        site_id = s.scalar(text("SELECT id FROM sites LIMIT 1").columns(Site.id))
        client = ClientSystem(id=uuid.uuid4(), site_id=site_id, name="Bench", owner_agency="Bench",
                              contact_name="Bench", contact_email="bench@example.go.id", created_by="bench")
        s.add(client)
        s.flush()
        endpoint = WebhookEndpoint(id=uuid.uuid4(), client_id=client.id, site_id=site_id,
                                   url="http://127.0.0.1:9/hook", secret="whsec_x", secret_prefix="whsec_x",
                                   event_types=["ticket.issued"], created_by="bench")
        s.add(endpoint)
        s.flush()
        endpoint_id = endpoint.id
    for start in range(0, sent + pending, 10_000):
        rows_n, rows_w = [], []
        for i in range(start, min(start + 10_000, sent + pending)):
            settled = i < sent
            at = now - timedelta(seconds=sent + pending - i)
            rows_n.append(dict(id=uuid.uuid4(), kind="ticket_called", channel="email", recipient="",
                               recipient_masked="b***@e***.id", subject="s", body="b",
                               status="sent" if settled else "pending", attempts=1, next_attempt_at=at,
                               created_at=at, sent_at=at if settled else None))
            rows_w.append(dict(id=uuid.uuid4(), endpoint_id=endpoint_id, event_type="ticket.issued",
                               entity=f"ticket:{i}", body="{}", status="delivered" if settled else "pending",
                               attempts=1, next_attempt_at=at, created_at=at))
        with db.write() as s:
            s.execute(insert(Notification), rows_n)
            s.execute(insert(WebhookDelivery), rows_w)


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def report(name: str, db: Database, bare, plan_prefix: str, repeat: int) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== {name}")
    with db.engine.connect() as conn:
        for sql in (NOTIFY_SQL, WEBHOOK_SQL):
            plan = conn.execute(text(plan_prefix + sql)).all()
            print("plan:", " | ".join(" ".join(str(c) for c in row) for row in plan))
    print(f"notify backlog  {notify.backlog(db)}")
    print(f"webhook backlog {webhook_service.backlog(db)}")
    for label, ours, sql in (("notify.service.backlog", lambda: notify.backlog(db), NOTIFY_SQL),
                             ("webhook_service.backlog", lambda: webhook_service.backlog(db), WEBHOOK_SQL)):
        mine = timed(ours, repeat)
        ceiling = timed(lambda sql=sql: bare(sql), repeat)
        print(f"{label:24} median {mine:7.3f} ms; bare driver, same SQL {ceiling:7.3f} ms; ratio {mine / ceiling:5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sent", type=int, default=200_000)
    ap.add_argument("--pending", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    load = Path("/proc/loadavg").read_text().strip()
    print(f"load average {load}; {args.sent} settled + {args.pending} unsettled rows per outbox")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backlog.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        db = Database(url)
        fill(db, args.sent, args.pending)
        raw = sqlite3.connect(path)
        report("SQLite", db, lambda sql: raw.execute(sql).fetchall(), "EXPLAIN QUERY PLAN ", args.repeat)
        raw.close()
        db.dispose()
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"satupintu_backlog_bench_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no PostgreSQL here: the SQLite figures stand alone
        print(f"\nPostgreSQL skipped: {type(exc).__name__}")
        return
    import psycopg

    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        db = Database(url)
        fill(db, args.sent, args.pending)
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        dsn = admin.url.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn) as raw:
            report("PostgreSQL", db, lambda sql: raw.execute(sql).fetchall(), "EXPLAIN ", args.repeat)
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
