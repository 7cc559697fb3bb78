"""Mobile service events (Pelayanan Bergerak) as their mall's manager keeps them: the mall's list
of events, creating one (its place, dates, hours and services in one transaction), what an event
offers and where, and opening and closing it. Re-exported by catalogue.service.

An event is a site of kind 'mobile' whose parent is the mall: its agencies and services are the
mall's (a chosen subset, `site_offerings`), its counters and queue are its own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..db import Database
from ..errors import Conflict, Errors, FieldError, Forbidden, NotFound, ValidationFailed
from ..schemas import Strict
from ..scope import Actor, can_manage_site, can_read_site
from ..timeutil import INDONESIAN_ZONES, utcnow, zone_label
from .event_rules import can_change, open_problems, suggest_code
from .hours import WEEKDAYS, parse_hours
from .models import (
    Agency,
    Counter,
    CounterStatus,
    EventStatus,
    OpeningHours,
    Service,
    ServiceStatus,
    Site,
    SiteKind,
    counter_services,
    site_offerings,
)

__all__ = ["EventAgency", "EventCounter", "EventIn", "EventOut", "EventService", "EventView", "create_mobile_event",
           "event_view", "list_events", "set_event_status", "suggest_code"]

STATUS_LABELS = {"planned": ("Direncanakan", "Planned"), "open": ("Buka", "Open"), "closed": ("Selesai", "Closed")}


class EventIn(Strict):
    name: str = Field(min_length=3, max_length=200)
    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    address: str = Field(min_length=3, max_length=2000)
    starts_on: date
    ends_on: date
    timezone: str | None = None  # the mall's when not given
    opening_hours: dict[str, list[str]] = Field(default_factory=dict)
    services: list[str] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v and v not in INDONESIAN_ZONES:
            raise ValueError("zona waktu harus salah satu dari: " + ", ".join(INDONESIAN_ZONES))
        return v or None


class EventOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    address: str
    parent_site: str
    timezone: str
    zone_label: str
    starts_on: date
    ends_on: date
    status: EventStatus
    opening_hours: dict[str, list[str]]
    service_count: int = 0
    counter_count: int = 0


@dataclass(frozen=True)
class EventService:
    code: str
    name: str
    chosen: bool
    counters: tuple[int, ...]  # the event's counters serving it


@dataclass(frozen=True)
class EventAgency:
    code: str
    name: str
    services: tuple[EventService, ...]


@dataclass(frozen=True)
class EventCounter:
    number: int
    name: str
    agency_code: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class EventView:
    event: EventOut
    agencies: tuple[EventAgency, ...]  # the mall's agencies with their published services
    counters: tuple[EventCounter, ...]
    next_statuses: tuple[str, ...]
    open_problems: tuple[tuple[str, str], ...] = field(default=())


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _mall(s: Session, code: str) -> Site:
    site = s.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound("MPP", "site")
    if site.kind is not SiteKind.permanent:
        raise ValidationFailed([_err("site", "Pelayanan bergerak dikelola dari MPP induknya.")])
    return site


def _err(field_name: str, message: str) -> FieldError:
    return FieldError(field_name, message)


def _event(s: Session, code: str, parent: Site | None = None) -> Site:
    event = s.scalar(select(Site).where(Site.code == code, Site.kind == SiteKind.mobile)
                     .options(selectinload(Site.opening_hours), selectinload(Site.parent)))
    if event is None or (parent is not None and event.parent_site_id != parent.id):
        raise NotFound("Kegiatan pelayanan bergerak", "event")
    return event


def _chosen_ids(s: Session, event: Site) -> set[uuid.UUID]:
    return set(s.scalars(select(site_offerings.c.service_id).where(site_offerings.c.site_id == event.id)))


def _served_ids(s: Session, event: Site) -> set[uuid.UUID]:
    """Services a planned or open counter of the event serves."""
    return set(s.scalars(select(counter_services.c.service_id)
                         .join(Counter, Counter.id == counter_services.c.counter_id)
                         .where(Counter.site_id == event.id, Counter.status != CounterStatus.retired)))


def _event_out(s: Session, event: Site) -> EventOut:
    assert event.parent is not None and event.starts_on is not None and event.ends_on is not None
    counters = s.scalar(select(func.count()).select_from(Counter).where(Counter.site_id == event.id)) or 0
    return EventOut(
        id=event.id, code=event.code, name=event.name, address=event.address, parent_site=event.parent.code,
        timezone=event.timezone, zone_label=zone_label(event.timezone), starts_on=event.starts_on,
        ends_on=event.ends_on, status=EventStatus(event.event_status),
        opening_hours={WEEKDAYS[h.weekday]: [h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M")]
                       for h in event.opening_hours},
        service_count=len(_chosen_ids(s, event)), counter_count=counters)


def list_events(db: Database, actor: Actor, parent_code: str) -> list[EventOut]:
    """The mall's mobile events, the latest first."""
    with db.read() as s:
        mall = _mall(s, parent_code)
        _require(can_read_site(actor, mall.ref))
        events = s.scalars(select(Site).where(Site.parent_site_id == mall.id, Site.kind == SiteKind.mobile)
                           .options(selectinload(Site.opening_hours), selectinload(Site.parent))
                           .order_by(Site.starts_on.desc(), Site.name)).all()
        return [_event_out(s, e) for e in events]


def create_mobile_event(db: Database, actor: Actor, parent_code: str, data: EventIn) -> EventOut:
    """Create an event of the mall with its hours and chosen services: every problem is found
    first and reported by field, then everything is written in one transaction. It starts
    'planned' (no ticket is issued until its manager opens it)."""
    with db.write() as s:
        mall = _mall(s, parent_code)
        _require(can_manage_site(actor, mall.ref))
        errors = Errors()
        if s.scalar(select(Site.id).where(Site.code == data.code)):
            errors.add("code", f"Kode '{data.code}' sudah dipakai; pilih kode lain.", "duplicate")
        if data.ends_on < data.starts_on:
            errors.add("ends_on", "Tanggal selesai harus sama dengan atau setelah tanggal mulai.")
        hours, hour_errors = parse_hours(data.opening_hours)
        errors.items.extend(hour_errors)
        if not hours and not hour_errors:
            errors.add("opening_hours", "Isi jam layanan minimal untuk satu hari.", "required")
        wanted = {c.upper() for c in data.services}
        found = {svc.code.upper(): svc for svc in s.scalars(
            select(Service).where(Service.site_id == mall.id, Service.status == ServiceStatus.published))}
        missing = sorted(wanted - set(found))
        if missing:
            errors.add("services", f"Layanan tidak ditemukan di MPP ini: {', '.join(missing)}.")
        errors.raise_if_any()
        event = Site(code=data.code, name=data.name, kind=SiteKind.mobile, address=data.address,
                     timezone=data.timezone or mall.timezone, parent_site_id=mall.id, parent=mall,
                     starts_on=data.starts_on, ends_on=data.ends_on, event_status=EventStatus.planned.value,
                     issue_cutoff_minutes=mall.issue_cutoff_minutes, close_grace_minutes=mall.close_grace_minutes,
                     opening_hours=[OpeningHours(weekday=d, opens=o, closes=c) for d, (o, c) in sorted(hours.items())],
                     closures=[])
        s.add(event)
        s.flush()
        if wanted:
            s.execute(site_offerings.insert(), [{"site_id": event.id, "service_id": found[c].id}
                                                for c in sorted(wanted)])
        out = _event_out(s, event)
        audit.record(s, actor, "event.create", "site", event.id, event.id, None,
                     {**out.model_dump(mode="json"), "services": sorted(found[c].code for c in wanted)})
        return out


def event_view(db: Database, actor: Actor, parent_code: str, event_code: str) -> EventView:
    """One event as its page shows it: the mall's agencies and services (which are chosen, which
    counter serves them), its counters, and the status changes open to it now."""
    with db.read() as s:
        mall = _mall(s, parent_code)
        _require(can_read_site(actor, mall.ref))
        event = _event(s, event_code, mall)
        chosen = _chosen_ids(s, event)
        counters = s.scalars(select(Counter).where(Counter.site_id == event.id)
                             .options(selectinload(Counter.agency), selectinload(Counter.services))
                             .order_by(Counter.number)).all()
        serving: dict[uuid.UUID, list[int]] = {}
        for c in counters:
            if c.status is not CounterStatus.retired:
                for svc in c.services:
                    serving.setdefault(svc.id, []).append(c.number)
        agencies = s.scalars(select(Agency).where(Agency.site_id == mall.id).order_by(Agency.name)
                             .options(selectinload(Agency.services))).all()
        groups = tuple(
            EventAgency(a.code, a.name, tuple(EventService(svc.code, svc.name, svc.id in chosen,
                                                           tuple(serving.get(svc.id, ())))
                                              for svc in a.services
                                              if svc.status is ServiceStatus.published or svc.id in chosen))
            for a in agencies)
        out = _event_out(s, event)
        served = len(chosen & set(serving))
        return EventView(
            event=out, agencies=tuple(g for g in groups if g.services),
            counters=tuple(EventCounter(c.number, c.name, c.agency.code, tuple(x.code for x in c.services))
                           for c in counters),
            next_statuses=tuple(x for x in ("open", "closed") if can_change(out.status.value, x)),
            open_problems=tuple(open_problems(len(chosen), served)))


def set_event_status(db: Database, actor: Actor, event_code: str, status: EventStatus) -> EventOut:
    """Open an event (only when each service it offers has a counter) or close it."""
    with db.write() as s:
        event = _event(s, event_code)
        _require(can_manage_site(actor, event.ref))
        current = event.event_status
        if not can_change(current, status.value):
            raise Conflict("invalid_status",
                           f"Kegiatan berstatus {STATUS_LABELS[current][0].lower()} tidak dapat diubah menjadi "
                           f"{STATUS_LABELS[status.value][0].lower()}.", "status")
        if status is EventStatus.open:
            chosen = _chosen_ids(s, event)
            problems = open_problems(len(chosen), len(chosen & _served_ids(s, event)))
            if problems:
                raise ValidationFailed([_err(f, m) for f, m in problems])
        event.event_status = status.value
        event.updated_at = utcnow()
        s.flush()
        audit.record(s, actor, f"event.{status.value}", "site", event.id, event.id, {"status": current},
                     {"status": status.value})
        return _event_out(s, event)
