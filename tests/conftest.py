"""Shared fixtures: the same tests run on a real SQLite file and on the real PostgreSQL.

PostgreSQL tests use a fresh database per test module on the server named by
SATUPINTU_TEST_POSTGRES_URL (default: the local server, database `test`). When that server
is unreachable they are skipped, unless SATUPINTU_TEST_REQUIRE_POSTGRES=1 (as in CI),
where they fail instead.

SATUPINTU_TEST_PGBOUNCER=host:port (a PgBouncer in transaction mode in front of that server,
.ci/pgbouncer-start) sends every PostgreSQL test's application connections through it, with
prepared statements off as the deployment sets them (SATUPINTU_DATABASE_PREPARE_THRESHOLD=none):
`Backend.new_url()` then names the new database through PgBouncer. The fixtures' own work
(creating and dropping databases) stays direct to PostgreSQL; a test that needs a session of its
own (pg_dump, a server-side setting) asks for `direct_url(url)`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from satupintu.app import create_app
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.demo import loader as demo_loader
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade

# No per-example time limit and no "generation is slow" check: speed is measured by the benchmarks
# under bench/, never by a timed assertion, and a loaded CI machine must not turn a slow example
# into a failure (seen: DeadlineExceeded at 643 ms in a pure test while the machine ran other work).
hypothesis_settings.register_profile("satupintu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("satupintu")

PG_ADMIN_URL = os.environ.get("SATUPINTU_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("SATUPINTU_TEST_REQUIRE_POSTGRES") == "1"
PGBOUNCER_ADDRESS = os.environ.get("SATUPINTU_TEST_PGBOUNCER") or None  # host:port
DEMO_PASSWORD = "demo-sandi-uji-123"
BACKENDS = ["sqlite", "postgresql"]

# Tests issue tickets at whatever time they run, so the demo sites they load work all day,
# every day, and the mobile event runs around today: a test about the day's hours gives its
# site real hours and sets the clock (tests/queueing/test_day_rules.py). `make demo` keeps
# the real hours (08:00-15:00), so the demo shows a closed mall at night.
ALL_DAY = {day: ["00:00", "23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_real_demo_data = demo_loader.demo_data


def _all_day_demo_data() -> dict:
    from datetime import date, timedelta

    data = _real_demo_data()
    data["site"]["opening_hours"] = ALL_DAY
    event = data.get("mobile_event")
    if event:
        today = date.today()
        event.update(opening_hours=ALL_DAY, starts_on=str(today - timedelta(days=30)),
                     ends_on=str(today + timedelta(days=365)))
    return data


demo_loader.demo_data = _all_day_demo_data


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any connection failure
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"


_PG_PROBLEM = _pg_available()


def _bouncer_host_port() -> tuple[str, int] | None:
    if not PGBOUNCER_ADDRESS:
        return None
    host, _, port = PGBOUNCER_ADDRESS.rpartition(":")
    return host or "127.0.0.1", int(port)


_BOUNCER = _bouncer_host_port()


def through_bouncer(url: str) -> str:
    """`url` (a PostgreSQL URL of the test server) through SATUPINTU_TEST_PGBOUNCER, when set."""
    if _BOUNCER is None or not url.startswith("postgresql"):
        return url
    return make_url(url).set(host=_BOUNCER[0], port=_BOUNCER[1]).render_as_string(hide_password=False)


def direct_url(url: str) -> str:
    """`url` straight to PostgreSQL (the admin URL's host and port), for work that needs a
    session of its own: PgBouncer in transaction mode lends a server connection per transaction."""
    if not url.startswith("postgresql"):
        return url
    admin = make_url(PG_ADMIN_URL)
    return make_url(url).set(host=admin.host, port=admin.port).render_as_string(hide_password=False)


def _no_prepared_statements_through_bouncer(host: str, port: int) -> None:
    """Every psycopg connection that lands on the test PgBouncer prepares nothing, as every
    process behind PgBouncer is told to (SATUPINTU_DATABASE_PREPARE_THRESHOLD=none): tests build
    their Database(url) without settings, so this stands in for the setting in this process;
    servers the tests start in other processes read the environment variable."""
    import psycopg

    def through(conn: psycopg.Connection | psycopg.AsyncConnection) -> bool:
        return conn.info.port == port and conn.info.host in (host, "localhost", "127.0.0.1")

    sync_connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]
    async_connect = psycopg.AsyncConnection.connect.__func__  # type: ignore[attr-defined]

    def connect(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        conn = sync_connect(cls, *args, **kwargs)
        if through(conn):
            conn.prepare_threshold = None
        return conn

    async def aconnect(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        conn = await async_connect(cls, *args, **kwargs)
        if through(conn):
            conn.prepare_threshold = None
        return conn

    psycopg.Connection.connect = classmethod(connect)  # type: ignore[method-assign,assignment]
    psycopg.AsyncConnection.connect = classmethod(aconnect)  # type: ignore[method-assign,assignment]
    psycopg.connect = psycopg.Connection.connect  # type: ignore[assignment]  # the module's alias, SQLAlchemy's


if _BOUNCER is not None:
    os.environ["SATUPINTU_DATABASE_PREPARE_THRESHOLD"] = "none"
    _no_prepared_statements_through_bouncer(*_BOUNCER)


class Backend:
    """Makes empty databases of one kind and removes them afterwards."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.tmp = tmp
        self.made: list[str] = []

    def new_url(self) -> str:
        name = "sp_" + uuid.uuid4().hex[:12]
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return through_bouncer(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))

    def cleanup(self) -> None:
        if not self.made:
            return
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    if request.param == "postgresql" and _PG_PROBLEM:
        if REQUIRE_PG:
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    b = Backend(request.param, tmp_path_factory.mktemp(request.param))
    yield b
    b.cleanup()


@pytest.fixture
def empty_db(backend: Backend) -> Iterator[Database]:
    """A migrated database with nothing in it."""
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def demo_db(backend: Backend) -> Iterator[Database]:
    """A migrated database with the demo data, shared by a module's read-mostly tests."""
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    yield db
    db.dispose()


@pytest.fixture
def bare_demo_db(backend: Backend) -> Iterator[Database]:
    """The demo site without its past weeks (no served tickets, survey answers or complaints yet),
    in a database of the test's own: for tests whose expected figures start from an empty past."""
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD, history=False)
    yield db
    db.dispose()


@pytest.fixture
def fresh_demo_db(backend: Backend) -> Iterator[Database]:
    """The demo data in a database of the test's own, for tests that change it."""
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    yield db
    db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The real app behind uvicorn on a loopback port, in a background thread."""

    def __init__(self, db: Database, **settings_overrides: object) -> None:
        settings_overrides.setdefault("secret_key", "test-secret-" + uuid.uuid4().hex)
        settings = Settings(database_url=db.url, **settings_overrides)  # type: ignore[arg-type]
        self.app = create_app(settings, db)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Long-lived streams (server-sent events) must not hold up the end of a test.
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off", timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        # lifespan="off": the app's own shutdown does not run, so its bus is closed here (a Redis
        # bus's threads would otherwise retry a stopped test Redis for the rest of the suite).
        self.app.state.bus.close()

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(demo_db: Database) -> Iterator[LiveServer]:
    with LiveServer(demo_db) as live:
        yield live


@pytest.fixture
def bare_server(bare_demo_db: Database) -> Iterator[LiveServer]:
    """A server of the test's own over the demo without its past weeks (bare_demo_db)."""
    with LiveServer(bare_demo_db) as live:
        yield live


@pytest.fixture
def fresh_server(fresh_demo_db: Database) -> Iterator[LiveServer]:
    with LiveServer(fresh_demo_db) as live:
        yield live


def token_for(client: httpx.Client, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
