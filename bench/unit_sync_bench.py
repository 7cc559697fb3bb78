"""Mobile service unit sync benchmark: prints figures, asserts nothing.

A busy unit's full day is recorded on a unit's own SQLite file through the real services
(tickets issued at the kiosk, each called, served and finished at the counter; SKM surveys from
the first visitors), then `link.sync` sends it to a centre that runs as a real
`satupintu serve` over loopback (PostgreSQL by default, `--backend sqlite` for an SQLite
centre). Printed: the sync's elapsed seconds, the bytes sent and received, the records sent,
and the same run's raw ceiling: a bare psycopg / sqlite3 loop inserting as many rows of the
same average size into the centre's database, in transactions of one batch each, and the ratio.
The issue's target: under 30 s.

Run: `.venv/bin/python bench/unit_sync_bench.py [--backend postgresql|sqlite] [--tickets 2000] [--surveys 500]`
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.procserver import ServerProcess  # noqa: E402

from bench.common import open_all_day, postgres_database  # noqa: E402
from satupintu.accounts import service as accounts  # noqa: E402
from satupintu.catalogue import service as catalogue  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.feedback import service as feedback  # noqa: E402
from satupintu.feedback.schemas import SurveyIn  # noqa: E402
from satupintu.feedback.skm import KEYS, Regulation  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402
from satupintu.queueing import service as queue  # noqa: E402
from satupintu.unit import capture, enrolment, link  # noqa: E402

PASSWORD = "bench-password-123"
EVENT = "plaza-lematang"
COUNTER = 2  # the event's Dukcapil counter
SERVICE = "DKC-01"


class Counting(httpx.BaseTransport):
    """Loopback HTTP that counts the bytes of request and response bodies."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent = self.received = self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += len(request.read())
        response = self.inner.handle_request(request)
        self.received += len(response.read())
        self.requests += 1
        return response


def record_day(van: Database, tickets: int, surveys: int) -> None:
    event = catalogue.get_site(van, EVENT)
    kiosk = queue.Issuer(label="kios:van", site_id=event.id)
    officer = accounts.authenticate(van, "pengelola", PASSWORD)
    queue.open_counter(van, officer, EVENT, COUNTER)
    answers = {k: 4 for k in KEYS[Regulation.permenpanrb_14_2017]}
    started = time.perf_counter()
    issued = [queue.issue_ticket(van, kiosk, EVENT, SERVICE) for _ in range(tickets)]
    for _ in issued:
        queue.call_next(van, officer, EVENT, COUNTER)
        queue.start_serving(van, officer, EVENT, COUNTER)
        queue.finish(van, officer, EVENT, COUNTER)
    for t in issued[:surveys]:
        feedback.submit_survey(van, t.id, feedback.survey_code(t.visit_id), SurveyIn(answers=answers))
    print(f"recorded at the unit: {tickets} tickets (issued, called, served, finished), {surveys} surveys "
          f"in {time.perf_counter() - started:.1f} s")


def ceiling_postgres(url: str, rows: int, width: int, batch: int) -> float:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TABLE bench_ceiling (id uuid PRIMARY KEY, body text)")
        conn.commit()
        started = time.perf_counter()
        for start in range(0, rows, batch):
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO bench_ceiling (id, body) VALUES (%s, %s)",
                                [(uuid.uuid4(), "x" * width) for _ in range(min(batch, rows - start))])
            conn.commit()
        took = time.perf_counter() - started
        conn.execute("DROP TABLE bench_ceiling")
        conn.commit()
    return took


def ceiling_sqlite(path: str, rows: int, width: int, batch: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE bench_ceiling (id text PRIMARY KEY, body text)")
    started = time.perf_counter()
    for start in range(0, rows, batch):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO bench_ceiling (id, body) VALUES (?, ?)",
                         [(str(uuid.uuid4()), "x" * width) for _ in range(min(batch, rows - start))])
        conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.execute("DROP TABLE bench_ceiling")
    conn.close()
    return took


def run(centre_url: str, backend: str, tickets: int, surveys: int, tmp: Path) -> None:
    upgrade(centre_url)
    centre = Database(centre_url)
    load_demo(centre, PASSWORD, history=False)
    open_all_day(centre)
    manager = accounts.authenticate(centre, "pengelola", PASSWORD)
    code = enrolment.create_code(centre, manager, EVENT, "Bench", "bench@example.go.id").code
    with ServerProcess(centre_url, workers=1) as server:
        unit_url = f"sqlite:///{tmp / 'unit.db'}"
        upgrade(unit_url)
        van = Database(unit_url)
        link.enrol(van, server.url, code, "bench-van")
        record_day(van, tickets, surveys)
        wire = Counting()
        started = time.perf_counter()
        pushed, applied = link.sync(van, transport=wire)
        took = time.perf_counter() - started
        found = link.status(van)
        assert found is not None and found.backlog == 0 and not pushed.refused, (found, pushed.refused[:3])
        width = max(1, wire.sent // max(1, pushed.sent))
        print(f"[{backend} centre] sync: {took:.1f} s for {pushed.sent} records in {pushed.batches} batches "
              f"({wire.requests} requests); sent {wire.sent / 1e6:.1f} MB, received {wire.received / 1e6:.2f} MB; "
              f"refused {len(pushed.refused)}; target < 30 s")
        van.dispose()
    if backend == "postgresql":
        ceiling = ceiling_postgres(centre_url, pushed.sent, width, capture.BATCH)
        how = "psycopg executemany"
    else:
        ceiling = ceiling_sqlite(str(make_path(centre_url)), pushed.sent, width, capture.BATCH)
        how = "sqlite3 executemany"
    print(f"[{backend} centre] raw ceiling ({how}, {pushed.sent} rows of {width} bytes, one transaction per "
          f"{capture.BATCH}): {ceiling:.2f} s; ratio {took / ceiling:.1f}x")
    centre.dispose()


def make_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--surveys", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sp-unit-bench-") as tmp:
        if args.backend == "sqlite":
            run(f"sqlite:///{Path(tmp) / 'centre.db'}", "sqlite", args.tickets, args.surveys, Path(tmp))
            return
        with postgres_database() as pg:
            if pg is None:
                return
            run(pg[0], "postgresql", args.tickets, args.surveys, Path(tmp))


if __name__ == "__main__":
    main()
