"""Idempotency-Key records in the database: claim a key, keep the answer, forget old ones.

A claim is an INSERT on (principal, key): of two identical requests racing, the database lets
exactly one insert, and the other reads the first's row (still running: 409). Each step is its own
short transaction, apart from the request's own, so a request that fails leaves no claim behind
(`release`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..db import Database
from ..timeutil import utcnow
from .idempotency import RETENTION, Kept
from .idempotency_models import IdempotencyRecord


def claim(db: Database, principal: str, key: str, fingerprint: str,
          now: datetime | None = None) -> tuple[Kept | None, IdempotencyRecord | None]:
    """(None, None) when this request now holds the key; else what is kept for it (and the row,
    for a replay). An expired record is replaced."""
    moment = now or utcnow()
    try:
        with db.write() as s:
            old = s.get(IdempotencyRecord, (principal, key))
            if old is not None and old.created_at > moment - RETENTION:
                s.expunge(old)
                return Kept(old.fingerprint, old.status), old
            if old is not None:
                s.delete(old)
                s.flush()
            s.add(IdempotencyRecord(principal=principal, key=key, fingerprint=fingerprint, status=None,
                                    content_type="", body=b"", created_at=moment))
    except IntegrityError:  # another request claimed it a moment ago
        with db.read() as s:
            row = s.get(IdempotencyRecord, (principal, key))
            if row is None:
                return claim(db, principal, key, fingerprint, now)
            s.expunge(row)
            return Kept(row.fingerprint, row.status), row
    return None, None


def keep(db: Database, principal: str, key: str, status: int, content_type: str, body: bytes) -> None:
    with db.write() as s:
        row = s.get(IdempotencyRecord, (principal, key))
        if row is not None:
            row.status, row.content_type, row.body = status, content_type, body


def release(db: Database, principal: str, key: str) -> None:
    """Forget a claim whose request failed (a server error): the retry runs again."""
    with db.write() as s:
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.principal == principal,
                                                  IdempotencyRecord.key == key,
                                                  IdempotencyRecord.status.is_(None)))


def forget_expired(db: Database, now: datetime | None = None) -> int:
    """Delete records older than the retention (housekeeping); returns how many."""
    cutoff = (now or utcnow()) - RETENTION
    with db.write() as s:
        result: Any = s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
        return int(result.rowcount or 0)


def kept_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0
