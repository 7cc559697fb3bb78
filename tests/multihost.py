"""Several SatuPintu app hosts on one machine, each in its own Linux network namespace.

The topology of a national deployment (issue 18), built from real parts and torn down again:

    test / bench (root namespace) --> HAProxy 127.0.0.1:P (deploy/haproxy/haproxy.cfg as shipped)
        --> bridge spb<id> 10.A.B.1/24 --> veth --> namespace h1 10.A.B.11:8000  satupintu serve --workers 2
                                                --> namespace h2 10.A.B.12:8000  ...
                                                --> namespace h3 10.A.B.13:8000  ...
    every host --> PgBouncer 10.A.B.1:Q (deploy/pgbouncer/pgbouncer.ini, transaction mode)
               --> PostgreSQL 127.0.0.1:5432 (a database of the run's own)
    every host --> redis-server 10.A.B.1:R (a private one)

Names carry a random id (bridge, veths, namespaces, database), so runs in parallel do not
collide; the subnet is one no interface on the machine uses. Only the run's own namespaces,
bridge and loopback are touched. Everything is removed on exit, after a failure too.
A host is "killed" by SIGKILL to every process in its namespace (`ip netns pids`): its
uvicorn supervisor and both workers, as in a power cut.

Also the load both the test and bench/multihost_bench.py put on it: kiosks issuing tickets at a
fixed rate, officers calling, starting and finishing at their counters, SSE board clients
that reconnect whenever their stream breaks; all through the balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import pgbouncer

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
PG_ADMIN = os.environ.get("SATUPINTU_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
PASSWORD = "multihost-sandi-123"
SECRET = "multihost-secret-key-0123456789abcdef"
APP_PORT = 8000


def missing_parts() -> str | None:
    """Why the topology cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "haproxy", "pgbouncer", "redis-server"):
        if shutil.which(tool) is None and not os.access(f"/usr/sbin/{tool}", os.X_OK):
            return f"{tool} is not installed"
    try:
        engine = create_engine(PG_ADMIN)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return f"PostgreSQL unreachable at {PG_ADMIN}: {exc.__class__.__name__}"
    return None


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _free_subnet() -> str:
    """'10.A.B' of a /24 no interface of this machine has an address in."""
    used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, check=True).stdout
    while True:
        prefix = f"10.{random.randint(160, 250)}.{random.randint(0, 255)}"
        if f" {prefix}." not in used:
            return prefix


def _wait_port(host: str, port: int, proc: subprocess.Popen[bytes], what: str, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{what} did not start: {said}") from None
            time.sleep(0.1)


@dataclass
class AppHost:
    name: str  # also the HAProxy server name: app1, app2, ...
    netns: str
    address: str
    env: dict[str, str]
    log_path: Path
    workers: int = 2
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{APP_PORT}"

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.netns, sys.executable, "-m", "satupintu", "serve", "--host", "0.0.0.0",
                 "--port", str(APP_PORT), "--workers", str(self.workers)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready: {self.log_path.read_text(errors='replace')[-2000:]}")

    def pids(self) -> list[int]:
        out = subprocess.run(["ip", "netns", "pids", self.netns], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def kill(self) -> None:
        """SIGKILL every process of the host at once: no clean shutdown, as in a power cut."""
        for _ in range(5):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)


@dataclass
class Topology:
    hosts_count: int = 3
    workers: int = 2
    app_env: dict[str, str] = field(default_factory=dict)
    prepare: Any = None  # called with the loaded demo's Database before the hosts start
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    hosts: list[AppHost] = field(default_factory=list)
    balancer_url: str = ""
    database_url: str = ""  # straight to PostgreSQL, for checks
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="satupintu-multihost-")))
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _undo: list[tuple[str, ...]] = field(default_factory=list)
    _dbname: str = ""

    # ------------------------------------------------------------------ building
    def __enter__(self) -> Topology:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _build(self) -> None:
        rid = self.run_id
        net = _free_subnet()
        self.gateway = f"{net}.1"
        bridge = f"spb{rid}"
        _run("ip", "link", "add", bridge, "type", "bridge")
        self._undo.append(("ip", "link", "del", bridge))
        _run("ip", "addr", "add", f"{self.gateway}/24", "dev", bridge)
        _run("ip", "link", "set", bridge, "up")
        namespaces = []
        for i in range(1, self.hosts_count + 1):
            ns, veth = f"satupintu-{rid}-h{i}", f"spv{rid}{i}"
            _run("ip", "netns", "add", ns)
            self._undo.append(("ip", "netns", "del", ns))
            _run("ip", "link", "add", f"{veth}a", "type", "veth", "peer", "name", f"{veth}b")
            self._undo.append(("ip", "link", "del", f"{veth}a"))  # gone with the namespace, usually
            _run("ip", "link", "set", f"{veth}a", "master", bridge)
            _run("ip", "link", "set", f"{veth}a", "up")
            _run("ip", "link", "set", f"{veth}b", "netns", ns)
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            _run("ip", "-n", ns, "addr", "add", f"{net}.{10 + i}/24", "dev", f"{veth}b")
            _run("ip", "-n", ns, "link", "set", f"{veth}b", "up")
            namespaces.append((ns, f"{net}.{10 + i}"))
        self._database()
        redis_port = self._redis()
        bouncer_port = self._pgbouncer()
        url = make_url(self.database_url).set(host=self.gateway, port=bouncer_port)
        env = dict(os.environ, SATUPINTU_DATABASE_URL=url.render_as_string(hide_password=False),
                   SATUPINTU_DATABASE_PREPARE_THRESHOLD="none", SATUPINTU_SECRET_KEY=SECRET,
                   SATUPINTU_REDIS_URL=f"redis://{self.gateway}:{redis_port}/0",
                   SATUPINTU_FORWARDED_ALLOW_IPS=self.gateway, SATUPINTU_LOG_LEVEL="WARNING",
                   PYTHONPATH=str(ROOT / "src"), **self.app_env)
        for i, (ns, address) in enumerate(namespaces, start=1):
            self.hosts.append(AppHost(f"app{i}", ns, address, env, self.folder / f"app{i}.log", self.workers))
        for h in self.hosts:
            h.start()
        for h in self.hosts:
            h.wait_ready()
        self._haproxy()

    def _database(self) -> None:
        from bench.common import open_all_day

        from satupintu.db import Database
        from satupintu.demo.loader import load_demo
        from satupintu.migrate import upgrade

        self._dbname = f"sp_multihost_{self.run_id}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self._dbname}"'))
        admin.dispose()
        self.database_url = make_url(PG_ADMIN).set(database=self._dbname).render_as_string(hide_password=False)
        upgrade(self.database_url)
        db = Database(self.database_url)
        try:
            load_demo(db, PASSWORD, history=False)
            open_all_day(db)
            if self.prepare is not None:
                self.prepare(db)
        finally:
            db.dispose()

    def _spawn(self, cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
        with open(log, "ab") as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        self._procs.append(proc)
        return proc

    def _redis(self) -> int:
        port = _free_port(self.gateway)
        log = self.folder / "redis.log"
        proc = self._spawn(["redis-server", "--port", str(port), "--bind", self.gateway, "--save", "",
                            "--appendonly", "no", "--protected-mode", "no"], log)
        _wait_port(self.gateway, port, proc, "redis-server", log)
        return port

    def _pgbouncer(self) -> int:
        """The shipped ini, with only its addresses, files and authentication changed for the run."""
        user = make_url(PG_ADMIN).username or pwd.getpwuid(os.geteuid()).pw_name
        folder = self.folder / "pgbouncer"
        folder.mkdir()
        self.folder.chmod(0o755)  # mkdtemp's 0700 keeps the postgres user out
        port = _free_port(self.gateway)
        ini = pgbouncer.write_config(folder, listen_addr=self.gateway, port=port, user=user,
                                     databases={self._dbname: f"host=127.0.0.1 port=5432 dbname={self._dbname}"})
        proc = self._spawn(pgbouncer.command(ini), self.folder / "pgb.out")
        _wait_port(self.gateway, port, proc, "PgBouncer", folder / "pgbouncer.log")
        return port

    def _haproxy(self) -> None:
        """deploy/haproxy/haproxy.cfg exactly as shipped; only its environment variables are the run's."""
        port = _free_port("127.0.0.1")
        env = dict(os.environ, SATUPINTU_HAPROXY_BIND=f"127.0.0.1:{port}")
        for h in self.hosts:
            env[f"SATUPINTU_{h.name.upper()}"] = f"{h.address}:{APP_PORT}"
        for i in range(len(self.hosts) + 1, 4):  # the shipped file names three hosts
            env[f"SATUPINTU_APP{i}"] = f"{self.gateway}:9"  # nothing listens: marked down at once
        log = self.folder / "haproxy.log"
        with open(log, "ab") as fh:
            proc = subprocess.Popen(["haproxy", "-db", "-f", str(HAPROXY_CFG)], env=env, stdout=fh,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self._procs.append(proc)
        _wait_port("127.0.0.1", port, proc, "HAProxy", log)
        self.balancer_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20  # every host passed its health check: answers from each
        seen: set[str] = set()
        while seen != {h.name for h in self.hosts} and time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                seen.add(httpx.get(self.balancer_url + "/healthz", timeout=2).headers.get("x-served-by", ""))
            time.sleep(0.05)

    # ------------------------------------------------------------------ tearing down
    def close(self) -> None:
        for h in self.hosts:
            with contextlib.suppress(Exception):
                h.kill()
        for proc in self._procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        for cmd in reversed(self._undo):
            subprocess.run(cmd, capture_output=True, timeout=30)
        self._undo.clear()
        if self._dbname:
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with contextlib.suppress(Exception), admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._dbname}" WITH (FORCE)'))
            admin.dispose()
            self._dbname = ""
        if not os.environ.get("SATUPINTU_KEEP_MULTIHOST_LOGS"):
            shutil.rmtree(self.folder, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.folder.glob("*.log")))

    def host(self, name: str) -> AppHost:
        return next(h for h in self.hosts if h.name == name)


# ---------------------------------------------------------------------- the load


@dataclass
class Op:
    kind: str  # issue, call-next, start, finish
    due: float  # perf_counter() when the schedule wanted it sent
    latency_ms: float
    status: int  # 0: no answer (connection broke)
    at: float  # perf_counter() when the answer came


@dataclass
class BoardClient:
    """One SSE screen: what it knows of the calls, and what its board shows now."""

    index: int
    connections: list[dict[str, Any]] = field(default_factory=list)  # host, opened, first_frame, broke
    known_calls: set[str] = field(default_factory=set)  # ticket numbers seen called (events or snapshots)
    shown: dict[int, tuple[str, str] | None] = field(default_factory=dict)  # counter -> (ticket, status)
    snapshots: int = 0
    last_frame: float = 0.0
    last_id: str = ""  # the SSE `id:` of the last event, when the bus gives ids

    def take(self, event: str, data: dict[str, Any]) -> None:
        if event == "snapshot":
            self.snapshots += 1
            self.known_calls.update(c["number"] for c in data["recent_calls"])
            self.shown = {c["number"]: (c["ticket"], c["status"]) if c["ticket"] else None for c in data["counters"]}
            self.known_calls.update(c["ticket"] for c in data["counters"] if c["ticket"])
        elif event.startswith("ticket.") and data.get("counter") is not None:
            counter, number, status = int(data["counter"]), data["number"], data["status"]
            if event in ("ticket.called", "ticket.recalled"):
                self.known_calls.add(number)
            if status in ("called", "serving"):
                self.shown[counter] = (number, status)
            elif (self.shown.get(counter) or ("",))[0] == number:
                self.shown[counter] = None


@dataclass
class LoadResult:
    ops: list[Op] = field(default_factory=list)
    issued: list[dict[str, Any]] = field(default_factory=list)  # every 201 body
    called: list[str] = field(default_factory=list)  # every number a call-next answered with
    boards: list[BoardClient] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)  # perf_counter() of kill, restart, ready
    wall_started: float = 0.0  # time.time() at perf_counter() == perf_started
    perf_started: float = 0.0  # the load's start
    seconds: float = 0.0  # how long it ran

    def wall(self, perf: float) -> float:
        return self.wall_started + (perf - self.perf_started)


def _request(host: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Conn:
    """One keep-alive HTTP/1.1 connection to the balancer, opened again when it breaks."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            self.writer.write(raw)
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
            status = int(head.split(b" ", 2)[1])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await self.reader.readexactly(length) if length else b""
            if close:
                self.close()
            return status, body
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            return 0, b""

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def watch_board(base: str, site: str, client: BoardClient, stop: asyncio.Event) -> None:
    """One SSE screen through the balancer until `stop`: it reconnects whenever its stream
    breaks, sending the last event id it saw, as EventSource does."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as c:
        while not stop.is_set():
            info: dict[str, Any] = {"opened": time.perf_counter(), "host": None, "first_frame": None,
                                    "broke": None}
            client.connections.append(info)
            headers = {"Last-Event-ID": client.last_id} if client.last_id else {}
            try:
                async with c.stream("GET", f"{base}/api/v1/sites/{site}/events", headers=headers) as r:
                    info["host"] = r.headers.get("x-served-by")
                    if r.status_code != 200:
                        raise httpx.TransportError(f"status {r.status_code}")
                    event = "message"
                    async for line in r.aiter_lines():
                        if line.startswith("event:"):
                            event = line.split(":", 1)[1].strip()
                        elif line.startswith("id:"):
                            client.last_id = line.split(":", 1)[1].strip()
                        elif line.startswith("data:"):
                            client.last_frame = time.perf_counter()
                            if info["first_frame"] is None:
                                info["first_frame"] = client.last_frame
                            client.take(event, json.loads(line.split(":", 1)[1]))
                        if stop.is_set():
                            return
            except (httpx.HTTPError, json.JSONDecodeError):
                pass
            info["broke"] = time.perf_counter()
            await asyncio.sleep(0.2 + random.random() * 0.3)  # as EventSource's retry


def _board_process(base: str, site: str, count: int, ready: Any, stop: Any, out: Any) -> None:
    """A process of its own for the screens (multiprocessing, spawned): reading and decoding every
    event for dozens of streams is the generator's heaviest work, and in the kiosks' and
    officers' event loop it would delay their requests past their due times. Every 0.5 s it
    sends each screen's connections (hosts, opened, broke) so far, and at the end the screens."""
    async def main() -> None:
        clients = [BoardClient(i) for i in range(count)]
        halt = asyncio.Event()
        tasks = [asyncio.create_task(watch_board(base, site, b, halt)) for b in clients]
        deadline = time.perf_counter() + 30
        while any(b.snapshots == 0 for b in clients) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        ready.set()
        while not stop.is_set():
            out.put(("connections", [b.connections for b in clients]))
            await asyncio.sleep(0.5)
        halt.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put(("boards", clients))

    asyncio.run(main())


@dataclass
class Load:
    base: str
    kiosk_token: str
    officer_token: str
    counters: list[int]
    services: list[str]
    issue_rate: float  # tickets per second, in all
    call_rate: float  # call-next (each followed by start and finish) per second, in all
    boards: int = 0
    kiosks: int = 4
    site: str = "lahat"
    # The screens in a process of their own (the bench: the generator must not be the limit);
    # in this one, the test's default, their state is current at every moment.
    boards_apart: bool = False

    async def run(self, seconds: float, during: Any = None, after: float = 8) -> LoadResult:
        """The load for `seconds`; `during(result)` (a coroutine function) runs beside it (the kill
        and the restart), and the load goes on until `after` seconds past its end."""
        host, _, port_s = self.base.removeprefix("http://").partition(":")
        port = int(port_s)
        hostport = f"{host}:{port}"
        result = LoadResult(perf_started=time.perf_counter(), wall_started=time.time())
        stop = asyncio.Event()
        start = time.perf_counter() + 0.3
        until = start + seconds  # moved on when `during` ends late

        def record(kind: str, due: float, status: int) -> float:
            now = time.perf_counter()
            result.ops.append(Op(kind, due, (now - due) * 1000, status, now))
            return now

        async def kiosk(i: int) -> None:
            conn = _Conn(host, port)
            interval = self.kiosks / self.issue_rate
            j = 0
            while (due := start + i * interval / self.kiosks + j * interval) < until:
                j += 1
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                service = self.services[(i + j) % len(self.services)]
                status, body = await conn.send(_request(
                    hostport, "POST", f"/api/v1/sites/{self.site}/tickets",
                    {"X-Device-Token": self.kiosk_token, "Content-Type": "application/json"},
                    json.dumps({"service": service}).encode()))
                record("issue", due, status)
                if status == 201:
                    result.issued.append(json.loads(body))
            conn.close()

        async def officer(i: int, counter: int) -> None:
            conn = _Conn(host, port)
            auth = {"Authorization": f"Bearer {self.officer_token}"}
            interval = len(self.counters) / self.call_rate
            path = f"/api/v1/sites/{self.site}/counters/{counter}"
            j = 0
            while (due := start + i * interval / len(self.counters) + j * interval) < until:
                j += 1
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                status, body = await conn.send(_request(hostport, "POST", f"{path}/call-next", auth))
                now = record("call-next", due, status)
                if status == 200 and body.strip() == b"null":
                    continue
                if status == 200:
                    result.called.append(json.loads(body)["number"])
                # Start and finish; after a lost answer (or a refusal: the counter still holds the
                # ticket whose answer was lost) the same two steps bring the counter back to free.
                for step in ("start", "finish"):
                    status, _ = await conn.send(_request(hostport, "POST", f"{path}/{step}", auth))
                    now = record(step, now, status)
            conn.close()

        result.boards = [BoardClient(i) for i in range(self.boards)]
        board_tasks: list[asyncio.Task[None]] = []
        apart: Any = None
        if self.boards and self.boards_apart:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            ready, halt, out = ctx.Event(), ctx.Event(), ctx.Queue()
            apart = ctx.Process(target=_board_process, args=(self.base, self.site, self.boards, ready, halt, out),
                                daemon=True)
            apart.start()
            await asyncio.to_thread(ready.wait, 60)

            async def follow() -> None:
                while True:
                    try:
                        kind, value = await asyncio.to_thread(out.get, True, 1)
                    except queue.Empty:
                        if not apart.is_alive():
                            return
                        continue
                    if kind == "boards":
                        result.boards = value
                        return
                    for b, connections in zip(result.boards, value, strict=True):
                        b.connections = connections

            board_tasks.append(asyncio.create_task(follow()))
        else:
            board_tasks = [asyncio.create_task(watch_board(self.base, self.site, b, stop)) for b in result.boards]
        deadline = time.perf_counter() + 30
        while not apart and any(b.snapshots == 0 for b in result.boards) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        start = time.perf_counter() + 0.3
        until = start + seconds if during is None else float("inf")
        result.perf_started, result.wall_started = start, time.time() + 0.3

        async def beside() -> None:
            nonlocal until
            await during(result)
            until = max(start + seconds, time.perf_counter() + after)

        workers = [kiosk(i) for i in range(self.kiosks)] + [officer(i, n) for i, n in enumerate(self.counters)]
        if during is not None:
            workers.append(beside())
        await asyncio.gather(*workers)
        result.seconds = time.perf_counter() - start
        await asyncio.sleep(3)  # the last calls reach the screens
        stop.set()
        if apart is not None:
            halt.set()
            await asyncio.wait_for(board_tasks[0], 60)  # the screens as the process saw them
            await asyncio.to_thread(apart.join, 10)
        for t in board_tasks:
            t.cancel()
        await asyncio.gather(*board_tasks, return_exceptions=True)
        return result


def tokens(base: str, officer: str = "petugas.dukcapil") -> tuple[str, str]:
    """(kiosk device token, officer bearer token), made through the balancer."""
    with httpx.Client(base_url=base, timeout=30) as c:
        def login(user: str) -> str:
            r = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
            r.raise_for_status()
            return str(r.json()["access_token"])

        manager = {"Authorization": "Bearer " + login("pengelola")}
        r = c.post("/api/v1/sites/lahat/devices", headers=manager, json={"kind": "kiosk", "name": "Kios multihost"})
        r.raise_for_status()
        return str(r.json()["token"]), login(officer)


def open_counters(base: str, officer_token: str, counters: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=30) as c:
        for n in counters:
            c.post(f"/api/v1/sites/lahat/counters/{n}/open",
                   headers={"Authorization": f"Bearer {officer_token}"}).raise_for_status()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def summary(result: LoadResult) -> str:
    """Throughput and latency of the load (answered operations; no answer and 5xx counted apart)."""
    seconds = result.seconds
    ok = [o for o in result.ops if 200 <= o.status < 300]
    failed = len(result.ops) - len(ok)
    lines = [f"{len(ok) / seconds:.1f} ops/s answered 2xx ({len(result.issued) / seconds:.1f} tickets/s, "
             f"{len(result.called) / seconds:.1f} calls/s), {failed} not 2xx; latency from due time "
             f"p50 {pct([o.latency_ms for o in ok], 50):.0f} ms, p99 {pct([o.latency_ms for o in ok], 99):.0f} ms"]
    for kind in ("issue", "call-next", "start", "finish"):
        lat = [o.latency_ms for o in ok if o.kind == kind]
        codes: dict[int, int] = {}
        for o in result.ops:
            if o.kind == kind:
                codes[o.status] = codes.get(o.status, 0) + 1
        lines.append(f"  {kind:9} n={len(lat):5}  p50 {pct(lat, 50):6.0f} ms  p99 {pct(lat, 99):6.0f} ms  "
                     f"statuses {dict(sorted(codes.items()))}")
    return "\n".join(lines)
