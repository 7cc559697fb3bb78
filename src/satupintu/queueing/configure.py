"""A service's queue settings: its ticket letter (services sharing a letter share one
numbering) and its booking slots."""

from __future__ import annotations

import re

from .. import audit
from ..catalogue import service as catalogue
from ..catalogue.service import site_row
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_manage_agency
from .models import QueueSettings


def check_queue_settings(prefix: str, slot_minutes: int, slot_quota: int, booking_grace_minutes: int) -> None:
    """Every field's bounds at once (no I/O)."""
    errors = []
    if not re.fullmatch(r"[A-Z]{1,3}", prefix):
        errors.append(FieldError("prefix", "Huruf antrian harus 1-3 huruf kapital, misalnya A."))
    if not 5 <= slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", "Lama slot harus antara 5 dan 240 menit."))
    if not 0 <= slot_quota <= 500:
        errors.append(FieldError("slot_quota", "Kuota slot harus antara 0 dan 500."))
    if not 0 <= booking_grace_minutes <= 120:
        errors.append(FieldError("booking_grace_minutes", "Toleransi keterlambatan harus antara 0 dan 120 menit."))
    if errors:
        raise ValidationFailed(errors)


def configure_service_queue(db: Database, actor: Actor, site_code: str, service_code: str, prefix: str,
                            slot_minutes: int = 30, slot_quota: int = 0, booking_grace_minutes: int = 15) -> None:
    """Set a service's ticket letter and booking slots, audited, in one `db.write()` transaction."""
    check_queue_settings(prefix, slot_minutes, slot_quota, booking_grace_minutes)
    with db.write() as s:
        site = site_row(s, site_code)
        svc = catalogue.service_by_code(s, site.id, service_code.upper())
        if svc is None:
            raise NotFound(f"Layanan '{service_code}'", "service")
        if not can_manage_agency(actor, site.ref, svc.agency_id):
            raise Forbidden()
        qs = s.get(QueueSettings, svc.id)
        before = audit.snapshot(qs) if qs else None
        if qs is None:
            qs = QueueSettings(service_id=svc.id)
            s.add(qs)
        qs.prefix, qs.slot_minutes, qs.slot_quota, qs.booking_grace_minutes = (
            prefix, slot_minutes, slot_quota, booking_grace_minutes)
        s.flush()
        audit.record(s, actor, "service.queue", "service", svc.id, site.id, before, audit.snapshot(qs))
