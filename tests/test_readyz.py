"""/readyz: a load balancer sends traffic only to a process that can do its work.

200 "ready" when the database answers at the code's migration head and the event bus is up;
200 "degraded" when only the event bus (Redis) is down, since every write and page still works
and live screens fall back to snapshots; 503 naming what is not ready otherwise. /healthz
stays a bare liveness answer.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from satupintu.app import create_app
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.migrate import head_revision, upgrade
from tests.conftest import free_port
from tests.redisserver import RedisServer, require_redis_server


@contextmanager
def serving(db: Database, **overrides: object) -> Iterator[httpx.Client]:
    """The real app over a loopback port, even on a database it would refuse to start on."""
    settings = Settings(database_url=db.url, secret_key="test-" + uuid.uuid4().hex, **overrides)  # type: ignore[arg-type]
    app = create_app(settings, db, check_migrations=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.bus.close()


def test_a_migrated_reachable_database_is_ready_and_healthz_stays_bare(server):
    with server.client() as c:
        r = c.get("/readyz")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "ready" and body["not_ready"] == [] and body["degraded"] == []
        assert body["checks"]["migrations"] == {"ok": True, "current": body["checks"]["migrations"]["head"],
                                                "head": head_revision(server.app.state.db.url)}
        assert body["checks"]["event_bus"] == {"ok": True, "kind": "in-process"}
        assert r.headers["cache-control"] == "no-store"
        assert c.get("/healthz").json()["status"] == "ok"


def test_a_database_behind_the_code_is_not_ready_and_says_which_revision(backend):
    url = backend.new_url()
    upgrade(url, "0027")
    db = Database(url)
    try:
        with serving(db) as c:
            r = c.get("/readyz")
    finally:
        db.dispose()
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and body["not_ready"] == ["migrations"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"]["current"] == "0027"
    assert body["checks"]["migrations"]["head"] == head_revision(url)


def test_an_unreachable_database_is_not_ready():
    db = Database(f"postgresql+psycopg://127.0.0.1:{free_port()}/tidak_ada")  # nothing listens there
    try:
        with serving(db) as c:
            r = c.get("/readyz")
    finally:
        db.dispose()
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and body["not_ready"] == ["database", "migrations"]
    assert body["checks"]["database"]["ok"] is False and body["checks"]["database"]["error"]


def test_the_event_bus_going_down_leaves_the_process_ready_but_degraded(tmp_path):
    """Redis up: ready. Redis killed: still 200 (requests still work), "degraded", naming the bus."""
    require_redis_server()
    url = f"sqlite:///{tmp_path / 'bus.db'}"
    upgrade(url)
    db = Database(url)
    try:
        with RedisServer() as redis_server, serving(db, redis_url=redis_server.url) as c:
            deadline = time.monotonic() + 30
            while (body := c.get("/readyz").json())["status"] != "ready":  # the bus connects in the background
                assert time.monotonic() < deadline, body
                time.sleep(0.1)
            assert body["checks"]["event_bus"] == {"ok": True, "kind": "redis"}
            redis_server.kill()
            deadline = time.monotonic() + 30
            while (r := c.get("/readyz")).json()["status"] != "degraded":
                assert time.monotonic() < deadline, r.json()
                time.sleep(0.2)
            assert r.status_code == 200
            assert r.json()["degraded"] == ["event_bus"] and r.json()["not_ready"] == []
    finally:
        db.dispose()
