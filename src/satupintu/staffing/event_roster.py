"""Officers at a mobile service event: the mall's officers are assigned to the event's counters on
its days. An officer is one person with one roster: an assignment that overlaps one they already
have (at the mall or at another event) is refused, found by the roster check's double-booking
rule over every site of the officer's mall."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, NotFound, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site
from . import roster as R
from .common import parse_hhmm, require
from .models import StaffAssignment, StaffOfficer
from .schemas import AssignmentIn, AssignmentOut
from .timefmt import hhmm


@dataclass(frozen=True)
class EventOfficer:
    id: uuid.UUID
    name: str
    agency: str


@dataclass(frozen=True)
class EventRoster:
    code: str
    name: str
    days: tuple[date, ...]
    counters: tuple[catalogue.CounterFacts, ...]
    officers: tuple[EventOfficer, ...]  # the mall's active officers
    assignments: tuple[AssignmentOut, ...]


def _event(s: Session, code: str) -> catalogue.Site:
    site = catalogue.site_row(s, code)
    if site.kind is not catalogue.SiteKind.mobile or site.starts_on is None or site.ends_on is None:
        raise NotFound("Kegiatan pelayanan bergerak", "event")
    return site


def _days(site: catalogue.Site) -> tuple[date, ...]:
    assert site.starts_on is not None and site.ends_on is not None
    return tuple(site.starts_on + timedelta(days=i) for i in range((site.ends_on - site.starts_on).days + 1))


def _out(row: StaffAssignment, officer: StaffOfficer, counter: catalogue.CounterFacts) -> AssignmentOut:
    return AssignmentOut(id=row.id, officer_id=officer.id, officer=officer.name, counter=counter.number,
                         counter_name=counter.name, agency=counter.agency_code, date=row.on_date,
                         start=hhmm(row.start_minute), end=hhmm(row.end_minute), start_minute=row.start_minute,
                         end_minute=row.end_minute)


def event_roster(db: Database, actor: Actor, event_code: str) -> EventRoster:
    with db.read() as s:
        event = _event(s, event_code)
        require(can_read_site(actor, event.ref))
        counters = {c.id: c for c in catalogue.site_counters(s, event.id)}
        agencies = {a.id: a.code for a in catalogue.site_agencies(s, event.home_id)}
        officers = s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == event.home_id,
                                                        StaffOfficer.active.is_(True)).order_by(StaffOfficer.name))
        by_id = {o.id: o for o in s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == event.home_id))}
        rows = s.scalars(select(StaffAssignment).where(StaffAssignment.site_id == event.id)
                         .order_by(StaffAssignment.on_date, StaffAssignment.start_minute))
        return EventRoster(
            code=event.code, name=event.name, days=_days(event), counters=tuple(counters.values()),
            officers=tuple(EventOfficer(o.id, o.name, agencies.get(o.agency_id, "")) for o in officers),
            assignments=tuple(_out(a, by_id[a.officer_id], counters[a.counter_id]) for a in rows
                              if a.officer_id in by_id and a.counter_id in counters))


def double_booking(s: Session, officer: StaffOfficer, row: StaffAssignment, same_site: bool = True) -> str | None:
    """The roster check's message when the new assignment overlaps one the officer already has on
    that date at any site (the mall or one of its events; with same_site=False only at the other
    sites, as the mall's own roster shows its overlaps as findings); None when it does not."""
    query = select(StaffAssignment).where(StaffAssignment.officer_id == officer.id,
                                          StaffAssignment.on_date == row.on_date)
    if not same_site:
        query = query.where(StaffAssignment.site_id != row.site_id)
    others = list(s.scalars(query))
    if not others:
        return None
    counters: dict[str, R.Counter] = {}
    for site_id in {a.site_id for a in others} | {row.site_id}:
        site = s.get(catalogue.Site, site_id)
        where = f" di {site.name}" if site is not None and site.kind is catalogue.SiteKind.mobile else ""
        for c in catalogue.site_counters(s, site_id):
            counters[str(c.id)] = R.Counter(str(c.id), f"{c.name}{where}", c.agency_code, frozenset())
    person = R.Officer(str(officer.id), officer.name, "", frozenset(), max_minutes_per_day=24 * 60,
                       max_minutes_per_week=7 * 24 * 60, workdays=frozenset(range(7)))

    def as_roster(a: StaffAssignment) -> R.Assignment:
        return R.Assignment(str(a.officer_id), str(a.counter_id), a.on_date, a.start_minute, a.end_minute)

    def clashes(items: list[StaffAssignment]) -> list[R.Finding]:
        found = R.check_roster([as_roster(a) for a in items if str(a.counter_id) in counters], list(counters.values()),
                               [person], [], days=[row.on_date])
        return [f for f in found if f.kind is R.FindingKind.double_booked]

    before, after = clashes(others), clashes([*others, row])
    if len(after) > len(before):
        return next(f.message for f in after if f not in before)
    return None


def assign_at_event(db: Database, actor: Actor, event_code: str, data: AssignmentIn) -> AssignmentOut:
    """Put one of the mall's officers at an event counter on one of its days."""
    with db.write() as s:
        event = _event(s, event_code)
        require(can_manage_site(actor, event.ref))
        errors: list[FieldError] = []
        assert event.starts_on is not None and event.ends_on is not None
        if not event.starts_on <= data.date <= event.ends_on:
            errors.append(FieldError("date", f"Tanggal harus dalam masa kegiatan "
                                             f"({event.starts_on:%d-%m-%Y} s.d. {event.ends_on:%d-%m-%Y})."))
        start = end = 0
        try:
            start = parse_hhmm(data.start, "start")
            end = parse_hhmm(data.end, "end")
        except ValidationFailed as exc:
            errors.extend(exc.details)
        else:
            if start >= end:
                errors.append(FieldError("end", "Jam selesai harus setelah jam mulai."))
        counter = catalogue.counter_by_number(s, event.id, data.counter)
        if counter is None:
            errors.append(FieldError("counter", f"Loket {data.counter} tidak ada di kegiatan ini."))
        officer = s.get(StaffOfficer, data.officer_id)
        if officer is None or officer.site_id != event.home_id:
            errors.append(FieldError("officer_id", "Pilih petugas dari daftar."))
        elif not officer.active:
            errors.append(FieldError("officer_id", f"Petugas {officer.name} tidak aktif."))
        if errors:
            raise ValidationFailed(errors)
        assert counter is not None and officer is not None
        row = StaffAssignment(id=uuid.uuid4(), site_id=event.id, officer_id=officer.id, counter_id=counter.id,
                              on_date=data.date, start_minute=start, end_minute=end)
        clash = double_booking(s, officer, row)
        if clash:
            raise ValidationFailed([FieldError("officer_id", clash, "double_booked")])
        s.add(row)
        s.flush()
        audit.record(s, actor, "roster.assign", "staff_assignment", row.id, event.id, None, audit.snapshot(row))
        return _out(row, officer, counter)
