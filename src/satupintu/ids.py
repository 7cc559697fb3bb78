"""Globally unique, time-ordered record ids (UUID version 7, RFC 9562).

Every record a site creates gets one, so an offline mobile unit and a central server can
later merge their data without collisions. The leading 48 bits are the Unix time in
milliseconds, which keeps B-tree inserts near the end of the index.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7(now_ms: int | None = None, rand: bytes | None = None) -> uuid.UUID:
    """Return a UUIDv7. Within one process, ids are strictly increasing."""
    global _last_ms, _counter
    rand = rand if rand is not None else os.urandom(10)
    with _lock:
        ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same (or earlier) millisecond: keep order with a 12-bit counter.
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = 0
        else:
            _counter = int.from_bytes(rand[:2], "big") & 0x3FF
        _last_ms = ms
        counter = _counter
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (counter & 0xFFF) << 64
    value |= 0b10 << 62  # variant
    value |= int.from_bytes(rand[2:], "big") & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def new_id() -> uuid.UUID:
    return uuid7()
