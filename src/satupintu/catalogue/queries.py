"""Named read queries over the catalogue's tables, for other capabilities.

Another capability reads sites, agencies, counters, services and opening hours through these
functions (re-exported by `catalogue.service`) instead of joining the catalogue's tables. Each
takes the caller's session, so it runs inside the caller's transaction, and returns plain values
(frozen dataclasses, tuples, ids), never a catalogue ORM row.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Agency, Counter, OpeningHours, Service, SiteClosure, counter_services

__all__ = [
    "AgencyFacts",
    "CounterFacts",
    "ServiceCodes",
    "agency_by_code",
    "agency_service_codes",
    "counter_by_number",
    "counter_service_codes",
    "service_codes",
    "site_agencies",
    "site_closed_days",
    "site_counters",
    "site_opening_minutes",
    "site_weekday_opening_minutes",
]


@dataclass(frozen=True)
class AgencyFacts:
    """An agency as other capabilities see it."""

    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class CounterFacts:
    """A counter (loket) as other capabilities see it, with its agency's code."""

    id: uuid.UUID
    number: int
    name: str
    agency_id: uuid.UUID
    agency_code: str


class ServiceCodes(NamedTuple):
    """A service's code and its agency's code."""

    code: str
    agency_code: str


# The columns of CounterFacts, in order; statements are immutable, so one is shared.
_COUNTER_FACTS = select(Counter.id, Counter.number, Counter.name, Counter.agency_id, Agency.code).join(
    Agency, Agency.id == Counter.agency_id)


def agency_by_code(session: Session, home_site_id: uuid.UUID, code: str) -> AgencyFacts | None:
    """The agency with exactly this code among a permanent site's agencies, or None."""
    row = session.execute(select(Agency.id, Agency.code, Agency.name)
                          .where(Agency.site_id == home_site_id, Agency.code == code)).first()
    return AgencyFacts(*row) if row else None


def agency_service_codes(session: Session, agency_id: uuid.UUID) -> set[str]:
    """Codes of every service of an agency, whatever its status."""
    return set(session.scalars(select(Service.code).where(Service.agency_id == agency_id)))


def counter_by_number(session: Session, site_id: uuid.UUID, number: int) -> CounterFacts | None:
    """The counter with this number at a site, or None."""
    row = session.execute(_COUNTER_FACTS.where(Counter.site_id == site_id, Counter.number == number)).first()
    return CounterFacts(*row) if row else None


def counter_service_codes(session: Session, counter_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The codes of the services each counter serves; a counter serving none is absent."""
    out: dict[uuid.UUID, list[str]] = defaultdict(list)
    for counter_id, code in session.execute(
            select(counter_services.c.counter_id, Service.code)
            .join(Service, Service.id == counter_services.c.service_id)
            .where(counter_services.c.counter_id.in_(list(counter_ids)))):
        out[counter_id].append(code)
    return dict(out)


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
    rows = session.execute(select(Agency.id, Agency.code, Agency.name)
                           .where(Agency.site_id == home_site_id).order_by(Agency.code))
    return [AgencyFacts(*row) for row in rows]


def site_closed_days(session: Session, site_id: uuid.UUID) -> list[date]:
    """Every date the site is closed (holidays and one-off closures it lists)."""
    return list(session.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id == site_id)))


def site_counters(session: Session, site_id: uuid.UUID) -> list[CounterFacts]:
    """The counters of a site, by number."""
    rows = session.execute(_COUNTER_FACTS.where(Counter.site_id == site_id).order_by(Counter.number))
    return [CounterFacts(*row) for row in rows]


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
