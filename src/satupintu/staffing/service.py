"""Staffing use cases: officers, the roster (saved, checked, generated), the counters plan,
the arrival forecast and the capacity recommendation.

Forecasts and service times come from the queue's own tickets plus `staff_visit_history`
(visits from before this queue ran: imported, or the demo's generated weeks).

Every use case takes the acting user and checks the scope here: site managers keep the roster
and the plan of their site; agency admins keep their agency's officers; site staff and national
overseers read. The pure rules live in `roster`, `solver`, `forecast`, `capacity`; this module
turns rows into their inputs and their results into the shapes the API and pages show.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..accounts import audit
from ..accounts.models import User
from ..accounts.scope import Actor, SiteRef, can_manage_agency, can_manage_site, can_read_site
from ..catalogue.models import Agency, Counter, OpeningHours, Service, Site, SiteClosure
from ..catalogue.schemas import Strict  # one base for input: the text rule, no unknown fields
from ..catalogue.service import site_row
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..queueing.models import Ticket
from ..queueing.policy import Channel, Status
from ..timeutil import to_local, utcnow
from . import roster as R
from .capacity import recommend_counters
from .forecast import forecast_arrivals
from .models import StaffAssignment, StaffDayOff, StaffOfficer, StaffPlan, VisitHistory
from .simulation import ServiceTimes
from .solver import RosterProblem, solve_roster
from .timefmt import WEEKDAY_NAMES, hhmm

Day = date  # fields named `date` shadow the type inside a model
MAX_DAYS = 7
MAX_DURATION_SAMPLES = 400  # most recent service times kept per service for the simulation
HISTORY_WEEKS = 8  # service times are measured over this many weeks
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


# ---------------------------------------------------------------- shapes


class OfficerIn(Strict):
    agency: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    services: list[str] = Field(default_factory=list, description="Service codes; empty: every service of the agency")
    max_minutes_per_day: int = Field(480, ge=0, le=1440)
    max_minutes_per_week: int = Field(2400, ge=0, le=10080)
    friday_prayer: bool = False
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5], description="0 = Senin ... 6 = Minggu")
    days_off: list[date] = Field(default_factory=list)
    username: str | None = Field(None, description="Link to the officer's user account")
    active: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("Nama petugas wajib diisi.")
        return v.strip()

    @field_validator("workdays")
    @classmethod
    def _workdays(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in v):
            raise ValueError("Hari kerja berupa angka 0 (Senin) sampai 6 (Minggu).")
        return sorted(set(v))


class OfficerOut(BaseModel):
    id: uuid.UUID
    agency: str
    name: str
    services: list[str]
    max_minutes_per_day: int
    max_minutes_per_week: int
    friday_prayer: bool
    workdays: list[int]
    days_off: list[date]
    username: str | None
    active: bool


class AssignmentIn(Strict):
    officer_id: uuid.UUID
    counter: int = Field(ge=1, description="Counter number")
    date: Day
    start: str = Field(description="HH:MM, local time")
    end: str = Field(description="HH:MM, local time")


class AssignmentOut(BaseModel):
    id: uuid.UUID | None = None
    officer_id: uuid.UUID
    officer: str
    counter: int
    counter_name: str
    agency: str
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int


class FindingOut(BaseModel):
    kind: str
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int
    message: str
    counter: int | None = None
    officer_id: uuid.UUID | None = None


class OpeningOut(BaseModel):
    counter: int
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int


class RosterCheckOut(BaseModel):
    site: str
    start: date
    days: int
    dates: list[date]
    findings: list[FindingOut]
    counts: dict[str, int]
    openings: list[OpeningOut]
    assignments: list[AssignmentOut]


class GenerateIn(Strict):
    start: date
    days: int = Field(1, ge=1, le=MAX_DAYS)
    time_limit_s: float = Field(20.0, gt=0, le=60)
    slot_minutes: int = Field(30)
    save: bool = Field(False, description="Replace the saved roster of these days with the generated one")

    @field_validator("slot_minutes")
    @classmethod
    def _slot(cls, v: int) -> int:
        if v not in (15, 30, 60):
            raise ValueError("Panjang slot harus 15, 30 atau 60 menit.")
        return v


class ReasonOut(BaseModel):
    code: str
    message: str
    date: Day | None = None
    start: str | None = None
    end: str | None = None
    counters: list[int] = []
    officer_ids: list[uuid.UUID] = []


class GenerateOut(BaseModel):
    status: str  # optimal | feasible | infeasible | unknown
    ok: bool
    saved: bool
    wall_seconds: float
    assignments: list[AssignmentOut]
    reasons: list[ReasonOut]
    findings: list[FindingOut]


class PlanRow(Strict):
    agency: str
    weekday: int = Field(ge=0, le=6)
    hour: int = Field(ge=0, le=23)
    counters: int = Field(ge=0)


class PlanIn(Strict):
    rows: list[PlanRow]


class PlanOut(BaseModel):
    site: str
    rows: list[PlanRow]


class ForecastRow(BaseModel):
    agency: str
    weekday: int
    hour: int
    arrivals: float


class ForecastOut(BaseModel):
    site: str
    as_of: date
    weeks: int
    rows: list[ForecastRow]
    peaks: dict[str, dict[int, int]]  # agency -> weekday -> busiest hour


class CapacityHour(BaseModel):
    hour: int
    arrivals: float
    handling_minutes: float
    traffic: float
    current: int
    recommended: int
    erlang_level: float
    capped: bool
    wait_before: float | None  # mean wait (minutes) simulated with the current counters
    wait_after: float | None
    p90_before: float | None
    p90_after: float | None
    within_before: float | None  # share called within the target wait
    within_after: float | None


class CapacityAgency(BaseModel):
    agency: str
    name: str
    counters_available: int
    handling_minutes: float
    hours: list[CapacityHour]


class CapacityOut(BaseModel):
    site: str
    weekday: int
    weekday_name: str
    as_of: date
    weeks: int
    target_wait: float
    target_level: float
    unserved_before: float
    unserved_after: float
    agencies: list[CapacityAgency]
    notes: list[str]


# ---------------------------------------------------------------- helpers


def _ref(site: Site) -> SiteRef:
    return SiteRef(site.id, site.parent_site_id)


def _home_id(site: Site) -> uuid.UUID:
    return site.parent_site_id or site.id


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def parse_hhmm(value: str, field: str) -> int:
    if not _HHMM.match(value.strip()):
        raise ValidationFailed([FieldError(field, f"Jam '{value}' tidak valid; tulis JJ:MM, misalnya 08:00.")])
    h, m = value.strip().split(":")
    return int(h) * 60 + int(m)


def _days(start: date, days: int) -> list[date]:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed([FieldError("days", f"Jumlah hari harus 1 sampai {MAX_DAYS}.")])
    return [start + timedelta(days=i) for i in range(days)]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def site_today(db: Database, site_code: str) -> date:
    with db.read() as s:
        site = site_row(s, site_code)
        return to_local(utcnow(), site.timezone).date()


def _agencies(s: Session, site: Site) -> dict[uuid.UUID, Agency]:
    return {a.id: a for a in s.scalars(select(Agency).where(Agency.site_id == _home_id(site)).order_by(Agency.code))}


def _agency_by_code(s: Session, site: Site, code: str, field: str = "agency") -> Agency:
    a = s.scalar(select(Agency).where(Agency.site_id == _home_id(site), Agency.code == code.strip().upper()))
    if a is None:
        raise NotFound(f"Instansi '{code}'", field)
    return a


def _counters(s: Session, site: Site) -> list[Counter]:
    return list(s.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)))


def _officer_out(o: StaffOfficer, agency_code: str, days_off: list[date], username: str | None) -> OfficerOut:
    return OfficerOut(id=o.id, agency=agency_code, name=o.name, services=list(o.services),
                      max_minutes_per_day=o.max_minutes_per_day, max_minutes_per_week=o.max_minutes_per_week,
                      friday_prayer=o.friday_prayer, workdays=list(o.workdays), days_off=sorted(days_off),
                      username=username, active=o.active)


def _days_off(s: Session, officer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[date]]:
    ids = list(officer_ids)
    out: dict[uuid.UUID, list[date]] = defaultdict(list)
    if ids:
        for row in s.scalars(select(StaffDayOff).where(StaffDayOff.officer_id.in_(ids))):
            out[row.officer_id].append(row.on_date)
    return out


# ---------------------------------------------------------------- officers


def list_officers(db: Database, actor: Actor, site_code: str, agency: str | None = None,
                  include_inactive: bool = False) -> list[OfficerOut]:
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        agencies = _agencies(s, site)
        q = select(StaffOfficer).where(StaffOfficer.site_id == site.id)
        if agency:
            q = q.where(StaffOfficer.agency_id == _agency_by_code(s, site, agency).id)
        if not include_inactive:
            q = q.where(StaffOfficer.active.is_(True))
        officers = list(s.scalars(q))
        officers.sort(key=lambda o: (agencies[o.agency_id].code, o.name))
        off = _days_off(s, (o.id for o in officers))
        users = {u.id: u.username for u in s.scalars(select(User).where(
            User.id.in_([o.user_id for o in officers if o.user_id])))} if any(o.user_id for o in officers) else {}
        return [_officer_out(o, agencies[o.agency_id].code, off.get(o.id, []), users.get(o.user_id))
                for o in officers]


def _apply_officer(s: Session, site: Site, o: StaffOfficer, data: OfficerIn, agency: Agency) -> None:
    known = set(s.scalars(select(Service.code).where(Service.agency_id == agency.id)))
    wanted = [c.strip().upper() for c in data.services if c.strip()]
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ValidationFailed([FieldError("services", f"Layanan {', '.join(unknown)} bukan layanan instansi "
                                                       f"{agency.code}.", "unknown")])
    user_id = None
    if data.username:
        user = s.scalar(select(User).where(User.username == data.username.strip().lower()))
        if user is None or user.site_id not in (site.id, site.parent_site_id):
            raise NotFound(f"Akun '{data.username}' di MPP ini", "username")
        user_id = user.id
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
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        agency = _agency_by_code(s, site, data.agency)
        _require(can_manage_agency(actor, _ref(site), agency.id))
        o = StaffOfficer(id=uuid.uuid4(), site_id=site.id)
        _apply_officer(s, site, o, data, agency)
        s.add(o)
        s.flush()
        _set_days_off(s, o.id, data.days_off)
        audit.record(s, actor, "officer.create", "staff_officer", o.id, site.id, None,
                     audit.snapshot(o, {"days_off": sorted(set(data.days_off))}))
        return _officer_out(o, agency.code, sorted(set(data.days_off)), data.username and data.username.lower())


def _officer_row(s: Session, site: Site, officer_id: uuid.UUID) -> StaffOfficer:
    o = s.get(StaffOfficer, officer_id)
    if o is None or o.site_id != site.id:
        raise NotFound("Petugas", "officer_id")
    return o


def update_officer(db: Database, actor: Actor, site_code: str, officer_id: uuid.UUID, data: OfficerIn) -> OfficerOut:
    with db.write() as s:
        site = site_row(s, site_code)
        o = _officer_row(s, site, officer_id)
        _require(can_manage_agency(actor, _ref(site), o.agency_id))
        agency = _agency_by_code(s, site, data.agency)
        _require(can_manage_agency(actor, _ref(site), agency.id))
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
        site = site_row(s, site_code)
        o = _officer_row(s, site, officer_id)
        _require(can_manage_agency(actor, _ref(site), o.agency_id))
        o.active = False
        today = to_local(utcnow(), site.timezone).date()
        removed = s.execute(delete(StaffAssignment).where(StaffAssignment.officer_id == o.id,
                                                          StaffAssignment.on_date >= today)).rowcount
        audit.record(s, actor, "officer.deactivate", "staff_officer", o.id, site.id, {"active": True},
                     {"active": False, "future_assignments_removed": removed})


# ---------------------------------------------------------------- roster inputs


class _Inputs:
    """Rows of a site turned into the pure roster types, with the maps back to rows."""

    def __init__(self, s: Session, site: Site, days: Sequence[date], with_week: bool = True) -> None:
        self.site = site
        self.days = list(days)
        agencies = _agencies(s, site)
        self.agencies = {k: SimpleNamespace(id=a.id, code=a.code, name=a.name) for k, a in agencies.items()}
        rows = _counters(s, site)
        # Plain snapshots: the rows expire when the read session ends, the solve comes after.
        self.counter_rows = {str(c.id): SimpleNamespace(id=c.id, number=c.number, name=c.name,
                                                        agency_id=c.agency_id) for c in rows}
        services_of: dict[uuid.UUID, list[str]] = defaultdict(list)
        from ..catalogue.models import counter_services
        for cid, code in s.execute(select(counter_services.c.counter_id, Service.code).join(
                Service, Service.id == counter_services.c.service_id).where(
                counter_services.c.counter_id.in_([c.id for c in rows]))):
            services_of[cid].append(code)
        self.counters = [R.Counter(str(c.id), c.name, self.agencies[c.agency_id].code, frozenset(services_of[c.id]))
                         for c in rows]
        officers = list(s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == site.id)))
        off = _days_off(s, (o.id for o in officers))
        self.officer_rows = {str(o.id): SimpleNamespace(id=o.id, name=o.name) for o in officers}
        self.officers = [R.Officer(str(o.id), o.name, self.agencies[o.agency_id].code, frozenset(o.services),
                                   o.max_minutes_per_day, o.max_minutes_per_week, o.friday_prayer,
                                   frozenset(o.workdays), frozenset(off.get(o.id, [])))
                         for o in sorted(officers, key=lambda o: o.name) if o.active]
        self.all_officers = [R.Officer(str(o.id), o.name, self.agencies[o.agency_id].code, frozenset(o.services),
                                       o.max_minutes_per_day, o.max_minutes_per_week, o.friday_prayer,
                                       frozenset(o.workdays), frozenset(off.get(o.id, [])))
                             for o in officers]
        # Saved assignments of the whole ISO weeks touched, so weekly limits count every day.
        if with_week and self.days:
            first, last = week_start(min(self.days)), week_start(max(self.days)) + timedelta(days=6)
        else:
            first, last = (min(self.days), max(self.days)) if self.days else (date.min, date.min)
        self.assignment_rows = [SimpleNamespace(id=a.id, officer_id=a.officer_id, counter_id=a.counter_id,
                                                on_date=a.on_date, start_minute=a.start_minute,
                                                end_minute=a.end_minute)
                                for a in s.scalars(select(StaffAssignment).where(
                                    StaffAssignment.site_id == site.id, StaffAssignment.on_date >= first,
                                    StaffAssignment.on_date <= last)
                                    .order_by(StaffAssignment.on_date, StaffAssignment.start_minute))]
        self.assignments = [R.Assignment(str(a.officer_id), str(a.counter_id), a.on_date, a.start_minute,
                                         a.end_minute)
                            for a in self.assignment_rows if str(a.counter_id) in self.counter_rows]
        self.openings = _openings(s, site, self.days, self.counters, agencies)

    def assignment_out(self, a: R.Assignment, row_id: uuid.UUID | None = None) -> AssignmentOut:
        c = self.counter_rows[a.counter_id]
        o = self.officer_rows[a.officer_id]
        return AssignmentOut(id=row_id, officer_id=o.id, officer=o.name, counter=c.number, counter_name=c.name,
                             agency=self.agencies[c.agency_id].code, date=a.day, start=hhmm(a.start), end=hhmm(a.end),
                             start_minute=a.start, end_minute=a.end)

    def finding_out(self, f: R.Finding) -> FindingOut:
        c = self.counter_rows.get(f.counter_id or "")
        return FindingOut(kind=f.kind.value, date=f.day, start=hhmm(f.start), end=hhmm(f.end), start_minute=f.start,
                          end_minute=f.end, message=f.message, counter=c.number if c else None,
                          officer_id=uuid.UUID(f.officer_id) if f.officer_id else None)


def opening_minutes(s: Session, site: Site, day: date) -> tuple[int, int] | None:
    """Opening hours of a day in minutes, or None when the site is closed."""
    home = site
    if s.scalar(select(SiteClosure.id).where(SiteClosure.site_id == site.id, SiteClosure.on_date == day)):
        return None
    row = s.scalar(select(OpeningHours).where(OpeningHours.site_id == home.id, OpeningHours.weekday == day.weekday()))
    if row is None:
        return None
    return row.opens.hour * 60 + row.opens.minute, row.closes.hour * 60 + row.closes.minute


def _plan_rows(s: Session, site: Site) -> list[StaffPlan]:
    return list(s.scalars(select(StaffPlan).where(StaffPlan.site_id == site.id)
                          .order_by(StaffPlan.agency_id, StaffPlan.weekday, StaffPlan.hour)))


def current_counters(s: Session, site: Site, weekday: int, agencies: dict[uuid.UUID, Agency],
                     counters_per_agency: dict[str, int], hours: tuple[int, int] | None) -> dict[str, dict[int, int]]:
    """Counters kept open per agency and hour on a weekday: the saved plan; an agency without any
    plan keeps every counter open through opening hours."""
    plans = _plan_rows(s, site)
    planned_agencies = {p.agency_id for p in plans}
    out: dict[str, dict[int, int]] = {}
    for agency_id, agency in agencies.items():
        n = counters_per_agency.get(agency.code, 0)
        if n == 0:
            continue
        if agency_id in planned_agencies:
            rows = {p.hour: p.counters for p in plans if p.agency_id == agency_id and p.weekday == weekday}
            if rows:
                out[agency.code] = rows
        elif hours is not None:
            opens, closes = hours
            out[agency.code] = {h: n for h in range(opens // 60, math.ceil(closes / 60))}
    return out


def _openings(s: Session, site: Site, days: Sequence[date], counters: Sequence[R.Counter],
              agencies: dict[uuid.UUID, Agency]) -> list[R.Opening]:
    per_agency: dict[str, int] = defaultdict(int)
    for c in counters:
        per_agency[c.agency] += 1
    out: list[R.Opening] = []
    for day in days:
        hours = opening_minutes(s, site, day)
        if hours is None:
            continue
        plan = current_counters(s, site, day.weekday(), agencies, per_agency, hours)
        plans = [R.HourPlan(agency, day, h, n) for agency, rows in plan.items() for h, n in rows.items() if n > 0]
        out.extend(R.openings_from_plan(plans, counters, opens=hours[0], closes=hours[1]))
    return out


# ---------------------------------------------------------------- roster: read, save, check


def _check_out(inp: _Inputs, site_code: str, start: date, days: int) -> RosterCheckOut:
    findings = R.check_roster(inp.assignments, inp.counters, inp.all_officers, inp.openings, days=inp.days)
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind.value] += 1
    wanted = set(inp.days)
    ids = {(str(a.officer_id), str(a.counter_id), a.on_date, a.start_minute, a.end_minute): a.id
           for a in inp.assignment_rows}
    assignments = [inp.assignment_out(a, ids.get((a.officer_id, a.counter_id, a.day, a.start, a.end)))
                   for a in inp.assignments if a.day in wanted]
    openings = [OpeningOut(counter=inp.counter_rows[o.counter_id].number, date=o.day, start=hhmm(o.start),
                           end=hhmm(o.end), start_minute=o.start, end_minute=o.end) for o in inp.openings]
    return RosterCheckOut(site=site_code, start=start, days=days, dates=inp.days,
                          findings=[inp.finding_out(f) for f in findings], counts=dict(counts), openings=openings,
                          assignments=assignments)


def check(db: Database, actor: Actor, site_code: str, start: date, days: int = 7) -> RosterCheckOut:
    """Every problem of the saved roster for a day or a week, with the roster and the openings."""
    dates = _days(start, days)
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        inp = _Inputs(s, site, dates)
        return _check_out(inp, site_code, start, days)


def list_assignments(db: Database, actor: Actor, site_code: str, start: date, days: int = 7) -> list[AssignmentOut]:
    return check(db, actor, site_code, start, days).assignments


def _assignment_row(s: Session, site: Site, data: AssignmentIn, index: int | None = None) -> StaffAssignment:
    prefix = f"assignments[{index}]." if index is not None else ""
    start = parse_hhmm(data.start, prefix + "start")
    end = parse_hhmm(data.end, prefix + "end")
    if start >= end:
        raise ValidationFailed([FieldError(prefix + "end", "Jam selesai harus setelah jam mulai.")])
    counter = s.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == data.counter))
    if counter is None:
        raise NotFound(f"Loket {data.counter}", prefix + "counter")
    officer = s.get(StaffOfficer, data.officer_id)
    if officer is None or officer.site_id != site.id:
        raise NotFound("Petugas", prefix + "officer_id")
    if not officer.active:
        raise ValidationFailed([FieldError(prefix + "officer_id", f"Petugas {officer.name} tidak aktif.")])
    return StaffAssignment(id=uuid.uuid4(), site_id=site.id, officer_id=officer.id, counter_id=counter.id,
                           on_date=data.date, start_minute=start, end_minute=end)


def add_assignment(db: Database, actor: Actor, site_code: str, data: AssignmentIn) -> AssignmentOut:
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
        row = _assignment_row(s, site, data)
        s.add(row)
        s.flush()
        audit.record(s, actor, "roster.assign", "staff_assignment", row.id, site.id, None, audit.snapshot(row))
        c, o = s.get(Counter, row.counter_id), s.get(StaffOfficer, row.officer_id)
        return AssignmentOut(id=row.id, officer_id=o.id, officer=o.name, counter=c.number, counter_name=c.name,
                             agency=s.get(Agency, c.agency_id).code, date=row.on_date, start=hhmm(row.start_minute),
                             end=hhmm(row.end_minute), start_minute=row.start_minute, end_minute=row.end_minute)


def delete_assignment(db: Database, actor: Actor, site_code: str, assignment_id: uuid.UUID) -> None:
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
        row = s.get(StaffAssignment, assignment_id)
        if row is None or row.site_id != site.id:
            raise NotFound("Penugasan", "assignment_id")
        audit.record(s, actor, "roster.unassign", "staff_assignment", row.id, site.id, audit.snapshot(row), None)
        s.delete(row)


def replace_assignments(db: Database, actor: Actor, site_code: str, start: date, days: int,
                        items: Sequence[AssignmentIn]) -> int:
    """Replace the saved roster of these days; every assignment must fall within them."""
    dates = set(_days(start, days))
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
        rows = []
        for i, item in enumerate(items):
            if item.date not in dates:
                raise ValidationFailed([FieldError(f"assignments[{i}].date", "Tanggal penugasan di luar rentang "
                                                                             "hari yang diganti.")])
            rows.append(_assignment_row(s, site, item, i))
        removed = s.execute(delete(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                          StaffAssignment.on_date.in_(sorted(dates)))).rowcount
        s.add_all(rows)
        audit.record(s, actor, "roster.replace", "site", site.id, site.id, None,
                     {"removed": removed, "assignments": len(rows), "from": min(dates).isoformat(),
                      "to": max(dates).isoformat()})
        return len(rows)


# ---------------------------------------------------------------- roster generation


def generate(db: Database, actor: Actor, site_code: str, data: GenerateIn, workers: int = 2) -> GenerateOut:
    """A roster from the plan and the officers with CP-SAT, or the reasons none exists.

    The solve runs outside any transaction (it can take seconds); with `save` the generated roster
    replaces the saved one of those days. Weekly limits count what is already rostered on the
    other days of those weeks (roster.weekly_allowance).
    """
    dates = _days(data.start, data.days)
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
        inp = _Inputs(s, site, dates, with_week=True)
    wanted = set(dates)
    kept = [a for a in inp.assignments if a.day not in wanted]  # the rest of those weeks stays as saved
    officers = R.weekly_allowance(inp.officers, kept, dates)
    problem = RosterProblem(tuple(dates), tuple(inp.counters), tuple(officers), tuple(inp.openings),
                            R.BreakRules(), data.slot_minutes)
    result = solve_roster(problem, time_limit_s=data.time_limit_s, workers=workers,
                          explain_time_limit_s=min(10.0, data.time_limit_s))
    number = {cid: c.number for cid, c in inp.counter_rows.items()}
    reasons = [ReasonOut(code=r.kind, message=r.message, date=r.day,
                         start=hhmm(r.start) if r.start is not None else None,
                         end=hhmm(r.end) if r.end is not None else None,
                         counters=[number[c] for c in r.counter_ids if c in number],
                         officer_ids=[uuid.UUID(o) for o in r.officer_ids]) for r in result.reasons]
    findings = []
    if result.ok:
        kept_known = [a for a in kept if a.officer_id in {o.id for o in inp.all_officers}]
        findings = [inp.finding_out(f) for f in R.check_roster([*kept_known, *result.assignments], inp.counters,
                                                               inp.all_officers, inp.openings, days=dates)]
    saved = False
    if result.ok and data.save:
        with db.write() as s:
            site = site_row(s, site_code)
            _require(can_manage_site(actor, _ref(site)))
            removed = s.execute(delete(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                              StaffAssignment.on_date.in_(dates))).rowcount
            # Not a before/after diff: a regenerated roster with as many shifts as the one it
            # replaced would otherwise drop the count from the entry as "unchanged".
            audit.record(s, actor, "roster.generate", "site", site.id, site.id, None,
                         {"removed": removed, "assignments": len(result.assignments),
                          "from": min(dates).isoformat(), "to": max(dates).isoformat()})
            s.add_all(StaffAssignment(id=uuid.uuid4(), site_id=site.id, officer_id=uuid.UUID(a.officer_id),
                                      counter_id=uuid.UUID(a.counter_id), on_date=a.day, start_minute=a.start,
                                      end_minute=a.end) for a in result.assignments)
        saved = True
    return GenerateOut(status=result.status, ok=result.ok, saved=saved, wall_seconds=round(result.wall_seconds, 3),
                       assignments=[inp.assignment_out(a) for a in result.assignments], reasons=reasons,
                       findings=findings)


# ---------------------------------------------------------------- the counters plan


def get_plan(db: Database, actor: Actor, site_code: str) -> PlanOut:
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        agencies = _agencies(s, site)
        rows = [PlanRow(agency=agencies[p.agency_id].code, weekday=p.weekday, hour=p.hour, counters=p.counters)
                for p in _plan_rows(s, site)]
        rows.sort(key=lambda r: (r.agency, r.weekday, r.hour))
        return PlanOut(site=site_code, rows=rows)


def set_plan(db: Database, actor: Actor, site_code: str, data: PlanIn) -> PlanOut:
    """Replace the plan of the agencies named in `rows` (other agencies keep theirs)."""
    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
        per_agency: dict[uuid.UUID, int] = defaultdict(int)
        for c in _counters(s, site):
            per_agency[c.agency_id] += 1
        seen: set[tuple[uuid.UUID, int, int]] = set()
        new = []
        touched: set[uuid.UUID] = set()
        for i, row in enumerate(data.rows):
            agency = _agency_by_code(s, site, row.agency, f"rows[{i}].agency")
            if row.counters > per_agency[agency.id]:
                raise ValidationFailed([FieldError(f"rows[{i}].counters", f"{agency.code} hanya memiliki "
                                                   f"{per_agency[agency.id]} loket.", "too_many")])
            key = (agency.id, row.weekday, row.hour)
            if key in seen:
                raise ValidationFailed([FieldError(f"rows[{i}]", "Baris rencana ganda untuk instansi, hari dan jam "
                                                                 "yang sama.", "duplicate")])
            seen.add(key)
            touched.add(agency.id)
            new.append(StaffPlan(site_id=site.id, agency_id=agency.id, weekday=row.weekday, hour=row.hour,
                                 counters=row.counters))
        if touched:
            old = s.scalars(select(StaffPlan).where(StaffPlan.site_id == site.id,
                                                    StaffPlan.agency_id.in_(touched))).all()
            before = {"rows": sorted([str(p.agency_id), p.weekday, p.hour, p.counters] for p in old)}
            s.execute(delete(StaffPlan).where(StaffPlan.site_id == site.id, StaffPlan.agency_id.in_(touched)))
            audit.record(s, actor, "plan.set", "site", site.id, site.id, before,
                         {"rows": sorted([str(p.agency_id), p.weekday, p.hour, p.counters] for p in new)})
        s.flush()
        s.add_all(new)
    return get_plan(db, actor, site_code)


# ---------------------------------------------------------------- forecast and capacity


def _history_as_of(s: Session, site: Site, today: date, zone: ZoneInfo) -> date:
    """Count up to the last day with recorded arrivals (at most today), so days not yet recorded
    do not read as days without visitors."""
    midnight = datetime.combine(today, datetime.min.time(), zone).astimezone(UTC)
    lasts = [s.scalar(select(func.max(Ticket.issued_at)).where(
                 Ticket.site_id == site.id, Ticket.channel != Channel.referral, Ticket.issued_at < midnight)),
             s.scalar(select(func.max(VisitHistory.issued_at)).where(VisitHistory.site_id == site.id,
                                                                     VisitHistory.issued_at < midnight))]
    known = [x for x in lasts if x is not None]
    if not known:
        return today
    last = max(x if x.tzinfo else x.replace(tzinfo=UTC) for x in known)
    return min(today, last.astimezone(zone).date() + timedelta(days=1))


def _forecast(s: Session, site: Site, as_of: date | None, weeks: int):  # type: ignore[no-untyped-def]
    zone = ZoneInfo(site.timezone)
    today = to_local(utcnow(), site.timezone).date()
    as_of = as_of or _history_as_of(s, site, today, zone)
    since = datetime.combine(as_of - timedelta(days=7 * weeks + 1), datetime.min.time(), UTC)
    rows = s.execute(select(Agency.code, Ticket.issued_at).join(Service, Service.id == Ticket.service_id)
                     .join(Agency, Agency.id == Service.agency_id)
                     .where(Ticket.site_id == site.id, Ticket.channel != Channel.referral,
                            Ticket.issued_at >= since)).all()
    rows += s.execute(select(Agency.code, VisitHistory.issued_at).join(Service, Service.id == VisitHistory.service_id)
                      .join(Agency, Agency.id == Service.agency_id)
                      .where(VisitHistory.site_id == site.id, VisitHistory.issued_at >= since)).all()
    closed = list(s.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id == site.id)))
    return forecast_arrivals(((a, t) for a, t in rows), site.timezone, as_of, weeks=weeks, closed_days=closed)


def forecast(db: Database, actor: Actor, site_code: str, as_of: date | None = None, weeks: int = 4) -> ForecastOut:
    """Mean arrivals per agency, weekday and hour over the past weeks of the queue's own history."""
    if not 1 <= weeks <= 12:
        raise ValidationFailed([FieldError("weeks", "Jumlah minggu harus 1 sampai 12.")])
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        fc = _forecast(s, site, as_of, weeks)
    rows = [ForecastRow(agency=a, weekday=wd, hour=h, arrivals=round(v, 2)) for (a, wd, h), v in sorted(fc.rates.items())]
    peaks: dict[str, dict[int, int]] = defaultdict(dict)
    best: dict[tuple[str, int], float] = {}
    for (a, wd, h), v in fc.rates.items():
        if v > best.get((a, wd), -1):
            best[(a, wd)] = v
            peaks[a][wd] = h
    return ForecastOut(site=site_code, as_of=fc.as_of, weeks=weeks, rows=rows, peaks=dict(peaks))


def _service_times(s: Session, site: Site, as_of: date) -> list[ServiceTimes]:
    since = datetime.combine(as_of - timedelta(weeks=HISTORY_WEEKS), datetime.min.time(), UTC)
    rows = s.execute(select(Service.code, Agency.code, Ticket.serving_at, Ticket.finished_at)
                     .join(Service, Service.id == Ticket.service_id).join(Agency, Agency.id == Service.agency_id)
                     .where(Ticket.site_id == site.id, Ticket.status == Status.done, Ticket.serving_at.is_not(None),
                            Ticket.finished_at.is_not(None), Ticket.finished_at >= since)
                     .order_by(Ticket.finished_at.desc())).all()
    rows += s.execute(select(Service.code, Agency.code, VisitHistory.serving_at, VisitHistory.finished_at)
                      .join(Service, Service.id == VisitHistory.service_id)
                      .join(Agency, Agency.id == Service.agency_id)
                      .where(VisitHistory.site_id == site.id, VisitHistory.serving_at.is_not(None),
                             VisitHistory.finished_at.is_not(None), VisitHistory.finished_at >= since)
                      .order_by(VisitHistory.finished_at.desc())).all()
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for code, agency, serving, finished in rows:
        minutes = (finished - serving).total_seconds() / 60
        if 0 < minutes <= 240:
            counts[(code, agency)] += 1
            if len(durations[(code, agency)]) < MAX_DURATION_SAMPLES:
                durations[(code, agency)].append(round(minutes, 2))
    return [ServiceTimes(code, agency, tuple(d), float(counts[(code, agency)]))
            for (code, agency), d in sorted(durations.items())]


def capacity(db: Database, actor: Actor, site_code: str, weekday: int | None = None, target_wait: float = 15.0,
             target_level: float = 0.8, weeks: int = 4, as_of: date | None = None,
             replications: int = 5) -> CapacityOut:
    """Counters recommended per agency and hour of a weekday (Erlang C) for the target, with the
    waits simulated before (the current plan) and after (the recommendation)."""
    errors = []
    if not 1 <= target_wait <= 240:
        errors.append(FieldError("target_wait", "Target waktu tunggu harus 1 sampai 240 menit."))
    if not 0 < target_level < 1:
        errors.append(FieldError("target_level", "Target tingkat layanan harus di antara 0 dan 1, misalnya 0.8."))
    if not 1 <= weeks <= 12:
        errors.append(FieldError("weeks", "Jumlah minggu harus 1 sampai 12."))
    if weekday is not None and not 0 <= weekday <= 6:
        errors.append(FieldError("weekday", "Hari berupa angka 0 (Senin) sampai 6 (Minggu)."))
    if not 1 <= replications <= 50:
        errors.append(FieldError("replications", "Jumlah pengulangan simulasi harus 1 sampai 50."))
    if errors:
        raise ValidationFailed(errors)
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, _ref(site)))
        fc = _forecast(s, site, as_of, weeks)
        if weekday is None:
            weekday = to_local(utcnow(), site.timezone).date().weekday()
        agencies = _agencies(s, site)
        per_agency: dict[str, int] = defaultdict(int)
        for c in _counters(s, site):
            per_agency[agencies[c.agency_id].code] += 1
        hours_row = s.scalar(select(OpeningHours).where(OpeningHours.site_id == site.id,
                                                        OpeningHours.weekday == weekday))
        hours = ((hours_row.opens.hour * 60 + hours_row.opens.minute, hours_row.closes.hour * 60
                  + hours_row.closes.minute) if hours_row else None)
        current = current_counters(s, site, weekday, agencies, per_agency, hours)
        services = _service_times(s, site, fc.as_of)
        names = {a.code: a.name for a in agencies.values()}
    notes = []
    timed = {st.agency for st in services}
    arrivals = {}
    for agency, per_hour in fc.for_weekday(weekday).items():
        if agency not in timed:
            notes.append(f"{agency}: belum ada data lama layanan, instansi ini dilewati.")
            continue
        if per_agency.get(agency, 0) == 0:
            notes.append(f"{agency}: tidak memiliki loket, instansi ini dilewati.")
            continue
        arrivals[agency] = per_hour
    if hours is None:
        notes.append(f"MPP tutup pada hari {WEEKDAY_NAMES[weekday]}.")
    current = {a: rows for a, rows in current.items() if a in arrivals}
    if not arrivals:
        return CapacityOut(site=site_code, weekday=weekday, weekday_name=WEEKDAY_NAMES[weekday], as_of=fc.as_of,
                           weeks=weeks, target_wait=target_wait, target_level=target_level, unserved_before=0,
                           unserved_after=0, agencies=[], notes=notes or ["Belum ada data kedatangan."])
    # Not capped at the counters an agency has: the plan shows what the target needs, flagged
    # where that is more than the agency's counters.
    rec = recommend_counters(arrivals, services, current, target_wait=target_wait, target_level=target_level,
                             replications=replications, seed=weekday)
    by_agency: dict[str, list[CapacityHour]] = defaultdict(list)
    handling: dict[str, float] = {}
    for h in rec.hours:
        handling[h.agency] = h.handling_minutes
        by_agency[h.agency].append(CapacityHour(
            hour=h.hour, arrivals=round(h.arrivals, 2), handling_minutes=round(h.handling_minutes, 2),
            traffic=round(h.traffic, 3), current=h.current, recommended=h.recommended,
            erlang_level=round(h.erlang_level, 3), capped=h.recommended > per_agency[h.agency],
            wait_before=_r(h.before.mean_wait if h.before else None), wait_after=_r(h.after.mean_wait if h.after else None),
            p90_before=_r(h.before.p90_wait if h.before else None), p90_after=_r(h.after.p90_wait if h.after else None),
            within_before=_r(h.before.within_target if h.before else None, 3),
            within_after=_r(h.after.within_target if h.after else None, 3)))
    out = [CapacityAgency(agency=a, name=names.get(a, a), counters_available=per_agency[a],
                          handling_minutes=round(handling[a], 2), hours=rows) for a, rows in sorted(by_agency.items())]
    return CapacityOut(site=site_code, weekday=weekday, weekday_name=WEEKDAY_NAMES[weekday], as_of=fc.as_of,
                       weeks=weeks, target_wait=target_wait, target_level=target_level,
                       unserved_before=round(rec.unserved_before, 2), unserved_after=round(rec.unserved_after, 2),
                       agencies=out, notes=notes)


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)



def apply_recommendation(db: Database, actor: Actor, site_code: str, weekday: int, target_wait: float = 15.0,
                         target_level: float = 0.8) -> PlanOut:
    """Make the recommended counters (at most the agency's counters) the plan of this weekday;
    the plan of the other weekdays stays as it was."""
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, _ref(site)))
    plan = capacity(db, actor, site_code, weekday, target_wait, target_level)
    current = get_plan(db, actor, site_code)
    touched = {a.agency for a in plan.agencies}
    rows = [r for r in current.rows if r.agency in touched and r.weekday != plan.weekday]
    rows += [PlanRow(agency=a.agency, weekday=plan.weekday, hour=h.hour,
                     counters=min(h.recommended, a.counters_available))
             for a in plan.agencies for h in a.hours]
    return set_plan(db, actor, site_code, PlanIn(rows=rows))
