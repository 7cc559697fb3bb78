"""Read-mostly catalogue facts the queue needs on every call, cached briefly per database.

Sites, counters and services change rarely; the queue asks about them on every ticket and
every call. Entries live ten seconds (cache.py), so a catalogue change reaches every app
process within that time without any cross-process invalidation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..cache import TTLCache, cache_of
from ..catalogue.models import (
    Agency,
    Counter,
    Service,
    ServiceStatus,
    Site,
    SiteKind,
    TimeUnit,
    counter_services,
)
from ..catalogue.service import is_served, offered_services_query
from ..db import Database
from ..errors import Conflict, NotFound
from ..scope import SiteRef
from .models import QueueSettings


@dataclass(frozen=True)
class SiteInfo:
    id: uuid.UUID
    code: str
    timezone: str
    parent_id: uuid.UUID | None
    kind: SiteKind

    @property
    def ref(self) -> SiteRef:
        """The cached site as the scope rules see it (a mobile event under its mall)."""
        return SiteRef(self.id, self.parent_id)


@dataclass(frozen=True)
class CounterInfo:
    id: uuid.UUID
    number: int
    agency_id: uuid.UUID
    service_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ServiceInfo:
    id: uuid.UUID
    code: str
    name: str
    agency_id: uuid.UUID
    agency_code: str
    prefix: str
    standard_minutes: int | None  # the time standard when given in minutes


def _cache(db: Database) -> TTLCache:
    return cache_of(db)


def clear(db: Database) -> None:
    _cache(db).clear()


def site(db: Database, code: str) -> SiteInfo:
    def load() -> SiteInfo:
        with db.read() as s:
            row = s.scalar(select(Site).where(Site.code == code))
            if row is None:
                raise NotFound("MPP atau lokasi layanan", "site")
            return SiteInfo(row.id, row.code, row.timezone, row.parent_site_id, row.kind)

    return _cache(db).get(("site", code), load)


def counter(db: Database, site_info: SiteInfo, number: int) -> CounterInfo:
    def load() -> CounterInfo:
        with db.read() as s:
            row = s.scalar(select(Counter).where(Counter.site_id == site_info.id, Counter.number == number))
            if row is None:
                raise NotFound(f"Loket {number}", "counter")
            ids = tuple(s.scalars(select(counter_services.c.service_id).where(counter_services.c.counter_id == row.id)))
            return CounterInfo(row.id, row.number, row.agency_id, ids)

    return _cache(db).get(("counter", site_info.id, number), load)


def _service_info(s: Any, svc: Service) -> ServiceInfo:
    agency_code = s.scalar(select(Agency.code).where(Agency.id == svc.agency_id)) or "A"
    qs = s.get(QueueSettings, svc.id)
    minutes = svc.time_value if svc.time_unit is TimeUnit.minutes else None
    return ServiceInfo(svc.id, svc.code, svc.name, svc.agency_id, agency_code,
                       qs.prefix if qs else agency_code[0].upper(), minutes)


def offered_service(db: Database, site_info: SiteInfo, code: str, field: str = "service") -> ServiceInfo:
    """A published service offered at this site (for an event: one it was chosen to offer)
    that an open or planned counter of the site serves: no ticket, booking or referral for a
    service nobody here would call."""
    def load() -> ServiceInfo:
        with db.read() as s:
            q = offered_services_query(site_info, eager=False).where(
                Service.code == code.upper(), Service.status == ServiceStatus.published)
            svc = s.scalar(q)
            if svc is None:
                raise NotFound(f"Layanan '{code}'", field)
            if not is_served(s, site_info.id, svc.id):
                raise Conflict("not_served", f"Layanan '{svc.name}' belum dilayani loket mana pun di lokasi ini.",
                               field)
            return _service_info(s, svc)

    return _cache(db).get(("offered", site_info.id, code.upper()), load)


def service_by_id(db: Database, service_id: uuid.UUID) -> ServiceInfo:
    def load() -> ServiceInfo:
        with db.read() as s:
            svc = s.get(Service, service_id)
            if svc is None:
                raise NotFound("Layanan", "service")
            return _service_info(s, svc)

    return _cache(db).get(("service", service_id), load)


def counter_number(db: Database, counter_id: uuid.UUID) -> int:
    def load() -> int:
        with db.read() as s:
            number = s.scalar(select(Counter.number).where(Counter.id == counter_id))
            if number is None:
                raise NotFound("Loket", "counter")
            return int(number)

    return _cache(db).get(("counter-number", counter_id), load)

