"""Named reads of catalogue facts for other capabilities: sites, agencies, services, opening
hours and closures, as plain values, inside the caller's session (its transaction decides).

Other capabilities call these instead of joining the catalogue's tables; each function stands
alone, and they are listed in `__all__` and sorted by name.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..scope import SiteRef
from .agreements import lapsed
from .hours import Hours
from .models import (
    Agency,
    Agreement,
    Counter,
    OpeningHours,
    Service,
    Site,
    SiteClosure,
    SiteKind,
    counter_services,
)
from .standard import TEXT_COMPONENTS

__all__ = [
    "AgencyFacts",
    "CounterFacts",
    "ServiceCodes",
    "ServiceFacts",
    "SiteFacts",
    "agency",
    "agency_by_code",
    "agency_codes",
    "agency_names",
    "agency_service_codes",
    "agency_short_names",
    "closed_dates",
    "counter",
    "counter_by_number",
    "counter_ids_serving",
    "counter_number",
    "counter_service_codes",
    "counter_service_ids",
    "events_of",
    "first_agency_id_with_code",
    "lapsed_agency_ids",
    "opening_hours",
    "require_site",
    "service",
    "service_by_code",
    "service_agency_short_names",
    "service_codes",
    "service_ids_of_agency",
    "services",
    "services_of_site",
    "site",
    "site_agencies",
    "site_address",
    "site_by_code",
    "site_calendar",
    "site_codes",
    "site_counter_floors",
    "site_counters",
    "site_opening_minutes",
    "site_timezones",
    "standard_rows",
    "site_weekday_opening_minutes",
]


@dataclass(frozen=True)
class AgencyFacts:
    id: uuid.UUID
    site_id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class ServiceFacts:
    id: uuid.UUID
    site_id: uuid.UUID
    agency_id: uuid.UUID
    code: str
    name: str
    requirements: tuple[str, ...]
    time_value: int | None
    time_unit: str | None  # "minutes" or "working_days"


@dataclass(frozen=True)
class SiteFacts:
    id: uuid.UUID
    code: str
    name: str
    timezone: str
    parent_site_id: uuid.UUID | None  # a mobile event's mall
    kind: str = "permanent"  # "permanent" or "mobile" (SiteKind)
    starts_on: date | None = None  # a mobile event's dates
    ends_on: date | None = None

    @property
    def is_event(self) -> bool:
        return self.kind == SiteKind.mobile.value

    @property
    def ref(self) -> SiteRef:
        """The site as the scope rules see it."""
        return SiteRef(self.id, self.parent_site_id)

    @property
    def home_id(self) -> uuid.UUID:
        """The permanent site whose agencies and services this site uses."""
        return self.parent_site_id or self.id


@dataclass(frozen=True)
class SiteCalendar:
    """What decides when a site's queue day runs, as plain values: weekly hours (a mobile event
    without its own uses its mall's), closed dates, an event's dates and status, the issuing
    cut-off and the close grace."""

    id: uuid.UUID
    code: str
    timezone: str
    hours: dict[int, tuple[time, time]]
    closed: frozenset[date]
    starts_on: date | None
    ends_on: date | None
    is_event: bool
    event_status: str
    issue_cutoff_minutes: int
    close_grace_minutes: int


@dataclass(frozen=True)
class CounterFacts:
    """A counter (loket) as other capabilities see it, with its agency's code."""

    id: uuid.UUID
    number: int
    name: str
    agency_id: uuid.UUID
    agency_code: str
    agency_short_name: str = ""
    status: str = "open"  # open | planned | retired (CounterStatus)
    floor: str = ""  # e.g. "Lantai 2"; "" when not set
    location: str = ""  # e.g. "sayap timur"; "" when not set


class ServiceCodes(NamedTuple):
    """A service's code and its agency's code."""

    code: str
    agency_code: str


# The columns of CounterFacts, in order; statements are immutable, so one is shared.
_COUNTER_FACTS = select(Counter.id, Counter.number, Counter.name, Counter.agency_id, Agency.code,
                        Agency.short_name, Counter.status, Counter.floor, Counter.location
                        ).join(Agency, Agency.id == Counter.agency_id)


def _counter(row: Any) -> CounterFacts:
    counter_id, number, name, agency_id, agency_code, short_name, status, floor, location = row
    return CounterFacts(counter_id, number, name, agency_id, agency_code, short_name or "",
                        status.value if hasattr(status, "value") else str(status), floor or "", location or "")


def _agency(row: Agency) -> AgencyFacts:
    return AgencyFacts(row.id, row.site_id, row.code, row.name)


def _service(row: Service) -> ServiceFacts:
    return ServiceFacts(row.id, row.site_id, row.agency_id, row.code, row.name, tuple(row.requirements or ()),
                        row.time_value, row.time_unit.value if row.time_unit else None)


def _site(row: Site) -> SiteFacts:
    return SiteFacts(row.id, row.code, row.name, row.timezone, row.parent_site_id, row.kind.value, row.starts_on,
                     row.ends_on)


def agency(s: Session, agency_id: uuid.UUID) -> AgencyFacts | None:
    """An agency by id; None when there is none."""
    row = s.get(Agency, agency_id)
    return _agency(row) if row else None


def agency_by_code(s: Session, site_id: uuid.UUID, code: str) -> AgencyFacts | None:
    """The agency with exactly this code at a (permanent) site; None when there is none."""
    row = s.scalar(select(Agency).where(Agency.site_id == site_id, Agency.code == code))
    return _agency(row) if row else None


def agency_codes(s: Session, site_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The code of each agency of a site, by agency id."""
    return {agency_id: code for agency_id, code in s.execute(select(Agency.id, Agency.code)
                                                             .where(Agency.site_id == site_id))}


def agency_names(s: Session, agency_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name of each of these agencies that exists, by id."""
    if not agency_ids:
        return {}
    return {agency_id: name for agency_id, name in s.execute(select(Agency.id, Agency.name)
                                                             .where(Agency.id.in_(agency_ids)))}


def closed_dates(s: Session, site_ids: Collection[uuid.UUID]) -> list[date]:
    """The dates on which any of these sites is closed (holidays and closures entered by staff)."""
    return list(s.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id.in_(site_ids))))


def events_of(s: Session, site_id: uuid.UUID) -> list[SiteFacts]:
    """The mobile service events a mall runs, by code."""
    return [_site(row) for row in s.scalars(select(Site).where(Site.parent_site_id == site_id).order_by(Site.code))]


def first_agency_id_with_code(s: Session, code: str) -> uuid.UUID | None:
    """The id of the first agency found with exactly this code, at any site."""
    return s.scalar(select(Agency.id).where(Agency.code == code))


def lapsed_agency_ids(s: Session, home_site_id: uuid.UUID, today: date) -> frozenset[uuid.UUID]:
    """The agencies of a (permanent) site whose cooperation has lapsed on `today` (a date in the
    site's own zone): each had an agreement and none is in force that day (agreements.lapsed).
    Their services take no online booking. Agencies with no agreement recorded are not listed."""
    spans: dict[uuid.UUID, list[tuple[date, date]]] = defaultdict(list)
    for agency_id, starts_on, ends_on in s.execute(
            select(Agreement.agency_id, Agreement.starts_on, Agreement.ends_on)
            .join(Agency, Agency.id == Agreement.agency_id).where(Agency.site_id == home_site_id)):
        spans[agency_id].append((starts_on, ends_on))
    return frozenset(agency_id for agency_id, periods in spans.items() if lapsed(periods, today))


def opening_hours(s: Session, site_id: uuid.UUID, parent_site_id: uuid.UUID | None = None) -> Hours:
    """A site's weekly opening hours; a mobile event without its own uses its mall's."""
    rows = s.scalars(select(OpeningHours).where(OpeningHours.site_id == site_id)).all()
    if not rows and parent_site_id:
        rows = s.scalars(select(OpeningHours).where(OpeningHours.site_id == parent_site_id)).all()
    return {r.weekday: (r.opens, r.closes) for r in rows}


def require_site(s: Session, code: str) -> SiteFacts:
    """A site by its code, for use cases of any capability; NotFound names the field 'site'."""
    row = s.scalar(select(Site).where(Site.code == code))
    if row is None:
        raise NotFound("MPP atau lokasi layanan", "site")
    return _site(row)


def service(s: Session, service_id: uuid.UUID) -> ServiceFacts | None:
    """A service by id; None when there is none."""
    row = s.get(Service, service_id)
    return _service(row) if row else None


def service_by_code(s: Session, site_id: uuid.UUID, code: str) -> ServiceFacts | None:
    """The service with exactly this code at a (permanent) site; None when there is none."""
    row = s.scalar(select(Service).where(Service.code == code, Service.site_id == site_id))
    return _service(row) if row else None


def service_ids_of_agency(s: Session, agency_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of every service of an agency, published or not."""
    return list(s.scalars(select(Service.id).where(Service.agency_id == agency_id)))


def services(s: Session, service_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ServiceFacts]:
    """Each of these services that exists, by id."""
    if not service_ids:
        return {}
    return {row.id: _service(row) for row in s.scalars(select(Service).where(Service.id.in_(service_ids)))}


def services_of_site(s: Session, site_id: uuid.UUID) -> list[ServiceFacts]:
    """Every service of a (permanent) site, published or not, by code."""
    return [_service(row) for row in s.scalars(select(Service).where(Service.site_id == site_id)
                                               .order_by(Service.code))]


def site(s: Session, site_id: uuid.UUID) -> SiteFacts | None:
    """A site by id; None when there is none."""
    row = s.get(Site, site_id)
    return _site(row) if row else None


def site_by_code(s: Session, code: str) -> SiteFacts | None:
    """A site by its code; None when there is none."""
    row = s.scalar(select(Site).where(Site.code == code))
    return _site(row) if row else None


def site_calendar(s: Session, site_id: uuid.UUID) -> SiteCalendar | None:
    """A site's calendar (see SiteCalendar); None when there is no such site."""
    row = s.get(Site, site_id)
    if row is None:
        return None
    closed = frozenset(s.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id == site_id)))
    return SiteCalendar(row.id, row.code, row.timezone, opening_hours(s, row.id, row.parent_site_id), closed,
                        row.starts_on, row.ends_on, row.parent_site_id is not None, row.event_status,
                        row.issue_cutoff_minutes or 0, row.close_grace_minutes or 0)


def sites_with_addresses(s: Session) -> list[tuple[SiteFacts, str]]:
    """Every site (malls and mobile events) with its postal address, in one query."""
    return [(_site(row), row.address or "") for row in s.scalars(select(Site))]


def services_of_sites(s: Session, site_ids: Collection[uuid.UUID]) -> list[ServiceFacts]:
    """Every service of these (permanent) sites, in one query."""
    return [_service(row) for row in s.scalars(select(Service).where(Service.site_id.in_(site_ids)))]


def site_codes(s: Session) -> dict[uuid.UUID, str]:
    """Every site's code (malls and mobile events), by id."""
    return {site_id: code for site_id, code in s.execute(select(Site.id, Site.code))}


def agency_service_codes(session: Session, agency_id: uuid.UUID) -> set[str]:
    """Codes of every service of an agency, whatever its status."""
    return set(session.scalars(select(Service.code).where(Service.agency_id == agency_id)))


def counter(session: Session, counter_id: uuid.UUID) -> CounterFacts | None:
    """A counter by id, or None."""
    row = session.execute(_COUNTER_FACTS.where(Counter.id == counter_id)).first()
    return _counter(row) if row else None


def counter_by_number(session: Session, site_id: uuid.UUID, number: int) -> CounterFacts | None:
    """The counter with this number at a site, or None."""
    row = session.execute(_COUNTER_FACTS.where(Counter.site_id == site_id, Counter.number == number)).first()
    return _counter(row) if row else None


def counter_ids_serving(session: Session, service_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of every counter that serves this service (at any site)."""
    return list(session.scalars(select(counter_services.c.counter_id)
                                .where(counter_services.c.service_id == service_id)))


def counter_number(session: Session, counter_id: uuid.UUID) -> int | None:
    """A counter's number by its id, or None."""
    number = session.scalar(select(Counter.number).where(Counter.id == counter_id))
    return None if number is None else int(number)


def counter_service_ids(session: Session, counter_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    """The ids of the services one counter serves."""
    return tuple(session.scalars(select(counter_services.c.service_id)
                                 .where(counter_services.c.counter_id == counter_id)))


def counter_service_codes(session: Session, counter_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The codes of the services each counter serves; a counter serving none is absent."""
    out: dict[uuid.UUID, list[str]] = defaultdict(list)
    for counter_id, code in session.execute(
            select(counter_services.c.counter_id, Service.code)
            .join(Service, Service.id == counter_services.c.service_id)
            .where(counter_services.c.counter_id.in_(list(counter_ids)))):
        out[counter_id].append(code)
    return dict(out)


def service_agency_short_names(session: Session, service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The short name of each service's agency ("" when it has none), by service id."""
    ids = list(set(service_ids))
    if not ids:
        return {}
    rows = session.execute(select(Service.id, Agency.short_name).join(Agency, Agency.id == Service.agency_id)
                           .where(Service.id.in_(ids)))
    return {service_id: short or "" for service_id, short in rows}


def service_codes(session: Session, service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ServiceCodes]:
    """The service code and agency code of each of these services, by service id."""
    ids = list(set(service_ids))
    if not ids:
        return {}
    rows = session.execute(select(Service.id, Service.code, Agency.code)
                           .join(Agency, Agency.id == Service.agency_id).where(Service.id.in_(ids)))
    return {service_id: ServiceCodes(code, agency) for service_id, code, agency in rows}


def site_agencies(session: Session, home_site_id: uuid.UUID) -> list[AgencyFacts]:
    """The agencies of a permanent site, by code."""
    rows = session.execute(select(Agency.id, Agency.site_id, Agency.code, Agency.name)
                           .where(Agency.site_id == home_site_id).order_by(Agency.code))
    return [AgencyFacts(*row) for row in rows]


def site_counters(session: Session, site_id: uuid.UUID) -> list[CounterFacts]:
    """The counters of a site, by number."""
    rows = session.execute(_COUNTER_FACTS.where(Counter.site_id == site_id).order_by(Counter.number))
    return [_counter(row) for row in rows]


def site_counter_floors(session: Session, site_id: uuid.UUID) -> list[str]:
    """The floors a site's counters are on (set on the counters), sorted; a board may show one."""
    rows = session.scalars(select(Counter.floor).where(Counter.site_id == site_id, Counter.floor != "").distinct())
    return sorted(set(rows))


def site_opening_minutes(session: Session, site_id: uuid.UUID, day: date) -> tuple[int, int] | None:
    """Opening and closing time of a site on a date, in minutes since local midnight; None when
    the site is closed that date or that weekday."""
    if session.scalar(select(SiteClosure.id).where(SiteClosure.site_id == site_id, SiteClosure.on_date == day)):
        return None
    return site_weekday_opening_minutes(session, site_id, day.weekday())


def site_weekday_opening_minutes(session: Session, site_id: uuid.UUID, weekday: int) -> tuple[int, int] | None:
    """Opening and closing time of a site on a weekday (0 = Monday), in minutes since local
    midnight; None when it does not open that weekday. Closed dates are not considered."""
    row = session.scalar(select(OpeningHours).where(OpeningHours.site_id == site_id, OpeningHours.weekday == weekday))
    if row is None:
        return None
    return row.opens.hour * 60 + row.opens.minute, row.closes.hour * 60 + row.closes.minute


def site_address(s: Session, site_id: uuid.UUID) -> str:
    """A site's postal address as entered ("" when none), for letterheads and receipts."""
    return s.scalar(select(Site.address).where(Site.id == site_id)) or ""


def site_timezones(s: Session) -> list[tuple[uuid.UUID, str]]:
    """Every site's id and time zone, for jobs that run per local day."""
    return [(site_id, tz) for site_id, tz in s.execute(select(Site.id, Site.timezone))]


def standard_rows(session: Session, site_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every service of a permanent site as its status and Standar Pelayanan columns (the 14
    components of PermenPANRB 15/2014), for checking which components each leaves empty."""
    out = []
    for svc in session.scalars(select(Service).where(Service.site_id == site_id).order_by(Service.code)):
        row: dict[str, Any] = {"code": svc.code, "name": svc.name, "status": svc.status.value,
                               "requirements": list(svc.requirements or []), "procedure": list(svc.procedure or []),
                               "time_value": svc.time_value,
                               "time_unit": svc.time_unit.value if svc.time_unit else None, "fee": svc.fee}
        for key in TEXT_COMPONENTS:
            row[key] = getattr(svc, key)
        out.append(row)
    return out
def agency_short_names(session: Session) -> list[str]:
    """Every agency's short name (for the board's recorded voice), sorted, without blanks."""
    return sorted({n for n in session.scalars(select(Agency.short_name)) if n and n.strip()})
