"""Read-mostly catalogue facts the queue needs on every call, cached briefly per database.

Sites, counters and services change rarely; the queue asks about them on every ticket and
every call. Entries live ten seconds (cache.py), so a catalogue change reaches every app
process within that time without any cross-process invalidation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import select

from ..cache import TTLCache, cache_of
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import Conflict, NotFound
from ..scope import SiteRef
from . import daywindow
from .models import DayClose, QueueSettings


@dataclass(frozen=True)
class SiteInfo:
    id: uuid.UUID
    code: str
    timezone: str
    parent_id: uuid.UUID | None
    kind: str  # "permanent" or "mobile" (the catalogue's SiteKind value)

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
    status: str = "open"  # a retired counter cannot be opened
    agency_short_name: str = ""  # said by the board's voice
    floor: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    id: uuid.UUID
    code: str
    name: str
    agency_id: uuid.UUID
    agency_code: str
    prefix: str
    standard_minutes: int | None  # the time standard when given in minutes
    daily_quota: int = 0  # tickets per local day; 0: no limit
    last_issue_time: time | None = None  # the service stops issuing at this clock time


@dataclass(frozen=True)
class DayCalendar:
    """When a site's queue day runs (catalogue calendar plus the days already closed), cached
    like the other facts: a change reaches every process within the cache's lifetime, and a
    day closed by this process is seen at once (`clear_calendar`)."""

    calendar: daywindow.Calendar
    timezone: str
    has_hours: bool  # no weekly hours entered: the site's issuing is not limited by the clock
    is_event: bool
    event_status: str
    issue_cutoff_minutes: int
    close_grace_minutes: int

    def rules(self, svc: ServiceInfo) -> daywindow.IssueRules:
        return daywindow.IssueRules(self.issue_cutoff_minutes, svc.last_issue_time, svc.daily_quota)


def _cache(db: Database) -> TTLCache:
    return cache_of(db)


def clear(db: Database) -> None:
    _cache(db).clear()


def site(db: Database, code: str) -> SiteInfo:
    def load() -> SiteInfo:
        with db.read() as s:
            row = catalogue.require_site(s, code)
            return SiteInfo(row.id, row.code, row.timezone, row.parent_site_id, row.kind)

    return _cache(db).get(("site", code), load)


def counter(db: Database, site_info: SiteInfo, number: int) -> CounterInfo:
    def load() -> CounterInfo:
        with db.read() as s:
            row = catalogue.counter_by_number(s, site_info.id, number)
            if row is None:
                raise NotFound(f"Loket {number}", "counter")
            return CounterInfo(row.id, row.number, row.agency_id, catalogue.counter_service_ids(s, row.id),
                               row.status, row.agency_short_name, row.floor)

    return _cache(db).get(("counter", site_info.id, number), load)


def _service_info(s: Any, svc: catalogue.ServiceFacts) -> ServiceInfo:
    agency = catalogue.agency(s, svc.agency_id)
    agency_code = (agency.code if agency else "") or "A"
    qs = s.get(QueueSettings, svc.id)
    minutes = svc.time_value if svc.time_unit == "minutes" else None
    return ServiceInfo(svc.id, svc.code, svc.name, svc.agency_id, agency_code,
                       qs.prefix if qs else agency_code[0].upper(), minutes,
                       (qs.daily_quota or 0) if qs else 0, qs.last_issue_time if qs else None)


def offered_service(db: Database, site_info: SiteInfo, code: str, field: str = "service") -> ServiceInfo:
    """A published service offered at this site (for an event: one it was chosen to offer)
    that an open or planned counter of the site serves: no ticket, booking or referral for a
    service nobody here would call."""
    def load() -> ServiceInfo:
        with db.read() as s:
            svc = catalogue.published_offered_service(s, site_info, code)
            if svc is None:
                raise NotFound(f"Layanan '{code}'", field)
            if not catalogue.is_served(s, site_info.id, svc.id):
                raise Conflict("not_served", f"Layanan '{svc.name}' belum dilayani loket mana pun di lokasi ini.",
                               field)
            return _service_info(s, svc)

    return _cache(db).get(("offered", site_info.id, code.upper()), load)


def service_by_id(db: Database, service_id: uuid.UUID) -> ServiceInfo:
    def load() -> ServiceInfo:
        with db.read() as s:
            svc = catalogue.service(s, service_id)
            if svc is None:
                raise NotFound("Layanan", "service")
            return _service_info(s, svc)

    return _cache(db).get(("service", service_id), load)


def counter_number(db: Database, counter_id: uuid.UUID) -> int:
    def load() -> int:
        with db.read() as s:
            number = catalogue.counter_number(s, counter_id)
            if number is None:
                raise NotFound("Loket", "counter")
            return number

    return _cache(db).get(("counter-number", counter_id), load)



def load_calendar(s: Any, site_id: uuid.UUID) -> DayCalendar:
    """The site's day calendar read in the caller's session (the day closer, the day page)."""
    cal = catalogue.site_calendar(s, site_id)
    if cal is None:
        raise NotFound("MPP atau lokasi layanan", "site")
    done = frozenset(s.scalars(select(DayClose.local_date).where(DayClose.site_id == site_id)))
    return DayCalendar(daywindow.Calendar(cal.hours, cal.closed | done, cal.starts_on, cal.ends_on), cal.timezone,
                       bool(cal.hours), cal.is_event, cal.event_status, cal.issue_cutoff_minutes,
                       cal.close_grace_minutes)


def calendar(db: Database, site_info: SiteInfo) -> DayCalendar:
    """The site's day calendar, cached (two small reads on a miss, none on the hot path)."""
    def load() -> DayCalendar:
        with db.read() as s:
            return load_calendar(s, site_info.id)

    return _cache(db).get(("calendar", site_info.id), load)


def clear_calendar(db: Database, site_id: uuid.UUID) -> None:
    """Forget a site's cached calendar (its day was closed, its settings changed)."""
    _cache(db).forget(("calendar", site_id))
