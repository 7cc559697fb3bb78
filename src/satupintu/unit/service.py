"""The mobile service unit's use cases: the centre's bundle for an event, and applying it.

Down sync (this module, first step of the unit): the centre builds the event's bundle of
centre-owned rows (bundle.py, ownership.py); the unit applies it in one transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import DomainError, FieldError, Forbidden, ValidationFailed
from ..migrate import current_revision
from ..scope import Actor, SiteRef, can_manage_site
from . import bundle as bundles
from . import receive
from .bundle import Applied, BundleRefused, EventScope
from .receive import Received, Refusal

__all__ = ["Applied", "BundleRefused", "Received", "Refusal", "apply_bundle", "event_bundle", "event_of",
           "may_sync", "receive_records"]


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
        return bundles.build(conn, scope, current_revision(db.engine))


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
