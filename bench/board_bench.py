"""Display-board fan-out benchmark: prints figures, asserts nothing.

Opens N server-sent-event clients on one site's stream (default 200, as many boards and phones
as a large mall might have), waits until each has its snapshot, then has an officer call a
number and measures, per client, the delay from the officer's call request to the event's
arrival: p50, p95 and max. Runs against `satupintu serve` on SQLite, with one worker and the
in-process bus, and with two workers sharing events through Redis when it is reachable.

Run: `.venv/bin/python bench/board_bench.py [--clients 200] [--calls 5]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.procserver import ServerProcess  # noqa: E402

from bench.common import open_all_day, pct  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402

PASSWORD = "bench-password-123"


async def listener(c: httpx.AsyncClient, base: str, arrivals: dict[str, float], ready: asyncio.Event,
                   counter: list[int], n: int) -> None:
    async with c.stream("GET", f"{base}/api/v1/sites/lahat/events") as r:
        event = None
        async for line in r.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                if event == "snapshot":
                    counter[0] += 1
                    if counter[0] == n:
                        ready.set()
                elif event == "ticket.called":
                    number = json.loads(line.split(":", 1)[1])["number"]
                    arrivals.setdefault(number, time.perf_counter())
                    if arrivals.get("__stop__"):
                        return


async def run(base: str, clients: int, calls: int) -> list[float]:
    ready = asyncio.Event()
    counter = [0]
    per_client: list[dict[str, float]] = [{} for _ in range(clients)]
    # One client for every listener, without a connection limit: a client each built 2,000 TLS
    # contexts (certifi's bundle loaded 2,000 times) and that, not the server, kept the last
    # snapshots from arriving within the minute (bench/sse_bench.py splits the load further).
    shared = httpx.AsyncClient(timeout=None, limits=httpx.Limits(max_connections=None, max_keepalive_connections=None))
    tasks = [asyncio.create_task(listener(shared, base, per_client[i], ready, counter, clients))
             for i in range(clients)]
    await asyncio.wait_for(ready.wait(), 60)
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        tok = (await c.post("/api/v1/auth/token", json={"username": "pengelola", "password": PASSWORD})).json()
        manager = {"Authorization": "Bearer " + tok["access_token"]}
        kiosk = {"X-Device-Token": (await c.post("/api/v1/sites/lahat/devices", headers=manager,
                                                 json={"kind": "kiosk", "name": "b"})).json()["token"]}
        tok = (await c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": PASSWORD})).json()
        officer = {"Authorization": "Bearer " + tok["access_token"]}
        await c.post("/api/v1/sites/lahat/counters/4/open", headers=officer)
        for _ in range(calls):
            await c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
            sent = time.perf_counter()  # the officer presses "call next"
            r = await c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer)
            number = r.json()["number"]
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and sum(number in a for a in per_client) < clients:
                await asyncio.sleep(0.005)
            delays += [(a[number] - sent) * 1000 for a in per_client if number in a]
            missing = clients - sum(number in a for a in per_client)
            if missing:
                print(f"  {missing} clients did not receive {number} within 10 s")
            await c.post("/api/v1/sites/lahat/counters/4/no-show", headers=officer)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await shared.aclose()
    return delays


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--calls", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/board.db"
        upgrade(url)
        db = Database(url)
        load_demo(db, PASSWORD)
        open_all_day(db)
        db.dispose()
        setups = [("1 worker, in-process bus", 1, None)]
        try:
            import redis

            redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
            setups.append(("2 workers, Redis pub/sub", 2, "redis://127.0.0.1:6379/0"))
        except Exception as exc:
            print(f"Redis unreachable ({exc.__class__.__name__}): two-worker run skipped")
        for label, workers, redis_url in setups:
            with ServerProcess(url, workers=workers, redis_url=redis_url) as server:
                delays = asyncio.run(run(server.url, args.clients, args.calls))
            print(f"[board] {args.clients} SSE clients, {label}: call-to-screen delay "
                  f"p50 {pct(delays, 50):.1f} ms, p95 {pct(delays, 95):.1f} ms, max {max(delays):.1f} ms "
                  f"({len(delays)} deliveries of {args.clients * args.calls})")


if __name__ == "__main__":
    main()
