"""A service's queue settings: its ticket letter (services sharing a letter share one
numbering: a queue group), its daily ticket quota and last issue time, and its booking slots.

Only stored here; issuing enforces the quota and the last issue time (tickets.py)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select

from .. import audit
from ..cache import cache_of
from ..catalogue import service as catalogue
from ..catalogue.service import site_row
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_manage_agency, can_manage_site
from .models import QueueSettings
from .schemas import QueueGroup, QueueSettingsIn, QueueSettingsOut

DEFAULTS = QueueSettingsIn(prefix="A")


def check_queue_settings(prefix: str, slot_minutes: int, slot_quota: int, booking_grace_minutes: int,
                         daily_quota: int = 0, last_issue_time: time | None = None) -> None:
    """Every field's bounds at once (no I/O)."""
    errors = []
    if not re.fullmatch(r"[A-Z]{1,3}", prefix):
        errors.append(FieldError("prefix", "Huruf antrean harus 1-3 huruf kapital, misalnya A."))
    if not 5 <= slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", "Lama slot harus antara 5 dan 240 menit."))
    if not 0 <= slot_quota <= 500:
        errors.append(FieldError("slot_quota", "Kuota slot harus antara 0 dan 500."))
    if not 0 <= booking_grace_minutes <= 120:
        errors.append(FieldError("booking_grace_minutes", "Toleransi keterlambatan harus antara 0 dan 120 menit."))
    if not 0 <= daily_quota <= 5000:
        errors.append(FieldError("daily_quota", "Kuota tiket harian harus antara 0 (tanpa batas) dan 5000."))
    if last_issue_time is not None and (last_issue_time.second or last_issue_time.microsecond):
        errors.append(FieldError("last_issue_time", "Jam terakhir ambil tiket ditulis jam:menit, misalnya 14:00."))
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class GroupMember:
    service_code: str
    service_name: str
    agency_code: str


@dataclass
class Group:
    prefix: str
    members: list[GroupMember] = field(default_factory=list)

    @property
    def agencies(self) -> list[str]:
        return sorted({m.agency_code for m in self.members})

    @property
    def shared_across_agencies(self) -> bool:
        return len(self.agencies) > 1


def queue_groups(members: Iterable[tuple[str, GroupMember]]) -> list[Group]:
    """Services by ticket letter (no I/O): each letter is one numbering for the day, so the
    services sharing it are one queue group; by letter, members by code."""
    groups: dict[str, Group] = defaultdict(lambda: Group(""))
    for prefix, member in members:
        group = groups[prefix]
        group.prefix = prefix
        group.members.append(member)
    for group in groups.values():
        group.members.sort(key=lambda m: m.service_code)
    return [groups[p] for p in sorted(groups)]


def _out(svc: catalogue.ServiceFacts, agency_code: str, qs: QueueSettings | None) -> QueueSettingsOut:
    if qs is None:
        return QueueSettingsOut(service=svc.code, service_name=svc.name, agency=agency_code, configured=False,
                                **DEFAULTS.model_dump(exclude={"prefix"}), prefix=agency_code[:1].upper() or "A")
    return QueueSettingsOut(service=svc.code, service_name=svc.name, agency=agency_code, configured=True,
                            prefix=qs.prefix, slot_minutes=qs.slot_minutes, slot_quota=qs.slot_quota,
                            booking_grace_minutes=qs.booking_grace_minutes, booking_enabled=qs.booking_enabled,
                            daily_quota=qs.daily_quota, last_issue_time=qs.last_issue_time)


def site_queue_settings(db: Database, actor: Actor, site_code: str) -> tuple[list[QueueSettingsOut], list[QueueGroup]]:
    """Every service of a mall with its queue settings (a service never set up takes its
    agency's first letter), and the queue groups those letters make."""
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        services = catalogue.services_of_site(s, site.home_id)
        codes = catalogue.agency_codes(s, site.home_id)
        settings = {qs.service_id: qs for qs in s.scalars(select(QueueSettings).where(
            QueueSettings.service_id.in_([svc.id for svc in services])))} if services else {}
        rows = [_out(svc, codes.get(svc.agency_id, ""), settings.get(svc.id)) for svc in services]
    groups = queue_groups((r.prefix, GroupMember(r.service, r.service_name, r.agency)) for r in rows)
    return rows, [QueueGroup(prefix=g.prefix, services=[m.service_code for m in g.members], agencies=g.agencies,
                             shared_across_agencies=g.shared_across_agencies) for g in groups]


def service_queue_settings(db: Database, actor: Actor, site_code: str, service_code: str) -> QueueSettingsOut:
    """One service's queue settings, for its form."""
    rows, _ = site_queue_settings(db, actor, site_code)
    found = next((r for r in rows if r.service == service_code.upper()), None)
    if found is None:
        raise NotFound(f"Layanan '{service_code}'", "service")
    return found


def configure_service_queue(db: Database, actor: Actor, site_code: str, service_code: str, prefix: str,
                            slot_minutes: int = 30, slot_quota: int = 0, booking_grace_minutes: int = 15,
                            booking_enabled: bool = True, daily_quota: int = 0,
                            last_issue_time: time | None = None) -> QueueSettingsOut:
    """Set a service's ticket letter, daily quota, last issue time and booking slots, audited,
    in one `db.write()` transaction; every refused field is named at once."""
    check_queue_settings(prefix, slot_minutes, slot_quota, booking_grace_minutes, daily_quota, last_issue_time)
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
        qs.booking_enabled, qs.daily_quota, qs.last_issue_time = booking_enabled, daily_quota, last_issue_time
        s.flush()
        audit.record(s, actor, "service.queue", "service", svc.id, site.id, before, audit.snapshot(qs))
        out = _out(svc, catalogue.agency_codes(s, site.id).get(svc.agency_id, ""), qs)
    cache_of(db).clear()  # the cached ticket letter of the service changes
    return out


def configure(db: Database, actor: Actor, site_code: str, service_code: str, data: QueueSettingsIn
              ) -> QueueSettingsOut:
    """The API's and the page's form of configure_service_queue."""
    return configure_service_queue(db, actor, site_code, service_code, **data.model_dump())
