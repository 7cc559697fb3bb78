"""A small per-database, per-process cache for facts that change rarely but are read on
every request (catalogue lookups, credentials). Entries expire after `ttl` seconds, so a
change made in another process is seen within that time without cross-process messages.

Cache-only mode (`cache_only()`, `without_thread()`): the queue's hot routes run their checks
in the event loop when every fact they need is cached, and move to a worker thread only when
one is not. In that mode a miss raises CacheMiss instead of reading the database, and code
about to do other I/O calls `require_io()` first."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio.to_thread

from .db import Database

DEFAULT_TTL = 10.0
T = TypeVar("T")
_cache_only: contextvars.ContextVar[bool] = contextvars.ContextVar("satupintu_cache_only", default=False)


class CacheMiss(Exception):
    """Raised in cache-only mode where the code would otherwise read or write the database."""


@contextmanager
def cache_only() -> Iterator[None]:
    token = _cache_only.set(True)
    try:
        yield
    finally:
        _cache_only.reset(token)


def require_io() -> None:
    """Call before I/O that is not a cache load: refuses in cache-only mode."""
    if _cache_only.get():
        raise CacheMiss()


async def without_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn` in the event loop if it needs nothing but cached facts; else in a worker thread.
    `fn` must do nothing that cannot be repeated before its first I/O (a miss restarts it)."""
    try:
        with cache_only():
            return fn(*args)
    except CacheMiss:
        return await anyio.to_thread.run_sync(fn, *args)


class TTLCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[tuple[Any, ...], tuple[float, Any]] = {}

    def get(self, key: tuple[Any, ...], load: Callable[[], Any], ttl: float = DEFAULT_TTL) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
        if hit and hit[0] > now:
            return hit[1]
        require_io()
        value = load()  # an exception is not cached
        with self._lock:
            if len(self._data) > 50_000:  # bound memory: drop everything, it reloads cheaply
                self._data.clear()
            self._data[key] = (now + ttl, value)
        return value

    def forget(self, key: tuple[Any, ...]) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_guard = threading.Lock()


def cache_of(db: Database) -> TTLCache:
    cache = getattr(db, "_ttl_cache", None)
    if cache is None:
        with _guard:
            cache = getattr(db, "_ttl_cache", None)
            if cache is None:
                cache = db._ttl_cache = TTLCache()  # type: ignore[attr-defined]
    return cache
