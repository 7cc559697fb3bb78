"""Catalogue use cases. Each function owns its transaction and checks the actor's scope."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..cache import cache_of
from ..db import Database
from ..errors import Conflict, Errors, FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, SiteRef, can_create_sites, can_manage_agency, can_manage_site, can_read_site, key_agency
from ..timeutil import to_local, utcnow, zone_label
from .agreement_service import *  # noqa: F403  agreements: list, add, renew, files, warnings
from .agreement_service import agreement_out
from .booth_service import *  # noqa: F403  UMKM booths: edit, rota, who is in each today
from .events import (  # noqa: F401  mobile service events, kept in their own module
    EventAgency,
    EventCounter,
    EventIn,
    EventOut,
    EventService,
    EventView,
    create_mobile_event,
    event_view,
    list_events,
    set_event_status,
    suggest_code,
)
from .hours import WEEKDAYS, parse_hours
from .models import (
    Agency,
    Agreement,
    Booth,
    Counter,
    CounterStatus,
    EventStatus,  # noqa: F401
    OpeningHours,
    Service,
    ServiceStatus,
    Site,
    SiteClosure,
    SiteKind,
    counter_services,
    site_offerings,
)
from .queries import *  # noqa: F403  named read queries for other capabilities
from .queries import ServiceFacts
from .queries import _service as service_facts
from .schemas import (
    AgencyIn,
    AgencyOut,
    AgreementOut,
    BoothIn,
    BoothOut,
    ClosureIn,
    CounterIn,
    CounterOut,
    ServedAt,
    ServiceIn,
    ServiceOut,
    ServiceSummary,
    SiteIn,
    SiteOut,
)
from .search import SearchDoc, SearchIndex, build_index, search
from .standard import publish_problems, standard_problems

STANDARD_KEYS = ("requirements", "procedure", "time_value", "time_unit", "fee", "fee_legal_basis", "product",
                 "complaint_channel", "legal_basis", "facilities", "competence", "internal_supervision",
                 "officer_count", "service_guarantee", "security_guarantee", "performance_evaluation")


# ---------------------------------------------------------------- helpers

def site_row(s: Session, code: str) -> Site:
    """A site by its code, for use cases of any capability; NotFound names the field 'site'."""
    site = s.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound("MPP atau lokasi layanan", "site")
    return site


def cached_site_ref(db: Database, code: str) -> SiteRef:
    """The scope of the site a route's {site} names, asked on every such request: cached
    briefly like the other catalogue facts (the web edge's site lookup)."""
    def load() -> SiteRef:
        with db.read() as s:
            return site_row(s, code).ref

    return cache_of(db).get(("site-ref", code), load)


def _agency(s: Session, site: Site, code: str, field: str = "agency") -> Agency:
    agency = s.scalar(select(Agency).where(Agency.site_id == site.home_id, Agency.code == code.upper()))
    if agency is None:
        raise NotFound(f"Instansi '{code}'", field)
    return agency


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _site_out(site: Site) -> SiteOut:
    return SiteOut(
        id=site.id, code=site.code, name=site.name, kind=site.kind, address=site.address, timezone=site.timezone,
        zone_label=zone_label(site.timezone),
        opening_hours={WEEKDAYS[h.weekday]: [h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M")]
                       for h in site.opening_hours},
        closed_dates=[ClosureIn(date=c.on_date, reason=c.reason) for c in site.closures],
        parent_site=site.parent.code if site.parent else None, starts_on=site.starts_on, ends_on=site.ends_on,
    )


def site_today(site: Site) -> date:
    return to_local(utcnow(), site.timezone).date()


def _agreement_out(a: Agreement, today: date) -> AgreementOut:
    return agreement_out(a, today)


def _agency_out(a: Agency, site_code: str, service_count: int = 0, with_agreements: bool = False) -> AgencyOut:
    return AgencyOut(
        id=a.id, site=site_code, code=a.code, name=a.name, short_name=a.short_name, kind=a.kind,
        description=a.description, service_count=service_count,
        agreements=[_agreement_out(x, site_today(a.site)) for x in a.agreements] if with_agreements else [],
    )


def _summary(svc: Service, site_code: str) -> ServiceSummary:
    return ServiceSummary(
        id=svc.id, site=site_code, code=svc.code, name=svc.name, agency_code=svc.agency.code,
        agency_name=svc.agency.name, status=svc.status, time_value=svc.time_value, time_unit=svc.time_unit,
        fee=svc.fee,
    )


def _service_out(svc: Service, site_code: str, site_id: uuid.UUID | None = None) -> ServiceOut:
    base = _summary(svc, site_code).model_dump()
    extra = {k: getattr(svc, k) for k in STANDARD_KEYS if k not in base}
    return ServiceOut(**base, **extra, description=svc.description, keywords=list(svc.keywords or []),
                      counters=sorted(c.number for c in svc.counters_at(site_id)))


def _standard_of(data: Any) -> dict[str, Any]:
    return {k: getattr(data, k) for k in STANDARD_KEYS}


# A counter that is open or planned serves its services; a retired one serves none.
SERVING = (CounterStatus.open, CounterStatus.planned)


def served_ids_query(site_id: uuid.UUID) -> Select[Any]:
    """The ids of the services some open or planned counter of this very site serves (for a
    mobile event: its own counters, never its mall's)."""
    return (select(counter_services.c.service_id).join(Counter, Counter.id == counter_services.c.counter_id)
            .where(Counter.site_id == site_id, Counter.status.in_(SERVING)))


def offered_services_query(site: Any, eager: bool = True, served: bool = False) -> Select[Any]:
    """Services offered at a site (anything with .id and .kind): a permanent site's own, or
    those chosen for a mobile event. With `served`, only those an open or planned counter of
    the site serves: what the kiosk may issue a ticket for and a citizen may book."""
    q = select(Service)
    if eager:
        q = q.options(selectinload(Service.agency), selectinload(Service.counters))
    if served:
        q = q.where(Service.id.in_(served_ids_query(site.id)))
    if site.kind == SiteKind.mobile:  # an enum on rows, its value on cached facts
        return q.join(site_offerings, site_offerings.c.service_id == Service.id).where(
            site_offerings.c.site_id == site.id)
    return q.where(Service.site_id == site.id)


def published_offered_service(s: Session, site: Any, code: str) -> ServiceFacts | None:
    """The published service with this code offered at a site (see offered_services_query), as
    plain facts for other capabilities; None when there is none."""
    row = s.scalar(offered_services_query(site, eager=False).where(Service.code == code.upper(),
                                                                     Service.status == ServiceStatus.published))
    return service_facts(row) if row else None


def is_served(s: Session, site_id: uuid.UUID, service_id: uuid.UUID) -> bool:
    """Whether an open or planned counter of this site serves the service."""
    return s.scalar(served_ids_query(site_id).where(counter_services.c.service_id == service_id).limit(1)) is not None


# ---------------------------------------------------------------- sites

def list_sites(db: Database) -> list[SiteOut]:
    with db.read() as s:
        sites = s.scalars(select(Site).options(selectinload(Site.opening_hours), selectinload(Site.closures),
                                               selectinload(Site.parent)).order_by(Site.kind, Site.name)).all()
        return [_site_out(x) for x in sites]


def get_site(db: Database, code: str) -> SiteOut:
    with db.read() as s:
        return _site_out(site_row(s, code))


def _apply_site(s: Session, site: Site, data: SiteIn) -> None:
    errors = Errors()
    hours, hour_errors = parse_hours(data.opening_hours)
    errors.items.extend(hour_errors)
    parent: Site | None = None
    if data.kind is SiteKind.mobile:
        if not data.parent_site:
            errors.add("parent_site", "Pelayanan bergerak harus menyebut MPP induknya.", "required")
        else:
            parent = s.scalar(select(Site).where(Site.code == data.parent_site))
            if parent is None or parent.kind is not SiteKind.permanent:
                errors.add("parent_site", "MPP induk tidak ditemukan.")
        if not data.starts_on or not data.ends_on:
            errors.add("starts_on", "Pelayanan bergerak harus punya tanggal mulai dan selesai.", "required")
        elif data.ends_on < data.starts_on:
            errors.add("ends_on", "Tanggal selesai harus sama atau setelah tanggal mulai.")
    elif data.parent_site or data.starts_on or data.ends_on:
        errors.add("kind", "Hanya pelayanan bergerak yang punya MPP induk dan rentang tanggal.")
    if len({c.date for c in data.closed_dates}) != len(data.closed_dates):
        errors.add("closed_dates", "Tanggal libur tidak boleh ganda.")
    errors.raise_if_any()
    site.code, site.name, site.kind, site.address, site.timezone = (
        data.code, data.name, data.kind, data.address, data.timezone)
    site.parent_site_id = parent.id if parent else None
    site.parent = parent
    site.starts_on, site.ends_on = data.starts_on, data.ends_on
    current = {h.weekday: h for h in site.opening_hours}
    for weekday, (opens, closes) in hours.items():
        if weekday in current:
            current[weekday].opens, current[weekday].closes = opens, closes
        else:
            site.opening_hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    site.opening_hours[:] = [h for h in site.opening_hours if h.weekday in hours]
    closures = {c.on_date: c for c in site.closures}
    wanted = {c.date: c.reason for c in data.closed_dates}
    for day, reason in wanted.items():
        if day in closures:
            closures[day].reason = reason
        else:
            site.closures.append(SiteClosure(on_date=day, reason=reason))
    site.closures[:] = [c for c in site.closures if c.on_date in wanted]


def _site_snapshot(site: Site) -> dict[str, Any]:
    return audit.snapshot(site, {"opening_hours": _site_out(site).opening_hours,
                                 "closed_dates": [[c.on_date, c.reason] for c in site.closures]})


def create_site(db: Database, actor: Actor, data: SiteIn) -> SiteOut:
    _require(can_create_sites(actor))
    with db.write() as s:
        if s.scalar(select(Site.id).where(Site.code == data.code)):
            raise Conflict("duplicate", f"Kode lokasi '{data.code}' sudah dipakai.", "code")
        site = Site(opening_hours=[], closures=[])
        _apply_site(s, site, data)
        s.add(site)
        s.flush()
        audit.record(s, actor, "site.create", "site", site.id, site.id, None, _site_snapshot(site))
        return _site_out(site)


def create_event(db: Database, actor: Actor, data: SiteIn) -> SiteOut:
    """A mobile service event, created by the manager of its parent site."""
    if data.kind is not SiteKind.mobile:
        raise ValidationFailed([FieldError("kind", "Acara pelayanan bergerak harus berjenis 'mobile'.")])
    if not data.parent_site:
        raise ValidationFailed([FieldError("parent_site", "Pelayanan bergerak harus menyebut MPP induknya.",
                                           "required")])
    with db.write() as s:
        parent = s.scalar(select(Site).where(Site.code == data.parent_site))
        if parent is None or parent.kind is not SiteKind.permanent:
            raise ValidationFailed([FieldError("parent_site", "MPP induk tidak ditemukan.")])
        _require(can_manage_site(actor, parent.ref))
        if s.scalar(select(Site.id).where(Site.code == data.code)):
            raise Conflict("duplicate", f"Kode lokasi '{data.code}' sudah dipakai.", "code")
        site = Site(opening_hours=[], closures=[])
        _apply_site(s, site, data)
        s.add(site)
        s.flush()
        audit.record(s, actor, "site.create", "site", site.id, site.id, None, _site_snapshot(site))
        return _site_out(site)


def update_site(db: Database, actor: Actor, code: str, data: SiteIn) -> SiteOut:
    with db.write() as s:
        site = site_row(s, code)
        _require(can_manage_site(actor, site.ref))
        if data.kind is not site.kind:
            raise ValidationFailed([FieldError("kind", "Jenis lokasi tidak dapat diubah.")])
        current_parent = site.parent.code if site.parent else None
        if data.parent_site != current_parent:
            # The parent decides whose agencies and services an event uses: changing it would
            # hand one mall's catalogue to another's staff.
            raise ValidationFailed([FieldError("parent_site", "MPP induk pelayanan bergerak tidak dapat diubah.")])
        if data.code != site.code and s.scalar(select(Site.id).where(Site.code == data.code)):
            raise Conflict("duplicate", f"Kode lokasi '{data.code}' sudah dipakai.", "code")
        before = _site_snapshot(site)
        _apply_site(s, site, data)
        s.flush()
        audit.record(s, actor, "site.update", "site", site.id, site.id, before, _site_snapshot(site))
        return _site_out(site)


def set_event_services(db: Database, actor: Actor, event_code: str, service_codes: list[str]) -> list[ServiceSummary]:
    """Choose which of the parent site's services a mobile event offers."""
    with db.write() as s:
        event = site_row(s, event_code)
        _require(can_manage_site(actor, event.ref))
        if event.kind is not SiteKind.mobile:
            raise ValidationFailed([FieldError("site", "Hanya pelayanan bergerak yang memilih sebagian layanan.")])
        wanted = {c.upper() for c in service_codes}
        found = {svc.code.upper(): svc for svc in s.scalars(
            select(Service).where(Service.site_id == event.parent_site_id))}
        missing = sorted(wanted - set(found))
        if missing:
            raise ValidationFailed([FieldError("services",
                                               f"Layanan tidak ditemukan di MPP induk: {', '.join(missing)}.")])
        before = sorted(s.scalars(select(Service.code).join(site_offerings, site_offerings.c.service_id == Service.id)
                                  .where(site_offerings.c.site_id == event.id)))
        s.execute(site_offerings.delete().where(site_offerings.c.site_id == event.id))
        if wanted:
            s.execute(site_offerings.insert(),
                      [{"site_id": event.id, "service_id": found[c].id} for c in sorted(wanted)])
        event.updated_at = utcnow()
        audit.record(s, actor, "site.offerings", "site", event.id, event.id, {"services": before},
                     {"services": sorted(found[c].code for c in wanted)})
        return [_summary(found[c], event.code) for c in sorted(wanted)]


# ---------------------------------------------------------------- agencies and agreements

def list_agencies(db: Database, site_code: str, served_only: bool = False) -> list[AgencyOut]:
    """Agencies with published services at this site (for an event: those it offers); with
    `served_only` (the kiosk), only those with a service a counter here serves, counted so."""
    with db.read() as s:
        site = site_row(s, site_code)
        sub = offered_services_query(site, eager=False, served=served_only).where(
            Service.status == ServiceStatus.published).subquery()
        counts: dict[uuid.UUID, int] = {agency_id: n for agency_id, n in s.execute(
            select(sub.c.agency_id, func.count()).group_by(sub.c.agency_id))}
        agencies = s.scalars(select(Agency).where(Agency.site_id == site.home_id).order_by(Agency.name)).all()
        if site.kind is SiteKind.mobile or served_only:
            agencies = [a for a in agencies if a.id in counts]
        return [_agency_out(a, site.code, counts.get(a.id, 0)) for a in agencies]


def get_agency(db: Database, site_code: str, agency_code: str, actor: Actor | None = None) -> AgencyOut:
    with db.read() as s:
        site = site_row(s, site_code)
        agency = _agency(s, site, agency_code)
        if (only := key_agency(actor)) is not None and agency.id != only:  # a key of another agency
            raise NotFound(f"Instansi '{agency_code}'", "agency")
        count = s.scalar(select(func.count()).select_from(
            offered_services_query(site).where(Service.agency_id == agency.id,
                                               Service.status == ServiceStatus.published)
            .subquery())) or 0
        internal = actor is not None and can_read_site(actor, site.ref)
        return _agency_out(agency, site.code, count, with_agreements=internal)


def create_agency(db: Database, actor: Actor, site_code: str, data: AgencyIn) -> AgencyOut:
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        if site.kind is SiteKind.mobile:
            raise ValidationFailed([FieldError("site", "Instansi didaftarkan di MPP induk, "
                                                       "bukan di pelayanan bergerak.")])
        code = data.code.upper()
        if s.scalar(select(Agency.id).where(Agency.site_id == site.id, Agency.code == code)):
            raise Conflict("duplicate", f"Kode instansi '{code}' sudah dipakai di MPP ini.", "code")
        agency = Agency(site_id=site.id, code=code, name=data.name, short_name=data.short_name or code,
                        kind=data.kind, description=data.description)
        s.add(agency)
        s.flush()
        audit.record(s, actor, "agency.create", "agency", agency.id, site.id, None, audit.snapshot(agency))
        return _agency_out(agency, site.code)


def _agency_home(s: Session, site_code: str, agency_code: str) -> tuple[Site, Agency]:
    """An agency for changing: only at the mall it belongs to, never through one of its events."""
    site = site_row(s, site_code)
    if site.kind is SiteKind.mobile:
        raise ValidationFailed([FieldError("site", "Instansi dan perjanjiannya diubah di MPP induk, "
                                                   "bukan di pelayanan bergerak.")])
    return site, _agency(s, site, agency_code)


def update_agency(db: Database, actor: Actor, site_code: str, agency_code: str, data: AgencyIn) -> AgencyOut:
    with db.write() as s:
        site, agency = _agency_home(s, site_code, agency_code)
        _require(can_manage_agency(actor, site.ref, agency.id))
        code = data.code.upper()
        if code != agency.code and s.scalar(select(Agency.id).where(Agency.site_id == site.id, Agency.code == code)):
            raise Conflict("duplicate", f"Kode instansi '{code}' sudah dipakai di MPP ini.", "code")
        if code != agency.code and not can_manage_site(actor, site.ref):
            raise Forbidden("Hanya pengelola MPP yang dapat mengubah kode instansi.")
        before = audit.snapshot(agency)
        agency.code, agency.name, agency.short_name, agency.kind, agency.description = (
            code, data.name, data.short_name or code, data.kind, data.description)
        s.flush()
        audit.record(s, actor, "agency.update", "agency", agency.id, site.id, before, audit.snapshot(agency))
        return _agency_out(agency, site.code)


# ---------------------------------------------------------------- services

_search_lock = threading.Lock()
_search_cache: dict[uuid.UUID, tuple[tuple[Any, ...], SearchIndex]] = {}


def _search_index(s: Session, site: Site) -> SearchIndex:
    """The site's search index, rebuilt when a published service or the event's offer changes."""
    offered = offered_services_query(site).where(Service.status == ServiceStatus.published).subquery()
    fingerprint = tuple(s.execute(select(func.count(), func.max(offered.c.updated_at))).one()) + (site.updated_at,)
    with _search_lock:
        cached = _search_cache.get(site.id)
        if cached and cached[0] == fingerprint:
            return cached[1]
    services = s.scalars(offered_services_query(site).where(Service.status == ServiceStatus.published)).all()
    index = build_index([
        SearchDoc(key=str(svc.id), name=svc.name, keywords=tuple(svc.keywords or ()),
                  agency=f"{svc.agency.name} {svc.agency.short_name} {svc.agency.code}",
                  body=" ".join([svc.description, svc.product, *(svc.requirements or [])]))
        for svc in services
    ])
    with _search_lock:
        _search_cache[site.id] = (fingerprint, index)
    return index


def list_services(db: Database, site_code: str, query: str | None = None, agency: str | None = None,
                  actor: Actor | None = None, include_unpublished: bool = False,
                  served_only: bool = False) -> list[ServiceSummary]:
    """The site's services, by code or by relevance to `query`; with `served_only` (the kiosk,
    booking), only those an open or planned counter of the site serves."""
    with db.read() as s:
        site = site_row(s, site_code)
        if include_unpublished:
            _require(actor is not None and can_read_site(actor, site.ref))
        q = offered_services_query(site, served=served_only)
        if not include_unpublished:
            q = q.where(Service.status == ServiceStatus.published)
        if agency:
            q = q.where(Service.agency_id == _agency(s, site, agency).id)
        if (only := key_agency(actor)) is not None:  # a key of one agency: its own services only
            q = q.where(Service.agency_id == only)
        if query and query.strip():
            ranked = search(_search_index(s, site), query, limit=200)
            if not ranked:
                return []
            order = {uuid.UUID(k): i for i, (k, _) in enumerate(ranked)}
            found = s.scalars(q.where(Service.id.in_(list(order)))).all()
            found = sorted(found, key=lambda svc: order[svc.id])
            return [_summary(svc, site.code) for svc in found]
        return [_summary(svc, site.code) for svc in s.scalars(q.order_by(Service.code)).all()]


def get_service(db: Database, site_code: str, service_code: str, actor: Actor | None = None) -> ServiceOut:
    with db.read() as s:
        site = site_row(s, site_code)
        svc = s.scalar(offered_services_query(site).where(Service.code == service_code.upper()))
        if svc is not None and (only := key_agency(actor)) is not None and svc.agency_id != only:
            svc = None  # a key of one agency finds only its own services
        if svc is None or (svc.status is not ServiceStatus.published
                           and not (actor is not None and can_read_site(actor, site.ref))):
            raise NotFound(f"Layanan '{service_code}'", "service")
        return _service_out(svc, site.code, site.id)


def _check_standard(data: Any, status: ServiceStatus) -> None:
    std = _standard_of(data)
    problems = publish_problems(std) if status is ServiceStatus.published else standard_problems(std)
    if problems:
        raise ValidationFailed(problems)


def _service_snapshot(svc: Service) -> dict[str, Any]:
    return audit.snapshot(svc)


def create_service(db: Database, actor: Actor, site_code: str, data: ServiceIn,
                   status: ServiceStatus = ServiceStatus.draft) -> ServiceOut:
    _check_standard(data, status)
    with db.write() as s:
        site = site_row(s, site_code)
        if site.kind is SiteKind.mobile:
            raise ValidationFailed([FieldError("site", "Layanan didaftarkan di MPP induk, "
                                                       "bukan di pelayanan bergerak.")])
        agency = _agency(s, site, data.agency)
        _require(can_manage_agency(actor, site.ref, agency.id))
        code = data.code.upper()
        if s.scalar(select(Service.id).where(Service.site_id == site.id, Service.code == code)):
            raise Conflict("duplicate", f"Kode layanan '{code}' sudah dipakai di MPP ini.", "code")
        svc = Service(site_id=site.id, agency_id=agency.id, code=code, name=data.name, description=data.description,
                      keywords=list(data.keywords), status=status, **_standard_of(data))
        s.add(svc)
        s.flush()
        s.refresh(svc, ["agency", "counters"])
        audit.record(s, actor, "service.create", "service", svc.id, site.id, None, _service_snapshot(svc))
        return _service_out(svc, site.code)


def update_service(db: Database, actor: Actor, site_code: str, service_code: str, data: ServiceIn) -> ServiceOut:
    with db.write() as s:
        site = site_row(s, site_code)
        svc = s.scalar(offered_services_query(site).where(Service.code == service_code.upper()))
        if svc is None or site.kind is SiteKind.mobile:
            raise NotFound(f"Layanan '{service_code}'", "service")
        _require(can_manage_agency(actor, site.ref, svc.agency_id))
        agency = _agency(s, site, data.agency)
        _require(can_manage_agency(actor, site.ref, agency.id))
        _check_standard(data, svc.status)
        code = data.code.upper()
        if code != svc.code and s.scalar(select(Service.id).where(Service.site_id == site.id, Service.code == code)):
            raise Conflict("duplicate", f"Kode layanan '{code}' sudah dipakai di MPP ini.", "code")
        before = _service_snapshot(svc)
        if agency.id != svc.agency_id:
            # A counter serves only its own agency's services.
            s.execute(counter_services.delete().where(
                counter_services.c.service_id == svc.id,
                counter_services.c.counter_id.in_(select(Counter.id).where(Counter.agency_id != agency.id))))
            s.expire(svc, ["counters"])
        svc.code, svc.agency_id, svc.agency = code, agency.id, agency
        svc.name, svc.description, svc.keywords = data.name, data.description, list(data.keywords)
        for key, value in _standard_of(data).items():
            setattr(svc, key, value)
        s.flush()
        audit.record(s, actor, "service.update", "service", svc.id, site.id, before, _service_snapshot(svc))
        return _service_out(svc, site.code)


def set_service_status(db: Database, actor: Actor, site_code: str, service_code: str,
                       status: ServiceStatus) -> ServiceOut:
    """Publish (only with the six delivery components complete), return to draft, or archive."""
    with db.write() as s:
        site = site_row(s, site_code)
        svc = s.scalar(offered_services_query(site).where(Service.code == service_code.upper()))
        if svc is None or site.kind is SiteKind.mobile:
            raise NotFound(f"Layanan '{service_code}'", "service")
        _require(can_manage_agency(actor, site.ref, svc.agency_id))
        if status is ServiceStatus.published:
            problems = publish_problems(_standard_of(svc))
            if problems:
                raise ValidationFailed(problems, "Layanan belum dapat diterbitkan: standar pelayanan belum lengkap.")
        before = _service_snapshot(svc)
        svc.status = status
        s.flush()
        audit.record(s, actor, f"service.{status.value}", "service", svc.id, site.id, before, _service_snapshot(svc))
        return _service_out(svc, site.code)


# ---------------------------------------------------------------- counters and booths

def _counter_out(c: Counter) -> CounterOut:
    return CounterOut(id=c.id, number=c.number, name=c.name, agency_code=c.agency.code, agency_name=c.agency.name,
                      services=[svc.code for svc in c.services], floor=c.floor, location=c.location,
                      status=c.status)


def _counter_snapshot(c: Counter) -> dict[str, Any]:
    return audit.snapshot(c, {"services": [x.code for x in c.services]})


def list_counters(db: Database, site_code: str) -> list[CounterOut]:
    with db.read() as s:
        site = site_row(s, site_code)
        counters = s.scalars(select(Counter).where(Counter.site_id == site.id)
                             .options(selectinload(Counter.agency), selectinload(Counter.services))
                             .order_by(Counter.number)).all()
        return [_counter_out(c) for c in counters]


def get_counter(db: Database, actor: Actor, site_code: str, number: int) -> CounterOut:
    """One counter, for the manager's edit form."""
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        counter = s.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == number))
        if counter is None:
            raise NotFound(f"Loket {number}", "number")
        return _counter_out(counter)


def counter_choices(db: Database, actor: Actor, site_code: str) -> list[tuple[AgencyOut, list[ServiceSummary]]]:
    """What a counter of this site may serve: each agency with its services offered here
    (drafts too, so a counter can be set up before a service is published; not archived)."""
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        services = s.scalars(offered_services_query(site).where(Service.status != ServiceStatus.archived)
                             .order_by(Service.code)).all()
        by_agency: dict[uuid.UUID, list[ServiceSummary]] = {}
        for svc in services:
            by_agency.setdefault(svc.agency_id, []).append(_summary(svc, site.code))
        agencies = s.scalars(select(Agency).where(Agency.site_id == site.home_id).order_by(Agency.name)).all()
        return [(_agency_out(a, site.code, len(by_agency.get(a.id, []))), by_agency.get(a.id, []))
                for a in agencies if site.kind is SiteKind.permanent or a.id in by_agency]


def _check_counter(s: Session, site: Site, data: CounterIn, number: int | None) -> tuple[Agency, list[Service]]:
    """Every refusal of a counter's fields at once, each beside its field; nothing is written."""
    errors = Errors()
    if data.number != number and s.scalar(
            select(Counter.id).where(Counter.site_id == site.id, Counter.number == data.number)):
        errors.add("number", f"Loket {data.number} sudah ada di lokasi ini; pilih nomor lain.", "duplicate")
    agency = s.scalar(select(Agency).where(Agency.site_id == site.home_id, Agency.code == data.agency.upper()))
    services: list[Service] = []
    if agency is None:
        errors.add("agency", f"Instansi '{data.agency}' tidak ditemukan.", "not_found")
    else:
        wanted = {c.upper() for c in data.services}
        found = s.scalars(offered_services_query(site).where(Service.code.in_(wanted))).all() if wanted else []
        missing = wanted - {svc.code for svc in found}
        if missing:
            errors.add("services", f"Layanan tidak ditemukan di lokasi ini: {', '.join(sorted(missing))}.")
        foreign = [svc.code for svc in found if svc.agency_id != agency.id]
        if foreign:
            errors.add("services",
                       f"Loket hanya boleh melayani layanan instansinya sendiri: {', '.join(sorted(foreign))}.")
        archived = [svc.code for svc in found if svc.status is ServiceStatus.archived]
        if archived:
            errors.add("services", f"Layanan yang diarsipkan tidak dapat dilayani: {', '.join(sorted(archived))}.")
        services = sorted(found, key=lambda svc: svc.code)
    if data.status is CounterStatus.open and not data.services:
        errors.add("services", "Loket yang buka harus melayani paling sedikit satu layanan.", "required")
    errors.raise_if_any()
    assert agency is not None
    return agency, services


def create_counter(db: Database, actor: Actor, site_code: str, data: CounterIn) -> CounterOut:
    """A counter of a site or of a mobile event (its own desks), in one transaction."""
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        agency, services = _check_counter(s, site, data, None)
        counter = Counter(site_id=site.id, agency_id=agency.id, agency=agency, number=data.number,
                          name=data.name.strip() or f"Loket {data.number}", services=services,
                          floor=data.floor.strip(), location=data.location.strip(), status=data.status)
        s.add(counter)
        s.flush()
        audit.record(s, actor, "counter.create", "counter", counter.id, site.id, None, _counter_snapshot(counter))
        out = _counter_out(counter)
    cache_of(db).clear()  # the kiosk's cached offer changes with the counters
    return out


def update_counter(db: Database, actor: Actor, site_code: str, number: int, data: CounterIn) -> CounterOut:
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        counter = s.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == number))
        if counter is None:
            raise NotFound(f"Loket {number}", "number")
        agency, services = _check_counter(s, site, data, number)
        before = _counter_snapshot(counter)
        counter.number, counter.name = data.number, data.name.strip() or f"Loket {data.number}"
        counter.agency_id, counter.agency = agency.id, agency
        counter.services = services
        counter.floor, counter.location, counter.status = data.floor.strip(), data.location.strip(), data.status
        s.flush()
        audit.record(s, actor, "counter.update", "counter", counter.id, site.id, before, _counter_snapshot(counter))
        out = _counter_out(counter)
    cache_of(db).clear()
    return out


def served_at(db: Database, site_code: str, service_code: str) -> list[ServedAt]:
    """Where a service is served: the open or planned counters of this site; when none, those
    of its mall and the mall's other mobile events that serve it (the catalogue page says so)."""
    with db.read() as s:
        site = site_row(s, site_code)
        svc = s.scalar(offered_services_query(site, eager=False).where(Service.code == service_code.upper()))
        if svc is None:
            raise NotFound(f"Layanan '{service_code}'", "service")
        family = select(Site.id).where((Site.id == site.home_id) | (Site.parent_site_id == site.home_id))
        rows = s.execute(select(Counter, Site).join(Site, Site.id == Counter.site_id)
                         .join(counter_services, counter_services.c.counter_id == Counter.id)
                         .where(counter_services.c.service_id == svc.id, Counter.status.in_(SERVING),
                                Counter.site_id.in_(family))
                         .order_by(Site.kind, Site.code, Counter.number)).all()
        out = [ServedAt(site=row_site.code, site_name=row_site.name, here=row_site.id == site.id, number=c.number,
                        name=c.name, floor=c.floor, location=c.location) for c, row_site in rows]
        here = [x for x in out if x.here]
        return here or out


def list_booths(db: Database, site_code: str) -> list[BoothOut]:
    with db.read() as s:
        site = site_row(s, site_code)
        booths = s.scalars(select(Booth).where(Booth.site_id == site.id).order_by(Booth.name)).all()
        return [BoothOut(id=b.id, name=b.name, owner_name=b.owner_name, products=b.products, location=b.location)
                for b in booths]


def create_booth(db: Database, actor: Actor, site_code: str, data: BoothIn) -> BoothOut:
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site.ref))
        booth = Booth(site_id=site.id, **data.model_dump())
        s.add(booth)
        s.flush()
        audit.record(s, actor, "booth.create", "booth", booth.id, site.id, None, audit.snapshot(booth))
        return BoothOut(id=booth.id, **data.model_dump())


# ---------------------------------------------------------------- the queue day's settings

MAX_CUTOFF_MINUTES = 240
MAX_GRACE_MINUTES = 600


def set_day_settings(db: Database, actor: Actor, code: str, issue_cutoff_minutes: Any,
                     close_grace_minutes: Any) -> None:
    """A site's issuing cut-off before closing and the grace after closing before its day
    closes itself (whole minutes); every field is checked before anything is written."""
    errors: list[FieldError] = []
    values: dict[str, int] = {}
    for name, raw, top in (("issue_cutoff_minutes", issue_cutoff_minutes, MAX_CUTOFF_MINUTES),
                           ("close_grace_minutes", close_grace_minutes, MAX_GRACE_MINUTES)):
        try:
            value = int(str(raw).strip())
        except ValueError:
            errors.append(FieldError(name, "Tulis jumlah menit sebagai angka bulat, misalnya 30."))
            continue
        if not 0 <= value <= top:
            errors.append(FieldError(name, f"Isi antara 0 dan {top} menit."))
            continue
        values[name] = value
    if errors:
        raise ValidationFailed(errors)
    with db.write() as s:
        site = site_row(s, code)
        _require(can_manage_site(actor, site.ref))
        before = {"issue_cutoff_minutes": site.issue_cutoff_minutes, "close_grace_minutes": site.close_grace_minutes}
        site.issue_cutoff_minutes = values["issue_cutoff_minutes"]
        site.close_grace_minutes = values["close_grace_minutes"]
        audit.record(s, actor, "site.day_settings", "site", site.id, site.id, before, values)


def published_standards(db: Database, site_code: str) -> tuple[SiteRef, str, list[dict[str, Any]]]:
    """The published services of a site's catalogue (a mobile service: its mall's) with every
    Standar Pelayanan component and the agency, for public feeds (SIPPN). Public data only.
    Returns the site's ref, its name and one dict per service, by code."""
    with db.read() as s:
        site = site_row(s, site_code)
        services = s.scalars(select(Service).where(Service.site_id == site.home_id,
                                                   Service.status == ServiceStatus.published)
                             .options(selectinload(Service.agency)).order_by(Service.code)).all()
        rows = []
        for svc in services:
            row: dict[str, Any] = {k: getattr(svc, k) for k in STANDARD_KEYS}
            row["time_unit"] = svc.time_unit.value if svc.time_unit else None
            row.update(code=svc.code, name=svc.name, description=svc.description, agency_code=svc.agency.code,
                       agency_name=svc.agency.name, updated_at=getattr(svc, "updated_at", None))
            rows.append(row)
        return site.ref, site.name, rows
