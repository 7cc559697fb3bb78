"""The app behind PgBouncer in transaction mode (deploy/pgbouncer/), as a national deployment runs.

A real PgBouncer (Debian's /usr/sbin/pgbouncer) starts from the shipped pgbouncer.ini, with only
its port, its files and its authentication changed for the test, in front of the local
PostgreSQL. A whole queue day then runs through it over a real server, on the hot path (async
psycopg in the event loop) and on the sync path (SQLAlchemy in worker threads), with psycopg's
prepared statements off as the shipped ini says; kiosks issuing at once still get every number
once. Skipped when PgBouncer or PostgreSQL is missing, unless SATUPINTU_TEST_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import make_url

from satupintu.db import Database, PoolOptions
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import (
    _PG_PROBLEM,
    DEMO_PASSWORD,
    REQUIRE_PG,
    Backend,
    LiveServer,
    token_for,
)
from tests.pgbouncer import (
    EVERY_DATABASE,
    PGBOUNCER,
    SHIPPED_INI,
    SUITE_SIZING,
    Bouncer,
    StartFailed,
    read_ini,
    start,
    write_config,
)


@pytest.fixture(scope="module")
def bouncer() -> Iterator[Bouncer]:
    problem = _PG_PROBLEM or (None if os.access(PGBOUNCER, os.X_OK) else f"PgBouncer not installed ({PGBOUNCER})")
    if problem:
        if REQUIRE_PG:
            pytest.fail(problem)
        pytest.skip(problem)
    try:
        b = start()  # the shipped sizes, unchanged
    except StartFailed as exc:
        pytest.fail(str(exc))
    yield b
    b.stop()


@pytest.fixture(scope="module")
def pg_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    b = Backend("postgresql", tmp_path_factory.mktemp("pgbouncer"))
    yield b
    b.cleanup()


def test_the_shipped_pgbouncer_config_pools_by_transaction_and_asks_for_passwords():
    ini = read_ini(SHIPPED_INI)
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    userlist = SHIPPED_INI.with_name("userlist.txt").read_text()
    assert '"satupintu" "SCRAM-SHA-256$' in userlist  # a SCRAM secret, never a plain password


def _through_bouncer(bouncer: Bouncer, pg_backend: Backend) -> Database:
    """A migrated demo database (migrated and loaded through PgBouncer too), and the app's
    Database over PgBouncer with prepared statements off, as the shipped ini asks."""
    url = bouncer.url_for(pg_backend.new_url())
    upgrade(url)
    db = Database(url, options=PoolOptions(prepare_threshold=None))
    load_demo(db, DEMO_PASSWORD, history=False)
    return db


def _kiosk(c, manager) -> dict[str, str]:
    return {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                     json={"kind": "kiosk", "name": "Kios"}).json()["token"]}


@pytest.mark.slow
@pytest.mark.parametrize("hot", [True, False], ids=["hot-path", "sync-path"])
def test_a_whole_queue_day_runs_through_pgbouncer_in_transaction_mode(bouncer, pg_backend, hot):
    """Kiosks issue tickets, the officer calls, serves and finishes every visitor until nobody
    waits, all through PgBouncer: every ticket is served once, in order within each class."""
    db = _through_bouncer(bouncer, pg_backend)
    try:
        with LiveServer(db, hot_path=hot, database_prepare_threshold=None) as live, live.client() as c:
            assert (live.app.state.hot_path is not None) is hot
            manager, officer = token_for(c, "pengelola"), token_for(c, "petugas.dukcapil")
            kiosk = _kiosk(c, manager)
            counter = "/api/v1/sites/lahat/counters/4"
            assert c.post(f"{counter}/open", headers=officer).status_code == 200
            issued = []
            for i in range(16):  # well past psycopg's prepare threshold of 5, on every statement
                body = {"service": "DKC-01"} | ({"priority": "elderly"} if i % 5 == 0 else {})
                r = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json=body)
                assert r.status_code == 201, r.text
                issued.append(r.json()["number"])
            served = []
            while True:
                r = c.post(f"{counter}/call-next", headers=officer)
                assert r.status_code == 200, r.text
                if r.json() is None:
                    break
                served.append(r.json()["number"])
                assert c.post(f"{counter}/start", headers=officer).json()["status"] == "serving"
                assert c.post(f"{counter}/finish", headers=officer).json()["status"] == "done"
            assert sorted(served) == sorted(issued)
            regular = [n for i, n in enumerate(issued) if i % 5]
            assert [n for n in served if n in regular] == regular  # first come, first served
            assert c.get("/api/v1/sites/lahat/queue", headers=manager).json() == []
    finally:
        db.dispose()
    stats = {row["database"]: row for row in bouncer.show("STATS")}
    assert int(stats[make_url(db.url).database]["total_xact_count"]) > 16  # it all went through PgBouncer
    assert "prepared statement" not in bouncer.log()


@pytest.mark.slow
@pytest.mark.parametrize("hot", [True, False], ids=["hot-path", "sync-path"])
def test_kiosks_issuing_at_once_through_pgbouncer_never_share_a_number(bouncer, pg_backend, hot):
    """Eight kiosks issue 48 tickets at the same moment through PgBouncer: 48 different
    numbers, A-001 to A-048, none skipped."""
    db = _through_bouncer(bouncer, pg_backend)
    try:
        with LiveServer(db, hot_path=hot, database_prepare_threshold=None) as live:
            with live.client() as c:
                kiosk = _kiosk(c, token_for(c, "pengelola"))

            def issue(_: int) -> str:
                with live.client() as k:
                    r = k.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
                    assert r.status_code == 201, r.text
                    return str(r.json()["number"])

            with ThreadPoolExecutor(8) as pool:
                numbers = list(pool.map(issue, range(48)))
    finally:
        db.dispose()
    assert len(set(numbers)) == 48
    assert sorted(numbers) == [f"A-{i:03d}" for i in range(1, 49)]


def test_the_suites_pgbouncer_differs_from_the_shipped_ini_only_in_address_files_auth_and_sizing(tmp_path):
    """.ci/pgbouncer-start's ini (tests/pgbouncer.py): the shipped one, with only the listening
    address, the files, trust authentication and the suite's pool sizing changed."""
    written = read_ini(write_config(tmp_path, listen_addr="127.0.0.1", port=6543, databases=EVERY_DATABASE,
                                    user="uji", overrides=SUITE_SIZING))
    shipped = read_ini(SHIPPED_INI)
    changed = {k for k in set(shipped["pgbouncer"]) | set(written["pgbouncer"])
               if shipped["pgbouncer"].get(k) != written["pgbouncer"].get(k)}
    allowed = {"listen_addr", "listen_port", "unix_socket_dir", "auth_type", "auth_file", "logfile", "pidfile",
               "admin_users", "stats_users", *SUITE_SIZING}
    assert changed <= allowed, changed - allowed
    assert written["pgbouncer"]["pool_mode"] == "transaction"
    assert written["pgbouncer"]["listen_port"] == "6543"
    assert dict(written["databases"]) == EVERY_DATABASE
    assert (tmp_path / "userlist.txt").read_text() == '"uji" ""\n'
