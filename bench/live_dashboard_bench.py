"""The live dashboard's snapshot on a busy morning: prints figures, asserts nothing.

The demo mall with its past weeks and a morning of N numbers issued today through the queue
service (every fourth one called and served to the end at a Dukcapil counter), on SQLite and
PostgreSQL. Timed, best of five: `oversight.live_service.live` (one read transaction: today's
tickets with their events, counters, waiting list, the month's survey answers), which the page
fetches at most every 2 s per open dashboard.

The ceiling of the same run is the driver alone fetching today's tickets joined to their events
with a bare sqlite3 / psycopg cursor; the ratio says what the rest of the snapshot adds.

Run: `.venv/bin/python bench/live_dashboard_bench.py [--tickets 600]`
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import open_all_day, postgres_database  # noqa: E402
from satupintu.accounts import service as accounts  # noqa: E402
from satupintu.catalogue import service as catalogue  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402
from satupintu.oversight import live_service  # noqa: E402
from satupintu.oversight.periods import day_bounds  # noqa: E402
from satupintu.queueing import service as queue  # noqa: E402
from satupintu.scope import SYSTEM  # noqa: E402

PASSWORD = "bench-sandi-uji-123"
RAW = ("SELECT t.id, t.service_id, t.channel, t.status, e.at, e.kind, e.status FROM tickets t "
       "JOIN ticket_events e ON e.ticket_id = t.id WHERE t.site_id = {p} AND t.issued_at >= {p} AND t.issued_at < {p}")


def best(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(name: str, url: str, tickets: int, raw: Callable[[str, Any, Any], int]) -> None:
    upgrade(url)
    db = Database(url)
    load_demo(db, PASSWORD)
    open_all_day(db)
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios:bench", site_id=site.id)
    officer = accounts.authenticate(db, "petugas.dukcapil", PASSWORD)
    number = next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL"
                  and "DKC-01" in c.services)
    queue.open_counter(db, officer, "lahat", number)
    codes = ("DKC-01", "DPM-01", "DKC-02", "DKC-01")
    t0 = time.perf_counter()
    for i in range(tickets):
        queue.issue_ticket(db, kiosk, "lahat", codes[i % len(codes)])
        if i % 4 == 3:
            queue.call_next(db, officer, "lahat", number)
            queue.start_serving(db, officer, "lahat", number)
            queue.finish(db, officer, "lahat", number)
    made = time.perf_counter() - t0
    board = live_service.live(db, SYSTEM, "lahat")
    lo, hi = day_bounds(board.day, site.timezone)
    rows = raw(str(site.id), lo, hi)
    ceiling = best(lambda: raw(str(site.id), lo, hi))
    took = best(lambda: live_service.live(db, SYSTEM, "lahat"))
    print(f"[{name}] today: {board.tickets} numbers, {board.waiting} waiting, {board.served} served "
          f"({rows:,} event rows; the morning made in {made:.1f} s)")
    print(f"[{name}] snapshot (live): {took * 1000:.1f} ms; raw ceiling (bare cursor, today's tickets and events): "
          f"{ceiling * 1000:.1f} ms; ratio {took / ceiling:.1f}x")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "live.db"

        def sqlite_raw(site_id: str, lo: Any, hi: Any) -> int:
            conn = sqlite3.connect(path)
            try:  # SQLAlchemy stores UUIDs as 32 hex characters and times as ISO text on SQLite
                return len(conn.execute(RAW.format(p="?"), (site_id.replace("-", ""),
                                                            lo.strftime("%Y-%m-%d %H:%M:%S.%f"),
                                                            hi.strftime("%Y-%m-%d %H:%M:%S.%f"))).fetchall())
            finally:
                conn.close()

        run("sqlite", f"sqlite:///{path}", args.tickets, sqlite_raw)
    with postgres_database() as pg:
        if pg is not None:
            import psycopg

            url, dbname = pg

            def pg_raw(site_id: str, lo: Any, hi: Any) -> int:
                with psycopg.connect(f"host=127.0.0.1 port=5432 dbname={dbname}") as conn:
                    return len(conn.execute(RAW.format(p="%s"), (site_id, lo, hi)).fetchall())

            run("postgresql", url, args.tickets, pg_raw)


if __name__ == "__main__":
    main()
