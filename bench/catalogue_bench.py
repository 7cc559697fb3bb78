"""Catalogue benchmark: prints figures, asserts nothing.

For SQLite and (when reachable) PostgreSQL:
- importing a 470-service XLSX (Lubuklinggau's size) and re-importing it unchanged;
- search latency in the service layer over the resulting ~500 services;
- HTTP throughput and p50/p95/p99 latency of the public search API with concurrent clients.

Run: `make bench` or `.venv/bin/python bench/catalogue_bench.py [--clients 8] [--requests 400]`
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

import httpx  # noqa: E402
from tests.conftest import free_port  # noqa: E402

from bench.common import pct, postgres_database  # noqa: E402
from satupintu.accounts import service as accounts  # noqa: E402
from satupintu.catalogue import service, transfer  # noqa: E402
from satupintu.catalogue.spreadsheet import to_xlsx  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.demo.synthetic import synthetic_table  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402

QUERIES = ["akta lahir", "ktp", "ijin usaha", "izin reklame", "kartu kluarga", "bpjs", "pajak motor",
           "sertifikat klinik", "rekomendasi teknis bengkel", "apotik"]


def run(kind: str, url: str, clients: int, requests: int) -> None:
    upgrade(url)
    db = Database(url)
    load_demo(db, "bench-password-123")
    manager = accounts.authenticate(db, "pengelola", "bench-password-123")
    data = to_xlsx(synthetic_table(470, 25))

    t0 = time.perf_counter()
    result = transfer.import_catalogue(db, manager, "lahat", data, "katalog.xlsx")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = transfer.import_catalogue(db, manager, "lahat", data, "katalog.xlsx")
    second = time.perf_counter() - t0
    print(f"[{kind}] import 470 services: {first:.2f} s (created {result.created}); "
          f"re-import unchanged: {second:.2f} s (unchanged {again.unchanged})")

    service.list_services(db, "lahat", "warmup")  # builds the search index
    lat = []
    for _ in range(20):
        for q in QUERIES:
            t0 = time.perf_counter()
            service.list_services(db, "lahat", q)
            lat.append((time.perf_counter() - t0) * 1000)
    print(f"[{kind}] service-layer search over {len(service.list_services(db, 'lahat'))} published services: "
          f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms ({len(lat)} queries)")

    db.dispose()
    port = free_port()
    env = dict(os.environ, SATUPINTU_DATABASE_URL=url, SATUPINTU_SECRET_KEY="bench", SATUPINTU_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "satupintu", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        local = threading.local()

        def one(i: int) -> float:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=base, timeout=30)
            t = time.perf_counter()
            r = local.client.get("/api/v1/sites/lahat/services", params={"q": QUERIES[i % len(QUERIES)]})
            r.raise_for_status()
            return (time.perf_counter() - t) * 1000

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            lat = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"[{kind}] HTTP search API, {clients} keep-alive clients, one uvicorn process: {requests / wall:.0f} req/s, "
          f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.db", args.clients, args.requests)
    with postgres_database() as pg:
        if pg:
            run("postgresql", pg[0], args.clients, args.requests)


if __name__ == "__main__":
    main()
