"""Every pool size, overflow, timeout and psycopg's prepare threshold comes from SATUPINTU_* settings,
for SQLAlchemy's engine and the hot path's own pool alike (deploy/pgbouncer/ needs "none")."""

from __future__ import annotations

import pytest

from satupintu.config import Settings
from satupintu.db import Database
from satupintu.queueing.hotpath import HotPath

URL = "postgresql+psycopg://satupintu@127.0.0.1:6432/satupintu"  # never connected to here


@pytest.mark.parametrize("raw, expected", [("none", None), ("off", None), ("", None), ("0", 0), ("12", 12)])
def test_the_prepare_threshold_is_read_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("SATUPINTU_DATABASE_PREPARE_THRESHOLD", raw)
    assert Settings(secret_key="x").database_prepare_threshold == expected


def test_the_settings_size_both_pools_and_open_every_connection_alike(monkeypatch):
    for name, value in {"POOL_SIZE": "3", "MAX_OVERFLOW": "4", "POOL_TIMEOUT": "1.5", "POOL_RECYCLE": "900",
                        "CONNECT_TIMEOUT": "5", "PREPARE_THRESHOLD": "none"}.items():
        monkeypatch.setenv(f"SATUPINTU_DATABASE_{name}", value)
    monkeypatch.setenv("SATUPINTU_HOT_PATH_CONNECTIONS", "6")
    monkeypatch.setenv("SATUPINTU_HOT_PATH_MIN_CONNECTIONS", "2")
    settings = Settings(database_url=URL, secret_key="x")
    db = Database.from_settings(settings)
    try:
        pool = db.engine.pool
        assert pool.size() == 3 and pool._max_overflow == 4 and pool._timeout == 1.5  # type: ignore[attr-defined]
        assert pool._recycle == 900
        assert db.options.connect_args() == {"connect_timeout": 5, "prepare_threshold": None}
        hot = HotPath(db, settings.hot_path_connections, settings.hot_path_min_connections)
        assert (hot._max, hot._min, hot.timeout, hot.connect_timeout, hot.prepare_threshold) == (6, 2, 1.5, 5, None)
    finally:
        db.dispose()


def test_sizes_that_cannot_work_are_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("SATUPINTU_DATABASE_POOL_SIZE", "0")
    with pytest.raises(ValueError, match="database_pool_size"):
        Settings(secret_key="x")
