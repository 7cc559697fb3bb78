"""Audit log: one entry for every change to the catalogue and to accounts."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, Index, String, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, Database, IdMixin, JSONType, count_where, delete_in_batches
from .scope import Actor
from .timeutil import utcnow


class AuditEntry(IdMixin, Base):
    """Who changed what, when, with the record before and after the change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_site_at", "site_id", "at"),)

    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID | None] = mapped_column()
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


SECRET_COLUMNS = {"password_hash", "token_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Column values of a record as JSON, secrets masked; `extra` adds relationship views."""
    data: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        key = attr.key
        if key in ("created_at", "updated_at"):
            continue
        value = getattr(obj, key)
        data[key] = "***" if key in SECRET_COLUMNS and value else _plain(value)
    if extra:
        data.update({k: _plain(v) for k, v in extra.items()})
    return data


def record(session: Session, actor: Actor, action: str, entity_type: str, entity_id: uuid.UUID | None,
           site_id: uuid.UUID | None, before: dict[str, Any] | None, after: dict[str, Any] | None) -> AuditEntry | None:
    """Add an audit entry to the current transaction; an update that changed nothing adds none."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    entry = AuditEntry(
        actor_id=actor.user_id, actor_label=actor.label, action=action, entity_type=entity_type,
        entity_id=entity_id, site_id=site_id, before=before, after=after,
    )
    session.add(entry)
    session.info.setdefault(_RECORDED, []).append(entry)
    return entry


_RECORDED = "satupintu_audit_recorded"


def recorded(session: Session) -> list[AuditEntry]:
    """The entries this open transaction added so far (for a before-commit hook)."""
    return list(session.info.get(_RECORDED, []))


def forget_recorded(session: Session) -> None:
    session.info.pop(_RECORDED, None)


# The audit entries the oversight figures read (a counter's open and closed time): removed only
# with the raw queue records of a day, once its rollup is kept.
COUNTER_ACTIONS = ("counter.open", "counter.close")


def _old_entries(before: datetime, site_id: uuid.UUID | None = None) -> Any:
    from sqlalchemy import and_

    if site_id is None:
        return and_(AuditEntry.at < before, AuditEntry.action.not_in(COUNTER_ACTIONS))
    return and_(AuditEntry.at < before, AuditEntry.action.in_(COUNTER_ACTIONS), AuditEntry.site_id == site_id)


def count_before(db: Database, before: datetime, site_id: uuid.UUID | None = None) -> int:
    """Entries older than `before`: the figures' counter entries of one site when `site_id` is
    given, every other entry when not."""
    return count_where(db, AuditEntry.id, _old_entries(before, site_id))


def forget_before(db: Database, before: datetime, batch: int, site_id: uuid.UUID | None = None) -> int:
    """Delete what `count_before` counts, in batches; returns how many went."""
    return delete_in_batches(db, AuditEntry.id, _old_entries(before, site_id), batch)
