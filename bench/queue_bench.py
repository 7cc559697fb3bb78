"""Queue benchmark: prints figures, asserts nothing.

For SQLite and PostgreSQL (when reachable), on this machine:
1. HTTP, against `satupintu serve --workers N`: tickets issued per second by concurrent kiosks,
   then call-next (with start and finish) by concurrent officers at separate counters, with
   p50/p95/p99 latency of each operation; the same from wrk (closed loop, a C client); and
   kiosks and officers together at a fixed rate asked of the server (openloop.py: latency
   from each request's due time), the issue's target: 500 operations/s with p99 under 50 ms.
2. Service layer: call-next per second in one process, no HTTP.
3. The database's raw ceiling for a comparable write transaction (sequence upsert + row
   insert): pgbench for PostgreSQL, a bare sqlite3 loop for SQLite; and the ratio.

Run: `.venv/bin/python bench/queue_bench.py [--backend sqlite|postgresql] [--tickets 2000] [--clients 16]
[--workers 2] [--no-hot-path]`
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.procserver import ServerProcess  # noqa: E402

from bench import openloop  # noqa: E402
from bench.common import open_all_day, pct, postgres_database  # noqa: E402
from satupintu.accounts import service as accounts  # noqa: E402
from satupintu.catalogue import service as catalogue  # noqa: E402
from satupintu.catalogue.schemas import CounterIn  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402
from satupintu.queueing import service as queue  # noqa: E402

PASSWORD = "bench-password-123"
BENCH_COUNTERS = range(50, 98)  # extra Dukcapil counters so officers do not wait on each other


def fmt(name: str, lat: list[float], wall: float) -> str:
    return (f"{name}: {len(lat) / wall:7.0f}/s  p50 {pct(lat, 50):6.1f} ms  p95 {pct(lat, 95):6.1f} ms  "
            f"p99 {pct(lat, 99):6.1f} ms  (n={len(lat)})")


def prepare(url: str) -> Database:
    upgrade(url)
    db = Database(url)
    load_demo(db, PASSWORD)
    open_all_day(db)
    manager = accounts.authenticate(db, "pengelola", PASSWORD)
    for n in BENCH_COUNTERS:
        catalogue.create_counter(db, manager, "lahat", CounterIn(number=n, agency="DUKCAPIL", services=["DKC-01"]))
    return db


def http_phase(kind: str, url: str, tickets: int, clients: int, workers: int) -> float:
    with ServerProcess(url, workers=workers) as server:
        c = httpx.Client(base_url=server.url, timeout=60)
        manager = {"Authorization": "Bearer " + c.post("/api/v1/auth/token", json={
            "username": "pengelola", "password": PASSWORD}).json()["access_token"]}
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "bench"}).json()["token"]}
        officer = {"Authorization": "Bearer " + c.post("/api/v1/auth/token", json={
            "username": "petugas.dukcapil", "password": PASSWORD}).json()["access_token"]}
        counters = list(BENCH_COUNTERS)[:clients]
        for n in counters:
            c.post(f"/api/v1/sites/lahat/counters/{n}/open", headers=officer).raise_for_status()
        local = threading.local()

        def client() -> httpx.Client:
            if not hasattr(local, "c"):
                local.c = httpx.Client(base_url=server.url, timeout=60)
            return local.c

        def issue(i: int) -> float:
            t = time.perf_counter()
            client().post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).raise_for_status()
            return (time.perf_counter() - t) * 1000

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            lat = list(pool.map(issue, range(tickets)))
        issue_wall = time.perf_counter() - t0
        print(f"[{kind}] HTTP {clients} kiosks, {workers} workers  " + fmt("issue ticket", lat, issue_wall))
        calls: list[float] = []
        others: list[float] = []
        lock = threading.Lock()

        def officer_loop(n: int) -> None:  # until nobody waits: the kiosks' tickets above
            oc = httpx.Client(base_url=server.url, timeout=60, headers=officer)
            while True:
                t = time.perf_counter()
                r = oc.post(f"/api/v1/sites/lahat/counters/{n}/call-next")
                r.raise_for_status()
                d = (time.perf_counter() - t) * 1000
                if r.json() is None:
                    return
                with lock:
                    calls.append(d)
                for step in ("start", "finish"):
                    t = time.perf_counter()
                    oc.post(f"/api/v1/sites/lahat/counters/{n}/{step}").raise_for_status()
                    with lock:
                        others.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(len(counters)) as pool:
            list(pool.map(officer_loop, counters))
        wall = time.perf_counter() - t0
        print(f"[{kind}] HTTP {len(counters)} officers            " + fmt("call-next   ", calls, wall))
        print(f"[{kind}] HTTP {len(counters)} officers            " + fmt("start/finish", others, wall))
        total_ops = len(calls) + len(others)
        print(f"[{kind}] HTTP ticket-or-call operations: {(tickets + total_ops) / (issue_wall + wall):.0f}/s sustained "
              "(Python clients)")
        wrk_issue(kind, server.url, kiosk["X-Device-Token"], clients)

        def reset_queue() -> None:
            """300 waiting for one service, as at a busy morning, and free counters: every
            mixed run starts from the same queue (the issue-only run left thousands)."""
            c.post("/api/v1/sites/lahat/close-day", headers=manager,
                   json={"date": (date.today() + timedelta(days=1)).isoformat(), "reason": "bench reset"})
            for n in counters:
                c.post(f"/api/v1/sites/lahat/counters/{n}/open", headers=officer).raise_for_status()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(issue, range(300)))

        # Closed-loop load: latency is about in-flight requests / throughput (Little's law), so
        # the same server is measured at two levels of concurrency.
        for kiosks, officers in ((2, 6), (4, 12)):
            reset_queue()
            wrk_mixed(kind, server.url, kiosk["X-Device-Token"], officer["Authorization"].split()[1],
                      counters[:officers], kiosks=kiosks)
        # The target ("500 operations per second sustained, p99 under 50 ms") as a fixed rate
        # asked of the server, latency counted from each request's due time (openloop.py).
        # SQLite has one writer: a mobile van needs a few operations a second, so it is asked less.
        for rate in (100, 250, 500) if kind == "sqlite" else (500, 750, 1000):
            reset_queue()
            r = openloop.run(server.url, kiosk["X-Device-Token"], officer["Authorization"].split()[1],
                             counters[:12], rate, seconds=10)
            print(f"[{kind}] HTTP open loop, {rate}/s asked (4 kiosks + 12 officers): {r.achieved:5.0f}/s done  "
                  f"p50 {pct(r.latencies_ms, 50):6.1f} ms  p95 {pct(r.latencies_ms, 95):6.1f} ms  "
                  f"p99 {pct(r.latencies_ms, 99):6.1f} ms  (n={len(r.latencies_ms)}, non-2xx {r.non_2xx})")
        return tickets / issue_wall


def wrk_issue(kind: str, base: str, device_token: str, clients: int, seconds: int = 8) -> None:
    """The same issue request from wrk (a C load generator): the server's own capacity, without
    a Python client competing for the same two cores."""
    if not shutil.which("wrk"):
        print(f"[{kind}] wrk not installed (apt-get install wrk): server-only figure skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "issue.lua"
        script.write_text('wrk.method = "POST"\n'
                          'wrk.body = \'{"service":"DKC-01"}\'\n'
                          'wrk.headers["Content-Type"] = "application/json"\n'
                          f'wrk.headers["X-Device-Token"] = "{device_token}"\n')
        out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script),
                              f"{base}/api/v1/sites/lahat/tickets"], capture_output=True, text=True).stdout
    figures = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] in (["50%"], ["99%"]) or line.startswith("Requests/sec") or "Non-2xx" in line:
            figures[parts[0].rstrip(":")] = parts[-1]
    print(f"[{kind}] HTTP wrk {clients} connections, issue ticket: {figures.get('Requests/sec', '?')}/s  "
          f"p50 {figures.get('50%', '?')}  p99 {figures.get('99%', '?')}"
          + (f"  NON-2XX {figures['Non-2xx']}" if "Non-2xx" in figures else ""))


MIXED_LUA = """
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end
local step = 0
local steps = {"call-next", "start", "finish"}
function request()
  if tid <= KIOSKS then
    return wrk.format("POST", "/api/v1/sites/lahat/tickets",
      {["Content-Type"] = "application/json", ["X-Device-Token"] = KIOSK}, '{"service":"DKC-01"}')
  end
  local path = steps[step % 3 + 1]
  step = step + 1
  return wrk.format("POST", "/api/v1/sites/lahat/counters/" .. (FIRST_COUNTER + tid - KIOSKS - 1) .. "/" .. path,
    {["Authorization"] = "Bearer " .. TOKEN}, "")
end
"""


def _wrk_figures(out: str) -> dict[str, str]:
    figures = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] in (["50%"], ["90%"], ["99%"]) or line.startswith("Requests/sec") or "Non-2xx" in line:
            figures[parts[0].rstrip(":")] = parts[-1]
    return figures


def wrk_mixed(kind: str, base: str, device_token: str, officer_token: str, counters: list[int], kiosks: int = 4,
              seconds: int = 8) -> None:
    """Kiosks issuing while officers call, start and finish, all from wrk: one connection per
    thread, each officer thread at its own counter. The issue's target: ticket-or-call
    operations per second with p99."""
    if not shutil.which("wrk"):
        return
    officers = len(counters)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mixed.lua"
        script.write_text(f'KIOSKS = {kiosks}\nKIOSK = "{device_token}"\nTOKEN = "{officer_token}"\n'
                          f"FIRST_COUNTER = {counters[0]}\n" + MIXED_LUA)
        out = subprocess.run(["wrk", f"-t{kiosks + officers}", f"-c{kiosks + officers}", f"-d{seconds}s",
                              "--latency", "-s", str(script), base], capture_output=True, text=True).stdout
    f = _wrk_figures(out)
    print(f"[{kind}] HTTP wrk {kiosks} kiosks + {officers} officers (call/start/finish), ticket-or-call operations: "
          f"{f.get('Requests/sec', '?')}/s  p50 {f.get('50%', '?')}  p90 {f.get('90%', '?')}  p99 {f.get('99%', '?')}"
          + (f"  non-2xx {f['Non-2xx']}" if "Non-2xx" in f else ""))


def service_phase(kind: str, db: Database, n: int = 1000, threads: int = 8) -> None:
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="bench", site_id=site.id)
    officer = accounts.authenticate(db, "petugas.dukcapil", PASSWORD)
    manager = accounts.authenticate(db, "pengelola", PASSWORD)
    counters = list(BENCH_COUNTERS)

    def reset() -> None:  # close what earlier phases left, so each phase starts from an empty queue
        queue.close_day(db, manager, "lahat", date.today() + timedelta(days=1), "bench reset")
        for c in counters:
            queue.open_counter(db, officer, "lahat", c)

    def call_all(my_counters: list[int], lat: list[float]) -> None:
        while True:
            busy = []
            for c in my_counters:  # call at each counter, then free them (untimed)
                t = time.perf_counter()
                called = queue.call_next(db, officer, "lahat", c)
                if called is None:
                    break
                lat.append((time.perf_counter() - t) * 1000)
                busy.append(c)
            for c in busy:
                queue.mark_no_show(db, officer, "lahat", c)
            if len(busy) < len(my_counters):
                return

    reset()
    t0 = time.perf_counter()
    for _ in range(n):
        queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    issue_rate = n / (time.perf_counter() - t0)
    lat: list[float] = []
    call_all(counters, lat)
    print(f"[{kind}] service layer, 1 thread: issue {issue_rate:.0f}/s; " + fmt("call-next", lat, sum(lat) / 1000))

    reset()
    with ThreadPoolExecutor(threads) as pool:
        t0 = time.perf_counter()
        list(pool.map(lambda _: queue.issue_ticket(db, kiosk, "lahat", "DKC-01"), range(n)))
        issue_rate = n / (time.perf_counter() - t0)
    lats: list[list[float]] = [[] for _ in range(threads)]
    groups = [counters[i::threads] for i in range(threads)]
    # Rounds: every thread calls at each of its counters at once (timed: the wall time of the
    # call phase, between two barriers), then all free their counters (untimed), until the
    # queue is empty. So the rate counts concurrent call-next only.
    barrier = threading.Barrier(threads)
    marks: list[float] = []
    empty = threading.Event()

    def rounds(my_counters: list[int], lat: list[float]) -> None:
        while True:
            if barrier.wait() == 0:
                marks.append(time.perf_counter())
            busy = []
            for c in my_counters:
                t = time.perf_counter()
                called = queue.call_next(db, officer, "lahat", c)
                if called is None:
                    empty.set()
                    break
                lat.append((time.perf_counter() - t) * 1000)
                busy.append(c)
            if barrier.wait() == 0:
                marks.append(time.perf_counter())
            for c in busy:
                queue.mark_no_show(db, officer, "lahat", c)
            barrier.wait()
            if empty.is_set():
                return

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(rounds, groups, lats))
    call_wall = sum(marks[i + 1] - marks[i] for i in range(0, len(marks) - 1, 2))
    merged = [x for part in lats for x in part]
    print(f"[{kind}] service layer, {threads} threads: issue {issue_rate:.0f}/s; "
          + fmt(f"call-next at {len(counters)} counters at once", merged, call_wall))


def sqlite_ceiling(seconds: float = 3.0) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        con = sqlite3.connect(f"{tmp}/raw.db", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE seq (k TEXT PRIMARY KEY, last INTEGER)")
        con.execute("CREATE TABLE t (id TEXT PRIMARY KEY, k TEXT, n INTEGER, at TEXT)")
        count, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            con.execute("BEGIN IMMEDIATE")
            n = con.execute("INSERT INTO seq VALUES ('A', 1) ON CONFLICT(k) DO UPDATE SET last = last + 1 "
                            "RETURNING last").fetchone()[0]
            con.execute("INSERT INTO t VALUES (?, 'A', ?, datetime('now'))", (uuid.uuid4().hex, n))
            con.execute("COMMIT")
            count += 1
        return count / (time.perf_counter() - t0)


def pg_ceiling(dbname: str, clients: int, seconds: int = 8) -> float | None:
    if not shutil.which("pgbench"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "issue.sql"
        script.write_text(
            "BEGIN;\n"
            "INSERT INTO bench_seq VALUES ('A', 1) ON CONFLICT (k) DO UPDATE SET last = bench_seq.last + 1;\n"
            "INSERT INTO bench_t VALUES (gen_random_uuid(), 'A', 1, now());\n"
            "END;\n")
        subprocess.run(["psql", "-h", "127.0.0.1", "-d", dbname, "-q", "-c",
                        "CREATE TABLE bench_seq (k text PRIMARY KEY, last int); "
                        "CREATE TABLE bench_t (id uuid PRIMARY KEY, k text, n int, at timestamptz);"], check=True)
        out = subprocess.run(["pgbench", "-h", "127.0.0.1", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds),
                              "-f", str(script), dbname], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("tps ="):
                return float(line.split()[2])
    return None


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    ap.add_argument("--no-hot-path", action="store_true",
                    help="PostgreSQL: serve the hot operations from worker threads (hot_path = false), to compare")
    args = ap.parse_args()
    if args.no_hot_path:
        os.environ["SATUPINTU_HOT_PATH"] = "false"

    if args.backend in ("all", "sqlite"):
        sqlite_run(args)
    if args.backend in ("all", "postgresql"):
        postgres_run(args)


def sqlite_run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db = prepare(url)
        rate = http_phase("sqlite", url, args.tickets, args.clients, args.workers)
        service_phase("sqlite", db)
        ceiling = sqlite_ceiling()
        print(f"[sqlite] raw ceiling (bare sqlite3 loop, upsert+insert per transaction): {ceiling:.0f} tx/s; "
              f"HTTP issue rate is {rate / ceiling:.1%} of it")
        db.dispose()


def postgres_run(args: argparse.Namespace) -> None:
    with postgres_database() as pg:
        if not pg:
            return
        url, name = pg
        db = prepare(url)
        rate = http_phase("postgresql", url, args.tickets, args.clients, args.workers)
        service_phase("postgresql", db)
        db.dispose()
        ceiling = pg_ceiling(name, args.clients)
        if ceiling:
            print(f"[postgresql] raw ceiling (pgbench, {args.clients} clients, upsert+insert per transaction): "
                  f"{ceiling:.0f} tx/s; HTTP issue rate is {rate / ceiling:.1%} of it")


if __name__ == "__main__":
    main()
