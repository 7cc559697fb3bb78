"""The day closes itself exactly once with several app processes against one database: real
`satupintu serve` processes (tests/procserver.py) on a SQLite file and on PostgreSQL, and
three processes released at the same instant on the closing itself."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select

from satupintu.catalogue.models import Service, Site
from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from satupintu.queueing import policy, store
from satupintu.queueing.models import DayClose, Ticket, TicketEvent
from satupintu.queueing.policy import Channel, Priority, Status
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD
from tests.procserver import ServerProcess

LEFT = 20  # unserved tickets left from an earlier day


def _world(backend) -> tuple[str, date]:
    """The demo mall (WIB) with LEFT tickets of two days ago still waiting: its close is due."""
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD, history=False)  # the queue day starts from an empty past
    day = policy.local_day(utcnow(), "Asia/Jakarta") - timedelta(days=2)
    with db.write() as s:
        site_id = s.scalar(select(Site.id).where(Site.code == "lahat"))
        service_id = s.scalar(select(Service.id).where(Service.code == "DKC-01"))
        conn = s.connection()
        moment = utcnow() - timedelta(days=2)
        for seq in range(1, LEFT + 1):
            visit = store.insert_visit(conn, site_id, moment, Priority.none)
            store.insert_ticket(conn, site_id=site_id, visit_id=visit, service_id=service_id, prefix="A", day=day,
                                seq=seq, number=policy.format_number("A", seq), channel=Channel.kiosk,
                                priority=Priority.none, is_priority=False, ready_at=moment, now=moment)
    db.dispose()
    return url, day


def _closed_once(url: str, day: date) -> None:
    db = Database(url)
    try:
        with db.read() as s:
            rows = s.scalars(select(DayClose)).all()
            assert [(r.local_date, r.automatic, r.closed_tickets) for r in rows] == [(day, True, LEFT)]
            assert s.scalar(select(func.count()).select_from(Ticket).where(Ticket.status != Status.closed)) == 0
            assert s.scalar(select(func.count()).select_from(TicketEvent)
                            .where(TicketEvent.kind == "closed")) == LEFT  # each ticket closed once
    finally:
        db.dispose()


def _wait_for_close(url: str, timeout: float = 90) -> None:
    db = Database(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with db.read() as s:
                if s.scalar(select(func.count()).select_from(DayClose)):
                    return
            time.sleep(0.2)
        raise AssertionError("no process closed the day")
    finally:
        db.dispose()


def test_three_app_processes_close_a_due_day_exactly_once(backend):
    """Three app processes start together and each runs its day closer every 0.2 s: the day
    is closed once (one row, every ticket closed with one history entry, one 'day_closed' log
    line among the three processes)."""
    url, day = _world(backend)
    servers = [ServerProcess(url, workers=1, log_level="INFO") for _ in range(3)]
    for server in servers:
        server.env["SATUPINTU_DAY_CLOSE_POLL_SECONDS"] = "0.2"
    starters = [threading.Thread(target=server.start) for server in servers]
    try:
        for t in starters:
            t.start()
        for t in starters:
            t.join(90)
        _wait_for_close(url)
        time.sleep(2)  # every closer has run again meanwhile
        logs = [server.output() for server in servers]
    finally:
        for server in servers:
            server.stop()
    assert all("satupintu.start" in log for log in logs)
    assert sum(log.count("day_closed") for log in logs) == 1
    assert not any("day_closer_error" in log for log in logs)
    _closed_once(url, day)


RACE = """
import sys, time
from satupintu.db import Database
from satupintu.queueing import day
db = Database(sys.argv[1])
with db.read() as s:
    pass
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
closed = day.close_due_days(db)
print(sum(c.result.closed_tickets for c in closed), len(closed))
"""


def test_three_processes_released_at_one_instant_close_the_day_once(backend):
    """Three processes connect, then all call the closer at the same instant: one closes the
    LEFT tickets, the other two meet the closed day's row and close nothing."""
    url, day = _world(backend)
    start = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", RACE, url, str(start)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    results = sorted(out.split() for out, _ in outs)
    assert results == [["0", "0"], ["0", "0"], [str(LEFT), "1"]]
    _closed_once(url, day)
