"""Named reads of catalogue facts for other capabilities: sites, agencies, services, opening
hours and closures, as plain values, inside the caller's session (its transaction decides).

Other capabilities call these instead of joining the catalogue's tables; each function stands
alone, and they are listed in `__all__` and sorted by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.scope import SiteRef
from ..errors import NotFound
from .hours import Hours
from .models import Agency, OpeningHours, Service, Site, SiteClosure

__all__ = [
    "AgencyFacts",
    "ServiceFacts",
    "SiteFacts",
    "agency",
    "agency_by_code",
    "agency_codes",
    "agency_names",
    "closed_dates",
    "events_of",
    "first_agency_id_with_code",
    "opening_hours",
    "require_site",
    "service",
    "service_by_code",
    "service_ids_of_agency",
    "services",
    "site",
    "site_by_code",
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

    @property
    def ref(self) -> SiteRef:
        """The site as the scope rules see it."""
        return SiteRef(self.id, self.parent_site_id)

    @property
    def home_id(self) -> uuid.UUID:
        """The permanent site whose agencies and services this site uses."""
        return self.parent_site_id or self.id


def _agency(row: Agency) -> AgencyFacts:
    return AgencyFacts(row.id, row.site_id, row.code, row.name)


def _service(row: Service) -> ServiceFacts:
    return ServiceFacts(row.id, row.site_id, row.agency_id, row.code, row.name, tuple(row.requirements or ()),
                        row.time_value, row.time_unit.value if row.time_unit else None)


def _site(row: Site) -> SiteFacts:
    return SiteFacts(row.id, row.code, row.name, row.timezone, row.parent_site_id)


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
    return dict(s.execute(select(Agency.id, Agency.code).where(Agency.site_id == site_id)).tuples().all())


def agency_names(s: Session, agency_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name of each of these agencies that exists, by id."""
    if not agency_ids:
        return {}
    return dict(s.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).tuples().all())


def closed_dates(s: Session, site_ids: Collection[uuid.UUID]) -> list[date]:
    """The dates on which any of these sites is closed (holidays and closures entered by staff)."""
    return list(s.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id.in_(site_ids))))


def events_of(s: Session, site_id: uuid.UUID) -> list[SiteFacts]:
    """The mobile service events a mall runs, by code."""
    return [_site(row) for row in s.scalars(select(Site).where(Site.parent_site_id == site_id).order_by(Site.code))]


def first_agency_id_with_code(s: Session, code: str) -> uuid.UUID | None:
    """The id of the first agency found with exactly this code, at any site."""
    return s.scalar(select(Agency.id).where(Agency.code == code))


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


def site(s: Session, site_id: uuid.UUID) -> SiteFacts | None:
    """A site by id; None when there is none."""
    row = s.get(Site, site_id)
    return _site(row) if row else None


def site_by_code(s: Session, code: str) -> SiteFacts | None:
    """A site by its code; None when there is none."""
    row = s.scalar(select(Site).where(Site.code == code))
    return _site(row) if row else None
