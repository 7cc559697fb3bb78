"""Officers: who can be rostered at a site, the services they may serve, their limits, workdays
and days off. Agency admins keep their agency's officers; site managers keep every agency's."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..accounts import service as accounts
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, NotFound, ValidationFailed
from ..scope import Actor, can_manage_agency, can_read_site
from ..timeutil import to_local, utcnow
from .common import agencies, agency_by_code, days_off, delete_rows, require
from .models import StaffAssignment, StaffDayOff, StaffOfficer
from .schemas import OfficerIn, OfficerOut


def _officer_out(o: StaffOfficer, agency_code: str, off: list[date], username: str | None) -> OfficerOut:
    return OfficerOut(id=o.id, agency=agency_code, name=o.name, services=list(o.services),
                      max_minutes_per_day=o.max_minutes_per_day, max_minutes_per_week=o.max_minutes_per_week,
                      friday_prayer=o.friday_prayer, workdays=list(o.workdays), days_off=sorted(off),
                      username=username, active=o.active)


def _usernames(s: Session, officers: list[StaffOfficer]) -> dict[uuid.UUID, str]:
    return accounts.usernames(s, [o.user_id for o in officers if o.user_id])


def list_officers(db: Database, actor: Actor, site_code: str, agency: str | None = None,
                  include_inactive: bool = False) -> list[OfficerOut]:
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        by_id = agencies(s, site)
        q = select(StaffOfficer).where(StaffOfficer.site_id == site.id)
        if agency:
            q = q.where(StaffOfficer.agency_id == agency_by_code(s, site, agency).id)
        if not include_inactive:
            q = q.where(StaffOfficer.active.is_(True))
        officers = list(s.scalars(q))
        officers.sort(key=lambda o: (by_id[o.agency_id].code, o.name))
        off = days_off(s, (o.id for o in officers))
        users = _usernames(s, officers)
        return [_officer_out(o, by_id[o.agency_id].code, off.get(o.id, []),
                             users.get(o.user_id) if o.user_id else None)
                for o in officers]


def _apply_officer(s: Session, site: catalogue.Site, o: StaffOfficer, data: OfficerIn,
                   agency: catalogue.AgencyFacts) -> None:
    known = catalogue.agency_service_codes(s, agency.id)
    wanted = [c.strip().upper() for c in data.services if c.strip()]
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ValidationFailed([FieldError("services", f"Layanan {', '.join(unknown)} bukan layanan instansi "
                                                       f"{agency.code}.", "unknown")])
    user_id = None
    if data.username:
        user = accounts.user_by_username(s, data.username.strip().lower())
        if user is None or user.site_id not in (site.id, site.parent_site_id):
            raise NotFound(f"Akun '{data.username}' di MPP ini", "username")
        user_id = user.id
        other = s.scalar(select(StaffOfficer.name).where(StaffOfficer.user_id == user_id, StaffOfficer.id != o.id))
        if other is not None:  # one person, one record
            raise ValidationFailed([FieldError("username", f"Akun '{data.username}' sudah terhubung dengan "
                                                           f"petugas {other}.", "account_linked")])
    o.agency_id = agency.id
    o.name = data.name
    o.services = sorted(set(wanted) or known)
    o.max_minutes_per_day = data.max_minutes_per_day
    o.max_minutes_per_week = data.max_minutes_per_week
    o.friday_prayer = data.friday_prayer
    o.workdays = list(data.workdays)
    o.user_id = user_id
    o.active = data.active


def _set_days_off(s: Session, officer_id: uuid.UUID, days: list[date]) -> None:
    s.execute(delete(StaffDayOff).where(StaffDayOff.officer_id == officer_id))
    for d in sorted(set(days)):
        s.add(StaffDayOff(officer_id=officer_id, on_date=d, reason=""))


def create_officer(db: Database, actor: Actor, site_code: str, data: OfficerIn) -> OfficerOut:
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        agency = agency_by_code(s, site, data.agency)
        require(can_manage_agency(actor, site.ref, agency.id))
        o = StaffOfficer(id=uuid.uuid4(), site_id=site.id)
        _apply_officer(s, site, o, data, agency)
        s.add(o)
        s.flush()
        _set_days_off(s, o.id, data.days_off)
        audit.record(s, actor, "officer.create", "staff_officer", o.id, site.id, None,
                     audit.snapshot(o, {"days_off": sorted(set(data.days_off))}))
        return _officer_out(o, agency.code, sorted(set(data.days_off)), data.username and data.username.lower())


def _officer_row(s: Session, site: catalogue.Site, officer_id: uuid.UUID) -> StaffOfficer:
    o = s.get(StaffOfficer, officer_id)
    if o is None or o.site_id != site.id:
        raise NotFound("Petugas", "officer_id")
    return o


def update_officer(db: Database, actor: Actor, site_code: str, officer_id: uuid.UUID, data: OfficerIn) -> OfficerOut:
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        o = _officer_row(s, site, officer_id)
        require(can_manage_agency(actor, site.ref, o.agency_id))
        agency = agency_by_code(s, site, data.agency)
        require(can_manage_agency(actor, site.ref, agency.id))
        days_before = sorted(s.scalars(select(StaffDayOff.on_date).where(StaffDayOff.officer_id == o.id)))
        before = audit.snapshot(o, {"days_off": days_before})
        _apply_officer(s, site, o, data, agency)
        _set_days_off(s, o.id, data.days_off)
        s.flush()
        audit.record(s, actor, "officer.update", "staff_officer", o.id, site.id, before,
                     audit.snapshot(o, {"days_off": sorted(set(data.days_off))}))
        return _officer_out(o, agency.code, sorted(set(data.days_off)), data.username and data.username.lower())


def deactivate_officer(db: Database, actor: Actor, site_code: str, officer_id: uuid.UUID) -> None:
    """Officers leave the roster but stay in history: future assignments are removed."""
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        o = _officer_row(s, site, officer_id)
        require(can_manage_agency(actor, site.ref, o.agency_id))
        o.active = False
        today = to_local(utcnow(), site.timezone).date()
        removed = delete_rows(s, delete(StaffAssignment).where(StaffAssignment.officer_id == o.id,
                                                               StaffAssignment.on_date >= today))
        audit.record(s, actor, "officer.deactivate", "staff_officer", o.id, site.id, {"active": True},
                     {"active": False, "future_assignments_removed": removed})
