"""When PostgreSQL goes away, a kiosk and an officer's console get a clear 503 they can act on
(wait and retry), on the event-loop path and the thread path alike, and not a bare 500."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from satupintu.app import create_app
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import _PG_PROBLEM, DEMO_PASSWORD, PG_ADMIN_URL, REQUIRE_PG, Backend, LiveServer, token_for


@pytest.fixture
def pg_backend(tmp_path):
    if _PG_PROBLEM:
        if REQUIRE_PG:
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    backend = Backend("postgresql", tmp_path)
    yield backend
    backend.cleanup()


def test_the_connect_and_pool_timeouts_reach_both_pools_from_the_settings(pg_backend):
    """An outage held every request for 10 s (the hot path's pool timeout) before its 503; the
    limits now come from the settings, about 2 s by default, for both pools alike."""
    assert Settings(secret_key="x").database_connect_timeout == 2
    assert Settings(secret_key="x").database_pool_timeout == 2.0
    url = pg_backend.new_url()
    upgrade(url)
    settings = Settings(database_url=url, secret_key="x", database_connect_timeout=3, database_pool_timeout=1.5)
    app = create_app(settings)
    db = app.state.db
    try:
        assert db.engine.pool.timeout() == 1.5
        with db.engine.connect() as conn:  # psycopg was given the connect timeout
            assert conn.connection.driver_connection.info.get_parameters()["connect_timeout"] == "3"
        hot = app.state.hot_path
        assert (hot.timeout, hot.connect_timeout) == (1.5, 3)
    finally:
        db.dispose()


def test_a_database_outage_answers_503_database_unavailable(pg_backend):
    url = pg_backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    with LiveServer(db) as live, live.client() as c:
        assert live.app.state.hot_path.timeout == db.pool_timeout == 2.0
        manager = token_for(c, "pengelola")
        officer = token_for(c, "petugas.dukcapil")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).status_code == 200
        assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
        assert c.get("/api/v1/sites/lahat/queue", headers=officer).status_code == 200

        # The database disappears under the running server (its connections are cut).
        name = url.rsplit("/", 1)[1]
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

        answers = []
        for _ in range(2):  # the first attempt may meet a connection the drop just cut
            answers = [
                c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}),  # event loop
                c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer),  # event loop
                c.get("/api/v1/sites/lahat/queue", headers=officer),  # worker thread
            ]
        for r in answers:
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "database_unavailable"
            assert "coba lagi" in r.json()["error"]["message"]
    db.dispose()
    pg_backend.made.remove(name)
