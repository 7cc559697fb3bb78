"""A small per-database, per-process cache for facts that change rarely but are read on
every request (catalogue lookups, credentials). Entries expire after `ttl` seconds, so a
change made in another process is seen within that time without cross-process messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .db import Database

DEFAULT_TTL = 10.0


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
