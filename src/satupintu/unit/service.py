"""The mobile service unit's use cases: the centre's bundle for an event, and applying it.

Down sync (this module, first step of the unit): the centre builds the event's bundle of
centre-owned rows (bundle.py, ownership.py); the unit applies it in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from .. import audit
from ..applications import service as applications
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import DomainError, FieldError, Forbidden, ValidationFailed
from ..feedback import complaints as complaint_rules
from ..handovers import HandedOver
from ..migrate import current_revision
from ..scope import Actor, SiteRef, can_manage_site
from . import bundle as bundles
from . import handover, ownership, receive
from .bundle import Applied, BundleRefused, EventScope
from .models import RefusedRecord
from .receive import Received, Refusal

__all__ = ["Applied", "BundleRefused", "HandedOverRecord", "Received", "RefusedRow", "Refusal", "apply_bundle",
           "event_bundle", "event_of", "handed_over_records", "keep_refusals", "may_sync", "receive_records",
           "refused_rows"]


def event_of(db: Database, event_code: str) -> tuple[catalogue.SiteOut, SiteRef]:
    """A mobile event and its place in the access rules; a mall (not an event) is refused by name."""
    event = catalogue.get_site(db, event_code)
    if event.kind is not catalogue.SiteKind.mobile or not event.parent_site:
        raise ValidationFailed([FieldError(
            "site", "Unit layanan keliling hanya dapat didaftarkan untuk layanan keliling (acara), "
                    "bukan untuk mal.", "not_an_event")])
    mall = catalogue.get_site(db, event.parent_site)
    return event, SiteRef(event.id, mall.id)


def _event_scope(db: Database, event_code: str) -> tuple[EventScope, SiteRef]:
    event, ref = event_of(db, event_code)
    assert ref.parent_id is not None
    return EventScope(event.id, ref.parent_id), ref


def may_sync(actor: Actor, ref: SiteRef) -> None:
    """The event's manager, the mall's, or the overseer; or a client key of the event (or its
    mall) for the whole site, with the `unit:sync` scope (checked at the edge)."""
    if actor.key is None and not can_manage_site(actor, ref):
        raise Forbidden()
    if actor.key is not None and actor.site_id not in (ref.id, ref.parent_id):
        raise Forbidden()
    if actor.key is not None and actor.agency_id is not None:
        raise Forbidden("Kunci unit layanan keliling harus berlaku untuk seluruh acara, bukan satu instansi.")


def event_bundle(db: Database, actor: Actor, event_code: str) -> dict[str, Any]:
    """The event's bundle for its unit (down)."""
    scope, ref = _event_scope(db, event_code)
    may_sync(actor, ref)
    with db.read() as s:
        conn = s.connection()
        out = bundles.build(conn, scope, current_revision(db.engine))
        # The event's complaints and applications with their history: the unit takes the
        # centre's state of those the centre has worked (hand-over). An older unit ignores it.
        out["handover"] = handover.section(conn, scope.event_id)
        return out


def apply_bundle(db: Database, actor: Actor, bundle: dict[str, Any]) -> Applied:
    """Apply the centre's bundle at the unit, whole or not at all; audited when it changed rows."""
    schema = current_revision(db.engine)
    try:
        bundles.check_compatible(bundle, schema)
    except BundleRefused as exc:
        raise DomainError(exc.code, exc.message, "bundle") from exc
    with db.write() as s:
        try:
            done = bundles.apply(s.connection(), bundle, schema)
            for name, n in handover.apply(s.connection(), bundle.get("handover")).items():
                done.written[name] = done.written.get(name, 0) + n
        except BundleRefused as exc:
            raise DomainError(exc.code, exc.message, "bundle") from exc
        if done.total:
            event_id = uuid.UUID(bundle["event_id"])
            audit.record(s, actor, "unit.bundle_applied", "site", event_id, event_id, None,
                         {"written": done.written, "removed": done.removed, "release": bundle.get("release")})
    return done


def receive_records(db: Database, actor: Actor, event_code: str, batch: dict[str, Any]) -> Received:
    """Apply a batch of the unit's rows at the centre (up), in one transaction: written by primary
    key, refused rows reported with their reason; audited when it wrote something."""
    scope, ref = _event_scope(db, event_code)
    may_sync(actor, ref)
    if not isinstance(batch, dict) or not isinstance(batch.get("tables"), dict):
        raise ValidationFailed([FieldError("tables", "Kiriman unit tidak dapat dibaca.", "invalid")])
    if batch.get("format") != receive.FORMAT:
        raise DomainError("version_mismatch", (
            f"Unit mengirim format {batch.get('format')}, pusat membaca format {receive.FORMAT}. Pasang SatuPintu "
            f"versi yang sama dengan pusat di unit ini, lalu sinkronkan lagi; data unit tetap tersimpan."), "format")
    with db.write() as s:
        done = receive.apply_batch(s.connection(), scope.event_id, batch)
        if done.written:
            audit.record(s, actor, "unit.records_received", "site", scope.event_id, scope.event_id, None,
                         {"written": done.written, "refused": len(done.refused), "release": batch.get("release")})
    return done


@dataclass(frozen=True)
class HandedOverRecord:
    table: str
    id: uuid.UUID
    label: str  # the tracking code the staff know it by
    state: str  # its state at the centre
    at: datetime
    state_label: str = ""  # what staff read for that state
    kind: str = ""  # what staff call the record ("Pengaduan", "Permohonan")


@dataclass(frozen=True)
class RefusedRow:
    table: str
    id: str
    code: str
    reason: str
    at: datetime


def _state_label(db: Database, table: str, record_id: uuid.UUID, state: str, lang: str) -> str:
    if table == "complaints":
        try:
            pair = complaint_rules.STATE_LABELS[complaint_rules.State(state)]
        except ValueError:  # a state this release does not know (the centre is newer)
            return state
        return pair[0] if lang == "id" else pair[1]
    return applications.state_label(db, record_id, state, lang)


def handed_over_records(db: Database, lang: str = "id") -> list[HandedOverRecord]:
    """At the unit: the records the centre took over, newest first (for the status page), each
    with its state at the centre as staff read it."""
    with db.read() as s:
        rows = [HandedOverRecord(r.table_name, r.record_id, r.label, r.state, r.handed_over_at)
                for r in s.scalars(select(HandedOver).order_by(HandedOver.handed_over_at.desc()))]
    return [replace(r, state_label=_state_label(db, r.table, r.id, r.state, lang),
                    kind=ownership.record_name(r.table, lang)) for r in rows]


def refused_rows(db: Database, limit: int = 50) -> list[RefusedRow]:
    """At the unit: the rows the centre refused at a push and why, newest first."""
    with db.read() as s:
        return [RefusedRow(r.table_name, r.row_id, r.code, r.reason, r.refused_at)
                for r in s.scalars(select(RefusedRecord).order_by(RefusedRecord.refused_at.desc()).limit(limit))]


def keep_refusals(db: Database, refused: Iterable[tuple[str, str, str, str]]) -> int:
    """At the unit: keep the rows a push had refused (table, id, code, reason) for the status page."""
    with db.write() as s:
        return handover.keep_refusals(s.connection(), refused)
