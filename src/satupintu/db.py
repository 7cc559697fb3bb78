"""Database wiring: engine, sessions, column types shared by every capability.

One code path for SQLite and PostgreSQL. The one place where they differ is how a write
transaction starts: SQLite takes the write lock up front (BEGIN IMMEDIATE), so writers
queue fairly on the busy timeout instead of failing half-way with "database is locked".

Publish after commit, one way: a use case calls `on_commit(session, channel, event)` inside
`db.write()`; the events wait in the session and go to the bus only once the transaction has
committed, so nothing is published for a change that rolled back (Zulip's
`send_event_on_commit`). Work that commits on its own (one autocommit statement) calls
`db.publish()` after it. The bus is built once at start-up and handed to the `Database`.
"""

from __future__ import annotations

import copy
import fcntl
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, MetaData, Uuid, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from .ids import new_id

if TYPE_CHECKING:
    from .config import Settings
    from .events import LocalBus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    """Globally unique, time-ordered id for every record (see ids.py)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


# During a PostgreSQL outage a request waits at most this long for a connection (new, or free
# in the pool) before it fails, so the caller is answered 503 promptly. Settings override every
# one of these (SATUPINTU_DATABASE_CONNECT_TIMEOUT, _POOL_TIMEOUT, _POOL_SIZE, _MAX_OVERFLOW,
# _POOL_RECYCLE, _PREPARE_THRESHOLD; see Database.from_settings).
CONNECT_TIMEOUT = 2  # seconds, whole (libpq's minimum is 2)
POOL_TIMEOUT = 2.0
POOL_SIZE = 10
MAX_OVERFLOW = 20
POOL_RECYCLE = 1800
PREPARE_THRESHOLD: int | None = 5  # psycopg's own default; None behind PgBouncer's transaction mode


@dataclass(frozen=True)
class PoolOptions:
    """How a process connects to PostgreSQL: SQLAlchemy's pool and what every psycopg
    connection (SQLAlchemy's and the hot path's) is opened with."""

    connect_timeout: int = CONNECT_TIMEOUT
    pool_timeout: float = POOL_TIMEOUT
    pool_size: int = POOL_SIZE
    max_overflow: int = MAX_OVERFLOW
    pool_recycle: int = POOL_RECYCLE
    prepare_threshold: int | None = PREPARE_THRESHOLD

    def connect_args(self) -> dict[str, Any]:
        """psycopg.connect's keyword arguments."""
        return {"connect_timeout": self.connect_timeout, "prepare_threshold": self.prepare_threshold}


def make_engine(url: str, connect_timeout: int = CONNECT_TIMEOUT, pool_timeout: float = POOL_TIMEOUT,
                options: PoolOptions | None = None, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            if conn.get_execution_options().get("satupintu_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    options = options or PoolOptions(connect_timeout=connect_timeout, pool_timeout=pool_timeout)
    if "poolclass" not in kwargs:
        kwargs = {"pool_size": options.pool_size, "max_overflow": options.max_overflow,
                  "pool_timeout": options.pool_timeout, **kwargs}
    # No pre-ping: it costs a round trip on every checkout. After a server restart the first
    # failing statement is recognised as a disconnect and the whole pool is replaced.
    connect_args = {**options.connect_args(), **kwargs.pop("connect_args", {})}
    return create_engine(url, pool_recycle=options.pool_recycle, connect_args=connect_args, **kwargs)


def pool_options(settings: Settings) -> PoolOptions:
    return PoolOptions(connect_timeout=settings.database_connect_timeout,
                       pool_timeout=settings.database_pool_timeout, pool_size=settings.database_pool_size,
                       max_overflow=settings.database_max_overflow, pool_recycle=settings.database_pool_recycle,
                       prepare_threshold=settings.database_prepare_threshold)


def dialect_insert(session: Session, table: Any) -> Any:
    """INSERT with ON CONFLICT support for the session's backend (both support RETURNING)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class _SqliteWriterLock:
    """Writers to one SQLite file queue here instead of in SQLite's busy handler.

    SQLite's busy handler sleeps and retries, so a waiting writer can lose the race again
    and again (long tails). A thread lock orders writers within a process, and an flock on
    a file beside the database orders processes: the kernel wakes a waiter as soon as the
    lock is free.
    """

    def __init__(self, db_path: str) -> None:
        self._thread_lock = threading.Lock()
        self._path = db_path + ".writelock"

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._thread_lock:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


_PENDING = "satupintu_after_commit"  # key in Session.info: events waiting for the commit


def on_commit(session: Session, channel: str, event: dict[str, Any]) -> None:
    """Publish `event` on `channel` once this write transaction commits; never if it rolls back."""
    session.info.setdefault(_PENDING, []).append((channel, event))


def pending_publications(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """What this open write transaction will publish once it commits (for a before-commit hook)."""
    return list(session.info.get(_PENDING, []))


# A hook run at the end of every `db.write()` block, inside its transaction, just before the
# commit: what it writes commits (or rolls back) with the block's change. The wiring installs
# them (app.py: the webhook outbox); no capability reaches another through one.
BeforeCommit = Callable[[Session], object]  # what it returns is ignored


class Database:
    """The engine, two session factories (read and write transactions) and the event bus that
    receives what committed writes publish."""

    def __init__(self, url: str, connect_timeout: int = CONNECT_TIMEOUT, pool_timeout: float = POOL_TIMEOUT,
                 bus: LocalBus | None = None, options: PoolOptions | None = None, replica_url: str | None = None,
                 **kwargs: Any) -> None:
        self.url = url
        # A read replica for reports and dashboards (`reports()`); None: they read the primary.
        self.replica_url = replica_url
        self._replica_engine: Engine | None = None
        self._reports: Database | None = None
        self.bus = bus  # set once by the wiring (app.py, cli.py); None: nobody listens
        self.before_commit: list[BeforeCommit] = []  # installed by the wiring (app.py)
        # Told of every event this process publishes after its commit (metrics.py counts tickets).
        self.observers: list[Callable[[str, dict[str, Any]], None]] = []
        # Also the hot path's (queueing/hotpath.py): its timeouts and prepare threshold.
        self.options = options or PoolOptions(connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        self.connect_timeout = self.options.connect_timeout
        self.pool_timeout = self.options.pool_timeout
        self.engine = make_engine(url, options=self.options, **kwargs)
        self.dialect = self.engine.dialect.name
        path = url.split("///", 1)[-1] if self.dialect == "sqlite" else ""
        self._writer_lock = _SqliteWriterLock(path) if path and path != ":memory:" else None
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(satupintu_write=True), expire_on_commit=False
        )
        self._autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> Database:
        """The database as the settings describe it: URL, timeouts, pool sizes, prepare threshold."""
        return cls(url or settings.database_url, options=pool_options(settings),
                   replica_url=None if url else settings.database_replica_url)

    def reports(self) -> Database:
        """This database as oversight's reports and dashboards use it: their reads from the read
        replica when one is set (SATUPINTU_DATABASE_REPLICA_URL), everything else (the rollups they
        keep, any write, the bus) on the primary. Without a replica, the database itself. A page
        that reads what it has just written never uses it: a replica may lag behind."""
        if self.replica_url is None:
            return self
        if self._reports is None:
            self._replica_engine = make_engine(self.replica_url, options=self.options)
            view = copy.copy(self)
            view._read = sessionmaker(self._replica_engine, expire_on_commit=False)
            view._reports = view
            self._reports = view
        return self._reports

    def pool_in_use(self) -> int:
        """Connections of SQLAlchemy's pool checked out right now (0 for SQLite's)."""
        checkedout = getattr(self.engine.pool, "checkedout", None)
        return int(checkedout()) if callable(checkedout) else 0

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits when the block ends, rolls back on any error; then
        publishes what the block queued with `on_commit`."""
        if self._writer_lock is None:
            with self._write() as session:
                with session.begin():
                    yield session
                    self._run_before_commit(session)
                pending = session.info.pop(_PENDING, [])
        else:
            with self._writer_lock.hold(), self._write() as session:
                with session.begin():
                    yield session
                    self._run_before_commit(session)
                pending = session.info.pop(_PENDING, [])
        for channel, payload in pending:
            self.publish(channel, payload)

    def _run_before_commit(self, session: Session) -> None:
        for hook in self.before_commit:
            hook(session)

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Publish now: for work that has already committed (an autocommit statement)."""
        if self.bus is not None:
            self.bus.publish(channel, event)
        for observe in self.observers:
            observe(channel, event)

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection where each statement commits on its own (PostgreSQL): for hot paths
        whose work is one atomic statement, or one read, so no BEGIN/COMMIT round trips."""
        with self._autocommit_engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self._replica_engine is not None:
            self._replica_engine.dispose()


def delete_in_batches(db: Database, id_column: Any, condition: Any, batch: int) -> int:
    """Delete the rows of `id_column`'s table that meet `condition`, `batch` rows per write
    transaction, so a large clean-up never holds a lock (SQLite's writer lock, PostgreSQL's row
    locks) for longer than one short batch: live writes slip in between. Returns how many went."""
    from sqlalchemy import delete, select

    table = id_column.table
    gone = 0
    while True:
        with db.write() as s:
            ids = list(s.scalars(select(id_column).where(condition).limit(batch)))
            if ids:
                s.execute(delete(table).where(id_column.in_(ids)))
        gone += len(ids)
        if len(ids) < batch:
            return gone


def count_where(db: Database, id_column: Any, condition: Any) -> int:
    """How many rows of `id_column`'s table meet `condition` (a dry run's figure)."""
    from sqlalchemy import func, select

    with db.read() as s:
        return int(s.scalar(select(func.count(id_column)).where(condition)) or 0)
