"""Queue cost in CPU instructions, old code against new, in one run: prints figures, asserts nothing.

Wall-clock benchmarks on a shared 2-core machine swing by 2x from run to run (queue_bench.py
prints its pgbench ceiling for that reason). Instructions counted by valgrind's callgrind do not
depend on what else the machine is doing, so this compares two versions of the code exactly:

- a fixed workload through the queue's service layer on SQLite, in one process: a kiosk issues a
  ticket, an officer calls it, starts and finishes it (4 use cases per visitor);
- each version is run with N1 and N2 visitors; (I(N2) - I(N1)) / (N2 - N1) is the cost of one
  visitor with start-up (imports, the demo site) cancelled out;
- the ceiling is the same difference for a bare sqlite3 loop doing a comparable write
  transaction per visitor (sequence upsert + ticket row insert + update), and the ratio to it.

With `--http` the same visitors also go through the real ASGI app in-process, as `satupintu serve`
builds it (create_app: its middleware stack, its lifespan, on SQLite): a kiosk's POST .../tickets
with X-Device-Token, an officer's call-next, start and finish with a bearer token, each a direct
ASGI call (no client library, no socket). That figure adds routing, dependencies, validation,
middlewares and serialisation to the service layer's; the background workers (notifications,
webhooks, unit sync, day closer) are off so that nothing runs on a timer while it is counted.
`--profile N` runs that HTTP workload natively under cProfile with N visitors and prints the
functions that cost most (no valgrind needed).

Run: `.venv/bin/python bench/queue_instructions.py [--before REF] [--after REF] [--n1 10] [--n2 40] [--http]`
`[--profile N]`
(--after: measure a revision's src/ instead of the working tree's, so the tree can change meanwhile.)
(REF: a git revision whose src/ is the "before" code, e.g. the commit before a refactor; needs
valgrind from Debian.)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import sys
from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
url = "sqlite:///" + sys.argv[1]
upgrade(url)
db = Database(url)
load_demo(db, "bench-sandi-uji-123")
from bench.common import open_all_day
open_all_day(db)
db.dispose()
"""

WORKLOAD = """
import sys
from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.queueing import service as queue
db = Database("sqlite:///" + sys.argv[1])
visitors = int(sys.argv[2])
site = catalogue.get_site(db, "lahat")
kiosk = queue.Issuer(label="kios:bench", site_id=site.id)
officer = accounts.authenticate(db, "petugas.dukcapil", "bench-sandi-uji-123")
number = next(c.number for c in catalogue.list_counters(db, "lahat")
              if c.agency_code == "DUKCAPIL" and "DKC-01" in c.services)
queue.open_counter(db, officer, "lahat", number)
for _ in range(visitors):
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    called = queue.call_next(db, officer, "lahat", number)
    queue.start_serving(db, officer, "lahat", number, called.id)
    queue.finish(db, officer, "lahat", number, called.id)
"""
HTTP_WORKLOAD = """
import asyncio, json, os, sys
os.environ.update(SATUPINTU_DATABASE_URL="sqlite:///" + sys.argv[1], SATUPINTU_SECRET_KEY="bench-secret-key-0123456789",
                  SATUPINTU_NOTIFY_WORKER="false", SATUPINTU_WEBHOOK_WORKER="false", SATUPINTU_UNIT_SYNC="false",
                  SATUPINTU_DAY_CLOSER="false")
os.environ.pop("SATUPINTU_REDIS_URL", None)
from satupintu.app import create_app
visitors = int(sys.argv[2])
app = create_app()

async def call(method, path, headers=(), body=None):
    raw = b"" if body is None else json.dumps(body).encode()
    hdrs = [(b"host", b"bench"), (b"user-agent", b"bench"), (b"accept", b"*/*"), *headers]
    if body is not None:
        hdrs += [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": hdrs, "client": ("127.0.0.1", 50000), "server": ("bench", 80),
             "state": dict(state)}
    sent = False
    async def receive():
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}
    out = {"status": 0, "body": b""}
    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")
    await app(scope, receive, send)
    return out["status"], out["body"]

state = {}

async def main():
    queue = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    replies = asyncio.Queue()
    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state},
                                       queue.get, replies.put))
    assert (await replies.get())["type"] == "lifespan.startup.complete"
    def ok(answer, code):
        status, body = answer
        if status != code:
            raise SystemExit(f"HTTP {status}: {body[:300]!r}")
        return json.loads(body)
    async def login(user):
        return ok(await call("POST", "/api/v1/auth/token", body={"username": user, "password": "bench-sandi-uji-123"}),
                  200)["access_token"]
    manager = [(b"authorization", b"Bearer " + (await login("pengelola")).encode())]
    kiosk = ok(await call("POST", "/api/v1/sites/lahat/devices", manager, {"kind": "kiosk", "name": "Kios bench"}),
               201)["token"]
    officer = [(b"authorization", b"Bearer " + (await login("petugas.dukcapil")).encode())]
    kiosk = [(b"x-device-token", kiosk.encode())]
    counters = ok(await call("GET", "/api/v1/sites/lahat/counters", officer), 200)
    number = next(c["number"] for c in counters if c["agency_code"] == "DUKCAPIL" and "DKC-01" in c["services"])
    base = f"/api/v1/sites/lahat/counters/{number}"
    ok(await call("POST", base + "/open", officer), 200)
    for _ in range(visitors):
        ok(await call("POST", "/api/v1/sites/lahat/tickets", kiosk, {"service": "DKC-01"}), 201)
        called = ok(await call("POST", base + "/call-next", officer), 200)
        ok(await call("POST", base + "/start", officer, {"ticket_id": called["id"]}), 200)
        ok(await call("POST", base + "/finish", officer, {"ticket_id": called["id"]}), 200)
    await queue.put({"type": "lifespan.shutdown"})
    await lifespan

asyncio.run(main())
"""

CEILING = """
import sqlite3, sys, uuid
visitors = int(sys.argv[2])
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=NORMAL")
con.execute("CREATE TABLE IF NOT EXISTS seq (p TEXT PRIMARY KEY, last INTEGER)")
con.execute("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, n INTEGER, status TEXT)")
for _ in range(visitors):
    con.execute("BEGIN IMMEDIATE")
    n = con.execute("INSERT INTO seq VALUES ('A', 1) ON CONFLICT(p) DO UPDATE SET last = last + 1 "
                    "RETURNING last").fetchone()[0]
    tid = str(uuid.uuid4())
    con.execute("INSERT INTO t VALUES (?, ?, 'waiting')", (tid, n))
    con.execute("COMMIT")
    for status in ("called", "serving", "done"):
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE t SET status = ? WHERE id = ?", (status, tid))
        con.execute("COMMIT")
"""


def instructions(code: str, src: Path | None, db_file: Path, visitors: int) -> int:
    """Instructions valgrind counted for one run of `code` (with `src` first on the path)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "SATUPINTU_LOG_LEVEL": "warning"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, "-c", code, str(db_file), str(visitors)],
                         env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", out.stderr)
    if not found:
        raise RuntimeError("callgrind printed no total:\n" + out.stderr[-2000:])
    return int(found.group(1))


def per_visitor(code: str, src: Path | None, work: Path, prepared: Path | None, n1: int, n2: int) -> float:
    def run(n: int) -> int:
        db_file = work / f"run-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        if prepared is not None:
            shutil.copy(prepared, db_file)
        return instructions(code, src, db_file, n)

    # The two runs at once (each is one process under valgrind, counting only its own instructions).
    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(run, (n1, n2)))
    return (counts[1] - counts[0]) / (n2 - n1)


def prepare(src: Path, work: Path) -> Path:
    """A migrated SQLite file with the demo site, made natively (not under valgrind)."""
    db_file = work / "prepared.db"
    subprocess.run([sys.executable, "-c", SETUP, str(db_file)], check=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join((str(src), str(ROOT))),
                        "SATUPINTU_LOG_LEVEL": "warning"})
    # One file: fold the write-ahead log in, so a copy is the whole database.
    import sqlite3
    con = sqlite3.connect(db_file)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return db_file


def checkout(ref: str, where: Path) -> Path:
    """The src/ of a git revision, unpacked under `where`."""
    where.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git revision of the code to compare against")
    parser.add_argument("--n1", type=int, default=10)
    parser.add_argument("--n2", type=int, default=40)
    parser.add_argument("--after", help="git revision of the new code (default: the working tree's src/)")
    parser.add_argument("--http", action="store_true", help="also count the visitors sent through the ASGI app")
    parser.add_argument("--profile", type=int, metavar="N",
                        help="cProfile the HTTP workload with N visitors, then stop")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trees: list[tuple[str, Path]] = [("now", ROOT / "src")]
        if args.after:
            trees = [(f"now ({args.after})", checkout(args.after, work / "after"))]
        if args.before:
            trees.insert(0, (f"before ({args.before})", checkout(args.before, work / "before")))
        ceiling = per_visitor(CEILING, None, work, None, args.n1, args.n2)
        print(f"ceiling, bare sqlite3 loop (4 write transactions per visitor): {ceiling:,.0f} instructions/visitor")
        results: list[float] = []
        http: list[float] = []
        for label, src in trees:
            tree_work = work / re.sub(r"\W+", "-", label)
            tree_work.mkdir()
            prepared = prepare(src, tree_work)
            cost = per_visitor(WORKLOAD, src, tree_work, prepared, args.n1, args.n2)
            results.append(cost)
            print(f"{label}: service layer {cost:,.0f} instructions/visitor (issue, call, start, finish); "
                  f"{cost / ceiling:.1f}x the ceiling")
            if args.http:
                over_http = per_visitor(HTTP_WORKLOAD, src, tree_work, prepared, args.n1, args.n2)
                http.append(over_http)
                print(f"{label}: over HTTP (ASGI app) {over_http:,.0f} instructions/visitor; "
                      f"{over_http / ceiling:.1f}x the ceiling, {over_http / cost:.2f}x the service layer "
                      f"(HTTP's own share {over_http - cost:,.0f}, {(over_http - cost) / 4:,.0f} per request)")
        if len(results) == 2:
            print(f"now / before, service layer: {results[1] / results[0]:.3f}")
        if len(http) == 2:
            print(f"now / before, over HTTP: {http[1] / http[0]:.3f}")


def profile(visitors: int) -> None:
    """The HTTP workload under cProfile (natively): where a request's time goes."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_file = prepare(ROOT / "src", work)
        stats = work / "profile.out"
        script = work / "http_workload.py"
        script.write_text(HTTP_WORKLOAD)
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), str(script),
                        str(db_file), str(visitors)], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "SATUPINTU_LOG_LEVEL": "warning"})
        import pstats

        report = pstats.Stats(str(stats))
        report.sort_stats("tottime").print_stats(40)
        report.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
