"""Multi-host benchmark (issue 18): prints figures, asserts nothing.

The national ceiling asked of the topology: 100 tickets/s issued by kiosks plus the calls that
follow (each call-next followed by start and finish at its counter, 100 calls/s), with SSE board
clients watching, through HAProxy (deploy/haproxy/haproxy.cfg) over PgBouncer to one PostgreSQL
and a private Redis. Built with network namespaces on this one machine (tests/multihost.py;
needs root, haproxy, pgbouncer, redis-server, PostgreSQL at 127.0.0.1:5432).

1. Single host: one app host (2 workers) behind the same balancer, the same load, nothing killed.
2. Three hosts (2 workers each), the same load; one host SIGKILLed after --kill-after seconds,
   restarted --down seconds later, and the load goes on until 8 s after the balancer sends it
   traffic again.
3. The raw ceiling of this machine's PostgreSQL in the same run (pgbench, a sequence upsert and
   a row insert per transaction, as bench/queue_bench.py) and each phase's ratio to it; and the
   three-host figures' ratio to the single-host ones (all hosts share this machine's cores, so
   more hosts add no CPU: the ratio says what the topology and the kill cost).

Latency is counted from each request's due time (open loop, as bench/openloop.py), so waiting
in line counts. The SSE boards run in a process of their own (tests/multihost.py
`boards_apart`): reading every event on 30 streams is the generator's heaviest work, and in the
kiosks' and officers' event loop it delayed their requests.
Run: `.venv/bin/python bench/multihost_bench.py [--rate 100] [--seconds 30]`
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.multihost import (  # noqa: E402
    PASSWORD,
    Load,
    LoadResult,
    Topology,
    missing_parts,
    open_counters,
    pct,
    summary,
    tokens,
)

from bench.common import postgres_database  # noqa: E402
from bench.queue_bench import pg_ceiling  # noqa: E402

# Extra Dukcapil counters, so that the generator is not the limit: each counter (and each kiosk)
# is one keep-alive connection whose requests go one after another, as at a real counter. At
# 100 calls/s each of 100 counters calls once a second, and has that second for its call, start
# and finish (with 30 counters it had 0.3 s: any step slower than 100 ms put the counter behind
# its schedule for good, and its later calls counted the whole backlog). A national instance
# has thousands of counters, each calling every few minutes. The same for the kiosks: 100 of
# them, one ticket a second each (with 25, four a second, an answer slower than 250 ms put a
# kiosk behind for good).
COUNTERS = list(range(101, 201))
KIOSKS = 100


def add_counters(db: Any) -> None:
    from satupintu.accounts import service as accounts
    from satupintu.catalogue import service as catalogue
    from satupintu.catalogue.schemas import CounterIn

    manager = accounts.authenticate(db, "pengelola", PASSWORD)
    for n in COUNTERS:
        catalogue.create_counter(db, manager, "lahat", CounterIn(number=n, agency="DUKCAPIL", services=["DKC-01"]))


def phase(hosts: int, args: argparse.Namespace) -> tuple[LoadResult, dict[str, Any]]:
    with Topology(hosts_count=hosts, workers=args.workers, prepare=add_counters) as topo:
        kiosk, officer = tokens(topo.balancer_url)
        open_counters(topo.balancer_url, officer, COUNTERS)
        load = Load(topo.balancer_url, kiosk, officer, COUNTERS, ["DKC-01"], issue_rate=args.rate,
                    call_rate=args.rate, boards=args.boards, kiosks=KIOSKS, boards_apart=True)
        info: dict[str, Any] = {}

        async def kill_and_restart(result: LoadResult) -> None:
            await asyncio.sleep(args.kill_after)
            on_host = Counter(b.connections[-1]["host"] for b in result.boards)
            victim = topo.host(on_host.most_common(1)[0][0]) if on_host else topo.hosts[0]
            info["victim"] = victim.name
            result.marks["kill"] = time.perf_counter()
            await asyncio.to_thread(victim.kill)
            await asyncio.sleep(args.down)
            result.marks["restart"] = time.perf_counter()
            await asyncio.to_thread(victim.start)
            await asyncio.to_thread(victim.wait_ready)
            result.marks["ready"] = time.perf_counter()
            async with httpx.AsyncClient(timeout=5) as c:
                deadline = time.perf_counter() + 30
                while time.perf_counter() < deadline:
                    if (await c.get(topo.balancer_url + "/healthz")).headers.get("x-served-by") == victim.name:
                        result.marks["back"] = time.perf_counter()
                        break
                    await asyncio.sleep(0.1)

        result = asyncio.run(load.run(args.seconds, during=kill_and_restart if hosts > 1 else None))
    return result, info


def ok_latencies(result: LoadResult) -> list[float]:
    return [o.latency_ms for o in result.ops if 200 <= o.status < 300]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100, help="tickets/s, and as many calls/s")
    ap.add_argument("--seconds", type=float, default=30, help="load duration (at least)")
    ap.add_argument("--boards", type=int, default=30, help="SSE board clients")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-after", type=float, default=10)
    ap.add_argument("--down", type=float, default=5)
    args = ap.parse_args()
    problem = missing_parts()
    if problem:
        print(f"skipped: {problem}")
        return
    single, _ = phase(1, args)
    print(f"[1 host x {args.workers} workers] " + summary(single))
    multi, info = phase(3, args)
    print(f"[3 hosts x {args.workers} workers, {info.get('victim')} killed] " + summary(multi))
    m = multi.marks
    print("  kill at {:.1f} s, restart at {:.1f} s, ready at {:.1f} s, back in the balancer at {} "
          "(load ran {:.0f} s)".format(*(m[k] - multi.perf_started for k in ("kill", "restart", "ready")),
                                       f"{m['back'] - multi.perf_started:.1f} s" if "back" in m else "never",
                                       multi.seconds))
    reconnects = sum(max(0, len(b.connections) - 1) for b in multi.boards)
    print(f"  SSE: {len(multi.boards)} boards, {reconnects} reconnections, every board on a stream at the end: "
          f"{all(b.connections[-1]['first_frame'] is not None for b in multi.boards)}")
    s_ops = sum(1 for o in single.ops if 200 <= o.status < 300) / single.seconds
    m_ops = sum(1 for o in multi.ops if 200 <= o.status < 300) / multi.seconds
    s_p99, m_p99 = pct(ok_latencies(single), 99), pct(ok_latencies(multi), 99)
    print(f"three hosts with a kill / one host: throughput {m_ops / s_ops:.2f}x ({m_ops:.0f} vs {s_ops:.0f} ops/s), "
          f"p99 {m_p99 / s_p99:.2f}x ({m_p99:.0f} vs {s_p99:.0f} ms)")
    with postgres_database() as pg:
        if pg:
            ceiling = pg_ceiling(pg[1], 16)
            if ceiling:
                print(f"raw ceiling (pgbench, 16 clients, upsert+insert per transaction): {ceiling:.0f} tx/s; "
                      f"tickets+calls/s are {(len(single.issued) + len(single.called)) / single.seconds / ceiling:.1%} "
                      f"of it on one host, "
                      f"{(len(multi.issued) + len(multi.called)) / multi.seconds / ceiling:.1%} on three")


if __name__ == "__main__":
    main()
