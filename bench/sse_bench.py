"""Thousands of live boards on one app process: fan-out and reconnect storm. Prints, asserts nothing.

Fan-out: N server-sent-event streams (default 5,000) on one site of one `satupintu serve`
process (in-process bus), opened by several generator processes (each an asyncio loop on raw
sockets, so the generator is not the bound: its processes' CPU is printed). Once every stream has
its snapshot, a caller makes calls at a steady rate (issue a ticket, call it, mark it no-show:
three events a call); for each stream and call the delay from the call request to the
`ticket.called` frame's arrival gives p50 / p95 / max, and every call a stream never received is
a missed delivery. The server process's RSS before the streams and after gives memory per stream.

Storm: M streams (default 1,000) connect at the same instant (every generator process starts at
one agreed clock time): the time until each has its snapshot, p50 / p95 / max (max: every client
has a current snapshot).

Ceiling: the same generator against a bare asyncio (uvloop, as uvicorn runs) server in its own
process that accepts the same requests, sends a snapshot of the same size at once and writes the
same kind of frames to every stream; the ratio app / ceiling is printed beside each figure.

Run: `.venv/bin/python bench/sse_bench.py [--clients 5000] [--storm 1000] [--calls 20] [--rate 1]
[--procs 4] [--db sqlite|postgresql|both]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.procserver import ServerProcess  # noqa: E402

from bench.common import open_all_day, pct, postgres_database  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402

PASSWORD = "bench-password-123"
PATH = "/api/v1/sites/lahat/events"
CALLED = re.compile(rb'event: ticket\.called\r\ndata: \{[^\r]*?"number": "([^"]+)"')


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---------------------------------------------------------------- the generator (one process)

async def one_stream(port: int, path: str, out: dict[str, Any], start_at: float, ready: Any) -> None:
    delay = start_at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
    for attempt in range(20):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            break
        except OSError:
            await asyncio.sleep(0.05 * (attempt + 1))
    else:
        out["error"] = "connect"
        return
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    arrivals: dict[str, float] = out["arrivals"]
    tail = b""
    while True:
        data = await reader.read(65536)
        if not data:
            out["error"] = "closed"
            return
        now = time.monotonic()
        buf = tail + data
        cut = buf.rfind(b"\r\n\r\n")
        if cut < 0:
            tail = buf
            continue
        whole, tail = buf[:cut + 4], buf[cut + 4:]
        if "snapshot" not in out and b"event: snapshot" in whole:
            out["snapshot"] = now
            with ready.get_lock():
                ready.value += 1
        for m in CALLED.finditer(whole):
            arrivals.setdefault(m.group(1).decode(), now)


def generator(port: int, path: str, n: int, spread: float, sync: tuple[Any, Any, Any], stop: Any, results: Any,
              index: int) -> None:
    raise_open_files()
    import uvloop

    up, go, ready = sync

    async def main() -> None:
        with up.get_lock():
            up.value += 1
        while go.value == 0:  # every generator process starts from one agreed clock time
            await asyncio.sleep(0.01)
        start_at = go.value
        cpu0 = os.times()
        outs: list[dict[str, Any]] = [{"arrivals": {}} for _ in range(n)]
        tasks = [asyncio.create_task(one_stream(port, path, o, start_at + spread * i / max(1, n), ready))
                 for i, o in enumerate(outs)]
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        cpu = os.times()
        results.put((index, [(o.get("snapshot"), o["arrivals"], o.get("error")) for o in outs],
                     cpu.user + cpu.system - cpu0.user - cpu0.system, time.monotonic() - start_at))

    uvloop.run(main())


class Generators:
    """`procs` generator processes holding `n` streams in all, opened over `spread` seconds
    (0: all at once) from one clock time set once every process is up (`start()`)."""

    def __init__(self, port: int, path: str, n: int, procs: int, spread: float) -> None:
        ctx = mp.get_context("spawn")
        self.stop, self.results = ctx.Event(), ctx.Queue()
        self.up, self.go, self.ready = ctx.Value("i", 0), ctx.Value("d", 0.0), ctx.Value("i", 0)
        self.n = n
        shares = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
        self.procs = [ctx.Process(target=generator, args=(port, path, k, spread, (self.up, self.go, self.ready),
                                                          self.stop, self.results, i))
                      for i, k in enumerate(shares)]
        for p in self.procs:
            p.start()

    def start(self) -> float:
        deadline = time.monotonic() + 120
        while self.up.value < len(self.procs) and time.monotonic() < deadline:
            time.sleep(0.05)
        at = time.monotonic() + 0.5
        self.go.value = at
        return at

    def finish(self) -> tuple[list[tuple[float | None, dict[str, float], str | None]], list[float]]:
        """Each stream's (snapshot time, arrival per called number, error), and each process's
        CPU share over its run."""
        self.stop.set()
        streams, cpu = [], []
        for _ in self.procs:
            _, outs, used, wall = self.results.get(timeout=120)
            streams += outs
            cpu.append(used / wall)
        for p in self.procs:
            p.join(10)
        return streams, cpu


# ---------------------------------------------------------------- the ceiling: a bare asyncio SSE server

def bare_server(port: int, snapshot: bytes, ready: Any) -> None:
    import uvloop

    streams: set[asyncio.StreamWriter] = set()
    seq = [0]

    def frame(kind: str, number: str) -> bytes:
        seq[0] += 1
        data = json.dumps({"type": kind, "number": number, "site": "lahat", "counter": 4, "status": kind,
                           "service": "DKC-01", "ticket_id": "0" * 32, "at": "2026-12-04T10:00:00+00:00"})
        return f"id: {int(time.time() * 1000)}-{seq[0]}\r\nevent: {kind}\r\ndata: {data}\r\n\r\n".encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode()
        if path.startswith("/events"):
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-store\r\n\r\n"
                         + b"id: 0-1\r\nevent: snapshot\r\ndata: " + snapshot + b"\r\n\r\n")
            streams.add(writer)
            try:
                await reader.read()
            finally:
                streams.discard(writer)
            return
        kind, _, number = path.lstrip("/").partition("/")
        data = frame(kind, number)
        for w in list(streams):
            w.write(data)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    raise_open_files()
    uvloop.run(main())


# ---------------------------------------------------------------- callers

class AppCaller:
    def __init__(self, base: str) -> None:
        self.c = httpx.AsyncClient(base_url=base, timeout=30)

    async def prepare(self) -> None:
        tok = (await self.c.post("/api/v1/auth/token", json={"username": "pengelola", "password": PASSWORD})).json()
        manager = {"Authorization": "Bearer " + tok["access_token"]}
        self.kiosk = {"X-Device-Token": (await self.c.post("/api/v1/sites/lahat/devices", headers=manager,
                                                           json={"kind": "kiosk", "name": "b"})).json()["token"]}
        tok = (await self.c.post("/api/v1/auth/token",
                                 json={"username": "petugas.dukcapil", "password": PASSWORD})).json()
        self.officer = {"Authorization": "Bearer " + tok["access_token"]}
        await self.c.post("/api/v1/sites/lahat/counters/4/open", headers=self.officer)

    async def call(self, i: int) -> tuple[str, float]:
        await self.c.post("/api/v1/sites/lahat/tickets", headers=self.kiosk, json={"service": "DKC-01"})
        sent = time.monotonic()
        number = (await self.c.post("/api/v1/sites/lahat/counters/4/call-next", headers=self.officer)).json()["number"]
        await self.c.post("/api/v1/sites/lahat/counters/4/no-show", headers=self.officer)
        return number, sent


class BareCaller(AppCaller):
    async def prepare(self) -> None:
        pass

    async def call(self, i: int) -> tuple[str, float]:
        number = f"C-{i:03d}"
        await self.c.get(f"/ticket.issued/{number}")
        sent = time.monotonic()
        await self.c.get(f"/ticket.called/{number}")
        await self.c.get(f"/ticket.no_show/{number}")
        return number, sent


# ---------------------------------------------------------------- one run

def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fan_out(port: int, path: str, pid: int, caller: AppCaller, clients: int, procs: int, calls: int,
                  rate: float) -> dict[str, Any]:
    await caller.prepare()
    before = rss_kib(pid)
    gens = Generators(port, path, clients, procs, spread=min(20.0, clients / 500))
    await asyncio.to_thread(gens.start)
    deadline = time.monotonic() + 120
    while gens.ready.value < clients and time.monotonic() < deadline:  # every stream has its snapshot
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)
    after = rss_kib(pid)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    sent: dict[str, float] = {}
    for i in range(calls):
        due = t0 + i / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        number, at = await caller.call(i)
        sent[number] = at
    await asyncio.sleep(5.0)  # the last deliveries
    server_cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
    streams, gen_cpu = gens.finish()
    delays, missed, no_snapshot, errors = [], 0, 0, 0
    for snap, arrivals, error in streams:
        no_snapshot += snap is None
        errors += error is not None
        for number, at in sent.items():
            if number in arrivals:
                delays.append((arrivals[number] - at) * 1000)
            else:
                missed += 1
    return {"delays": delays, "missed": missed, "no_snapshot": no_snapshot, "errors": errors,
            "per_stream_kib": (after - before) / clients, "rss_mib": (before / 1024, after / 1024),
            "server_cpu": server_cpu, "gen_cpu": gen_cpu, "deliveries": len(delays),
            "expected": clients * len(sent)}


def storm(port: int, path: str, clients: int, procs: int, wait: float = 15.0) -> dict[str, Any]:
    gens = Generators(port, path, clients, procs, spread=0.0)
    start_at = gens.start()
    deadline = start_at + wait  # a stream without its snapshot by then counts as without
    while gens.ready.value < clients and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    streams, gen_cpu = gens.finish()
    got = [snap - start_at for snap, _, _ in streams if snap is not None]
    return {"got": got, "without": clients - len(got), "gen_cpu": gen_cpu}


def describe(label: str, f: dict[str, Any], ceiling: dict[str, Any]) -> None:
    d, c = f["delays"], ceiling["delays"]
    p95, cp95 = pct(d, 95), pct(c, 95)
    print(f"[sse] {label}:")
    print(f"  call-to-screen p50 {pct(d, 50):.0f} ms, p95 {p95:.0f} ms, max {max(d, default=float('nan')):.0f} ms; "
          f"{f['deliveries']} of {f['expected']} delivered, {f['missed']} missed, "
          f"{f['no_snapshot']} streams without a snapshot, {f['errors']} closed")
    print(f"  ceiling (bare asyncio, same generator): p50 {pct(c, 50):.0f} ms, p95 {cp95:.0f} ms, "
          f"max {max(c, default=float('nan')):.0f} ms, {ceiling['missed']} missed; p95 ratio {p95 / cp95:.1f}x")
    print(f"  server RSS {f['rss_mib'][0]:.0f} -> {f['rss_mib'][1]:.0f} MiB: {f['per_stream_kib']:.1f} KiB per stream "
          f"(ceiling {ceiling['per_stream_kib']:.1f} KiB); server CPU during the calls {f['server_cpu']:.0%} "
          f"(ceiling {ceiling['server_cpu']:.0%}); generator processes' CPU "
          + ", ".join(f"{x:.0%}" for x in f["gen_cpu"]))


def describe_storm(label: str, s: dict[str, Any], ceiling: dict[str, Any]) -> None:
    g, c = s["got"], ceiling["got"]
    print(f"[storm] {label}: {len(g)} connecting at once, snapshot after p50 {pct(g, 50):.2f} s, "
          f"p95 {pct(g, 95):.2f} s, every one {max(g, default=float('nan')):.2f} s ({s['without']} without); "
          f"ceiling p50 {pct(c, 50):.2f} s, p95 {pct(c, 95):.2f} s, max {max(c, default=float('nan')):.2f} s; "
          f"ratio (max) {max(g, default=0) / max(max(c, default=1), 1e-3):.1f}x; generator CPU "
          + ", ".join(f"{x:.0%}" for x in s["gen_cpu"]))


def run_app(url: str, label: str, args: argparse.Namespace, ceiling: dict[str, Any], storm_ceiling: dict[str, Any]
            ) -> None:
    upgrade(url)
    db = Database(url)
    load_demo(db, PASSWORD)
    open_all_day(db)
    db.dispose()
    with ServerProcess(url, workers=1) as server:
        assert server.proc is not None
        f = asyncio.run(fan_out(server.port, PATH, server.proc.pid, AppCaller(server.url), args.clients, args.procs,
                                args.calls, args.rate))
    print(f"load average {loadavg()}")
    describe(f"{args.clients} streams, 1 process, {label}", f, ceiling)
    with ServerProcess(url, workers=1) as server:
        s = storm(server.port, PATH, args.storm, args.procs)
    describe_storm(f"1 process, {label}", s, storm_ceiling)
    print(f"load average {loadavg()}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--storm", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--rate", type=float, default=1.0, help="calls a second")
    ap.add_argument("--procs", type=int, default=4, help="generator processes")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    raise_open_files()
    # The ceiling first: a snapshot the size of the app's board.
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/size.db"
        upgrade(url)
        db = Database(url)
        load_demo(db, PASSWORD)
        db.dispose()
        with ServerProcess(url, workers=1) as server:
            snapshot = httpx.get(server.url + "/api/v1/sites/lahat/board").content
    port = free_port()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    bare = ctx.Process(target=bare_server, args=(port, snapshot, ready), daemon=True)
    bare.start()
    ready.wait(20)
    try:
        assert bare.pid is not None
        ceiling = asyncio.run(fan_out(port, "/events", bare.pid, BareCaller(f"http://127.0.0.1:{port}"), args.clients,
                                      args.procs, args.calls, args.rate))
        storm_ceiling = storm(port, "/events", args.storm, args.procs)
    finally:
        bare.kill()
        bare.join(5)
    print(f"ceiling measured; load average {loadavg()}")

    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_app(f"sqlite:///{tmp}/sse.db", "SQLite", args, ceiling, storm_ceiling)
    if args.db in ("postgresql", "both"):
        with postgres_database() as pg:
            if pg is not None:
                run_app(pg[0], "PostgreSQL", args, ceiling, storm_ceiling)


if __name__ == "__main__":
    main()
