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
from .bundle import Applied, BundleRefused, EventScope

__all__ = ["Applied", "BundleRefused", "apply_bundle", "event_bundle"]


def _event_scope(db: Database, event_code: str) -> tuple[EventScope, SiteRef]:
    event = catalogue.get_site(db, event_code)
    if event.kind is not catalogue.SiteKind.mobile or not event.parent_site:
        raise ValidationFailed([FieldError(
            "site", "Unit layanan keliling hanya dapat didaftarkan untuk layanan keliling (acara), "
                    "bukan untuk mal.", "not_an_event")])
    mall = catalogue.get_site(db, event.parent_site)
    return EventScope(event.id, mall.id), SiteRef(event.id, mall.id)


def event_bundle(db: Database, actor: Actor, event_code: str) -> dict[str, Any]:
    """The event's bundle for its unit: the event's manager, the mall's, or the overseer; or a
    client key of the event with the `unit:sync` scope (checked at the edge)."""
    scope, ref = _event_scope(db, event_code)
    if actor.key is None and not can_manage_site(actor, ref):
        raise Forbidden()
    if actor.key is not None and actor.site_id not in (ref.id, ref.parent_id):
        raise Forbidden()
    if actor.key is not None and actor.agency_id is not None:
        raise Forbidden("Kunci unit layanan keliling harus berlaku untuk seluruh acara, bukan satu instansi.")
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
