"""A booking-quota burst: 1,000 booking requests in one second on one slot, against a real server.

`satupintu serve --workers N` on PostgreSQL; the slot's quota (`--quota`, default 50) is all it
may accept. Several load-generator processes (`--generators`, default 4) share one schedule: request
i is due at t0 + i/rate (an open loop: a slow answer does not delay the next request, and a request's
latency counts from its due time). Each request books for a different phone number, so only the
quota refuses them. The bench checks: exactly `quota` answered 201, every other answer 409 with
error code `slot_full` (no 5xx, no timeout), and the database holds exactly `quota` bookings with
the slot's count at its quota.

Raw ceiling, same run, same machine: pgbench sending the same burst (same rate, same count) of the
bare transaction behind a booking (the guarded seat UPDATE and one INSERT) from as many clients;
its p99 and the app's are printed with their ratio.

    .venv/bin/python -m bench.booking_burst_bench [--requests 1000] [--seconds 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.procserver import ServerProcess  # noqa: E402

from bench.common import open_all_day, pct, postgres_database  # noqa: E402

SITE, SERVICE = "lahat", "DKC-01"


def _generator(base: str, slot: str, indices: list[int], t0: float, interval: float, out: mp.Queue) -> None:
    """One load-generator process: its share of the schedule, one connection per request in flight."""

    async def one(client: httpx.AsyncClient, i: int) -> tuple[int, str, float]:
        due = t0 + i * interval
        wait = due - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        body = {"service": SERVICE, "slot_start": slot, "name": f"Warga {i}", "phone": f"0812{i:08d}"}
        try:
            r = await client.post(f"{base}/api/v1/sites/{SITE}/bookings", json=body)
            code = ""
            if r.status_code != 201:
                try:
                    code = r.json()["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = r.text[:60]
            status = r.status_code
        except httpx.HTTPError as exc:
            status, code = 0, exc.__class__.__name__
        return status, code, (time.time() - due) * 1000

    async def run() -> list[tuple[int, str, float]]:
        limits = httpx.Limits(max_connections=len(indices), max_keepalive_connections=len(indices))
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return await asyncio.gather(*(one(client, i) for i in indices))

    out.put(asyncio.run(run()))


def prepare(url: str, quota: int) -> str:
    """The demo, open all day; DKC-01 bookable with `quota` seats a slot; tomorrow's first slot."""
    from sqlalchemy import select, update

    from satupintu.catalogue.models import Service
    from satupintu.db import Database
    from satupintu.demo.loader import load_demo
    from satupintu.migrate import upgrade
    from satupintu.queueing import service as queue
    from satupintu.queueing.models import QueueSettings
    from satupintu.timeutil import utcnow

    upgrade(url)
    db = Database(url)
    load_demo(db, "bench-burst-123", history=False)
    open_all_day(db)
    with db.write() as s:
        svc = s.scalar(select(Service.id).where(Service.code == SERVICE))
        s.execute(update(QueueSettings).where(QueueSettings.service_id == svc)
                  .values(slot_quota=quota, booking_enabled=True))
    tomorrow = (utcnow() + timedelta(days=1)).date()
    slots = queue.slots(db, SITE, SERVICE, tomorrow)
    db.dispose()
    return slots[0].start.isoformat()


def booked(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    from satupintu.db import Database

    db = Database(url)
    with db.read() as s:
        rows = s.execute(text("SELECT count(*) FROM bookings")).scalar_one()
        seats = s.execute(text("SELECT coalesce(max(booked), 0) FROM booking_slots")).scalar_one()
    db.dispose()
    return int(rows), int(seats)


def pgbench_burst(dbname: str, requests: int, seconds: float, clients: int, quota: int,
                  table: str) -> tuple[float, float] | None:
    """(p99 ms, p50 ms) of the bare booking transaction sent as the same burst by pgbench."""
    if not shutil.which("pgbench"):
        return None
    subprocess.run(["psql", "-h", "127.0.0.1", "-d", dbname, "-q", "-c",
                    f"CREATE TABLE {table}_slot (id int PRIMARY KEY, booked int NOT NULL); "
                    f"INSERT INTO {table}_slot VALUES (1, 0); "
                    f"CREATE TABLE {table}_booking (id uuid PRIMARY KEY, phone text, at timestamptz);"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "book.sql"
        script.write_text(
            "\\set p random(1, 99999999)\n"
            "BEGIN;\n"
            f"UPDATE {table}_slot SET booked = booked + 1 WHERE id = 1 AND booked < {quota};\n"
            f"INSERT INTO {table}_booking VALUES (gen_random_uuid(), :p, now());\n"
            "END;\n")
        rate = requests / seconds
        subprocess.run(["pgbench", "-h", "127.0.0.1", "-n", "-c", str(clients), "-j", "2", "-R", str(rate),
                        "-t", str(max(1, requests // clients)), "--log", f"--log-prefix={tmp}/log",
                        "-f", str(script), dbname], capture_output=True, text=True, check=True, cwd=tmp)
        lat = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().split("\n"):
                parts = line.split()
                if len(parts) >= 7:  # client tx time script epoch us lag: latency from the schedule
                    lat.append((int(parts[2]) + int(parts[6])) / 1000)
    return pct(lat, 99), pct(lat, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--quota", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="app worker processes")
    parser.add_argument("--generators", type=int, default=4, help="load-generator processes")
    args = parser.parse_args()

    with postgres_database() as made:
        if made is None:
            return
        url, dbname = made
        slot = prepare(url, args.quota)
        raw_before = pgbench_burst(dbname, args.requests, args.seconds, clients=16, quota=args.quota, table="raw_a")
        load_before = os.getloadavg()[0]
        server = ServerProcess(url, workers=args.workers)
        server.env["SATUPINTU_RATE_LIMITING"] = "false"  # 1,000 citizens, one test address
        server.env["SATUPINTU_NOTIFY_WORKER"] = "false"
        with server:
            t0 = time.time() + 2.0  # every generator started and connected before the first is due
            interval = args.seconds / args.requests
            queue: mp.Queue = mp.Queue()
            procs = [mp.Process(target=_generator, args=(server.url, slot, list(range(g, args.requests,
                                                                                        args.generators)),
                                                         t0, interval, queue))
                     for g in range(args.generators)]
            for p in procs:
                p.start()
            results = [r for _ in procs for r in queue.get()]
            for p in procs:
                p.join()
            wall = max(0.0, time.time() - t0)
        rows, seats = booked(url)
        load_after = os.getloadavg()[0]
        raw_after = pgbench_burst(dbname, args.requests, args.seconds, clients=16, quota=args.quota, table="raw_b")
    # the raw burst before and after the app's, so a change in the machine's load shows
    raw = None if raw_before is None or raw_after is None else (max(raw_before[0], raw_after[0]),
                                                                max(raw_before[1], raw_after[1]))

    statuses: dict[tuple[int, str], int] = {}
    for status, code, _ in results:
        statuses[(status, code)] = statuses.get((status, code), 0) + 1
    lat = [ms for *_, ms in results]
    accepted = statuses.get((201, ""), 0)
    refused = statuses.get((409, "slot_full"), 0)
    print(f"load average (1 min) before/after the app's burst: {load_before:.1f} / {load_after:.1f}")
    print(f"PostgreSQL, {args.workers} app workers, {args.generators} generator processes, os.cpu_count()="
          f"{os.cpu_count()}: {args.requests} booking requests due within {args.seconds:g} s on one slot "
          f"(quota {args.quota}); all answered {wall:.2f} s after the first was due")
    print("answers: " + ", ".join(f"{s} {c or 'created'}: {n}" for (s, c), n in sorted(statuses.items())))
    ok = accepted == args.quota and refused == args.requests - args.quota and rows == args.quota and seats == args.quota
    print(f"accepted {accepted} (quota {args.quota}), refused cleanly {refused}, bookings in the database {rows}, "
          f"slot's count {seats}: {'OK' if ok else 'WRONG'}")
    print(f"app latency from due time: p50 {pct(lat, 50):.0f} ms  p95 {pct(lat, 95):.0f} ms  "
          f"p99 {pct(lat, 99):.0f} ms  max {max(lat):.0f} ms")
    if raw is not None:
        print(f"raw ceiling (pgbench, same burst, bare seat UPDATE + INSERT, 16 clients; the worse of a run "
              f"before and after the app's): p50 {raw[1]:.1f} ms  p99 {raw[0]:.1f} ms "
              f"(before {raw_before[0]:.1f}, after {raw_after[0]:.1f}); "
              f"app p99 / raw p99 = {pct(lat, 99) / raw[0]:.0f}x")
    print(json.dumps({"accepted": accepted, "refused": refused, "p99_ms": round(pct(lat, 99), 1),
                      "raw_p99_ms": None if raw is None else round(raw[0], 1)}))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
