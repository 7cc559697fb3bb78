"""Migrations: the schema comes only from Alembic, and the app refuses an unmigrated database."""

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from satupintu.app import create_app
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.migrate import NotMigrated, head_revision, upgrade
from satupintu.models import Base


def test_the_app_refuses_to_start_on_an_unmigrated_database_and_says_what_to_run(backend):
    url = backend.new_url()
    with pytest.raises(NotMigrated) as err:
        create_app(Settings(database_url=url))
    assert "satupintu migrate" in str(err.value) and "belum pernah dimigrasi" in str(err.value)


def test_migrations_build_exactly_the_models_schema(backend):
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == head_revision(url)
        diff = compare_metadata(ctx, Base.metadata)
    db.dispose()
    assert diff == []


def test_serve_on_an_unmigrated_sqlite_file_exits_with_the_command_to_run(tmp_path):
    env = dict(os.environ, SATUPINTU_DATABASE_URL=f"sqlite:///{tmp_path / 'baru.db'}")
    proc = subprocess.run([sys.executable, "-m", "satupintu", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "satupintu migrate" in proc.stderr


def test_migrate_then_check_succeeds(tmp_path):
    env = dict(os.environ, SATUPINTU_DATABASE_URL=f"sqlite:///{tmp_path / 'baru.db'}")
    check = [sys.executable, "-m", "satupintu", "check"]
    assert subprocess.run(check, env=env, capture_output=True).returncode == 2
    assert subprocess.run([sys.executable, "-m", "satupintu", "migrate"], env=env, capture_output=True).returncode == 0
    assert subprocess.run(check, env=env, capture_output=True).returncode == 0


def test_the_pairing_migration_goes_down_and_up_again(backend):
    """0013 (device pairings, a board's display scope) can be undone and redone on both databases."""
    from alembic import command

    from satupintu.migrate import alembic_config

    url = backend.new_url()
    upgrade(url)
    command.downgrade(alembic_config(url), "0012")
    db = Database(url)
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0012"
    db.dispose()
    upgrade(url)
    db = Database(url)
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision(url)
    db.dispose()


def test_the_booking_cancelled_at_migration_goes_down_and_up_again(backend):
    """0015 (bookings.cancelled_at) can be undone and redone on both databases."""
    from alembic import command
    from sqlalchemy import inspect

    from satupintu.migrate import alembic_config

    url = backend.new_url()
    upgrade(url)
    command.downgrade(alembic_config(url), "0013")
    db = Database(url)
    assert "cancelled_at" not in {c["name"] for c in inspect(db.engine).get_columns("bookings")}
    db.dispose()
    upgrade(url)
    db = Database(url)
    assert "cancelled_at" in {c["name"] for c in inspect(db.engine).get_columns("bookings")}
    db.dispose()


def _index_sql(db: Database, name: str) -> str | None:
    from sqlalchemy import text

    query = ("SELECT indexdef FROM pg_indexes WHERE indexname = :n" if db.dialect == "postgresql"
             else "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n")
    with db.engine.connect() as conn:
        return conn.execute(text(query), {"n": name}).scalar()


def test_the_calling_index_holds_only_waiting_tickets_and_its_migration_goes_down_and_up(backend):
    """0032: the calling query's index is partial (waiting tickets only, in calling order) on both
    databases; undone, the old full index is back; redone, the partial one again."""
    from alembic import command

    from satupintu.migrate import alembic_config

    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    sql = _index_sql(db, "ix_tickets_waiting")
    assert sql is not None and "WHERE" in sql.upper() and "waiting" in sql
    assert sql.index("service_id") < sql.index("is_priority") < sql.index("local_date") < sql.index("ready_at")
    assert _index_sql(db, "ix_tickets_calling") is None
    db.dispose()
    command.downgrade(alembic_config(url), "0027")
    db = Database(url)
    assert _index_sql(db, "ix_tickets_waiting") is None and _index_sql(db, "ix_tickets_calling") is not None
    db.dispose()
    upgrade(url)
    db = Database(url)
    assert _index_sql(db, "ix_tickets_waiting") is not None
    db.dispose()
