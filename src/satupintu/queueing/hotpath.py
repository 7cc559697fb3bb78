"""The queue's hot operations on PostgreSQL, run in the event loop without a worker thread.

Issuing a ticket, calling the next visitor and the counter steps are each one statement
(pgstatements.py). Through a sync route each request crosses to a worker thread and back,
which under load cost about as much interpreter time as the work itself. Here the checks
run in the event loop from cached facts (cache.without_thread: a miss moves that part to a
thread), the statement runs over an async psycopg connection from a pool of this process,
and the view is built from cached facts again. SQLite, or `hot_path = false`, keeps the sync
service functions in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

from .. import metrics
from ..db import Database
from . import pgstatements

R = TypeVar("R")


def conninfo(url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL (postgresql+psycopg://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class HotPath:
    """One per app process; its pool opens on first use, in the loop that serves requests."""

    def __init__(self, db: Database, connections: int, min_connections: int = 1) -> None:
        self._conninfo = conninfo(db.url)
        self._max = max(1, connections)
        self._min = min(max(0, min_connections), self._max)
        self.timeout = db.pool_timeout  # the same limits as the database's own pool
        self.connect_timeout = db.connect_timeout
        # None behind PgBouncer's transaction mode (SATUPINTU_DATABASE_PREPARE_THRESHOLD=none).
        self.prepare_threshold = db.options.prepare_threshold
        self._pool: AsyncConnectionPool | None = None
        self._opening: asyncio.Lock | None = None

    async def _get_pool(self) -> AsyncConnectionPool:
        if self._pool is not None:
            return self._pool
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._pool is None:
                # A request waits at most `timeout` seconds for a connection (then: 503,
                # database unavailable); a new connection gives up after `connect_timeout`.
                pool = AsyncConnectionPool(
                    self._conninfo, min_size=self._min, max_size=self._max, open=False,
                    name="satupintu-hot-path", timeout=self.timeout,
                    kwargs={"autocommit": True, "row_factory": namedtuple_row,
                            "connect_timeout": self.connect_timeout, "prepare_threshold": self.prepare_threshold})
                await pool.open(wait=False)
                self._pool = pool
        return self._pool

    async def run(self, prepared: pgstatements.Prepared[R]) -> R:
        """The statement in autocommit on a pooled connection: it commits on its own."""
        pool = await self._get_pool()
        async with pool.connection() as conn:
            with metrics.hot_path_connection():
                return await pgstatements.execute_async(conn, prepared)

    def in_use(self) -> int:
        """Connections of this pool lent to a request right now."""
        if self._pool is None:
            return 0
        stats = self._pool.get_stats()
        return int(stats.get("pool_size", 0)) - int(stats.get("pool_available", 0))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

