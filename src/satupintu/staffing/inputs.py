"""A site's rows turned into the pure roster types (`roster.Counter`, `Officer`, `Assignment`,
`Opening`) that the checker and the solver take, with the maps back to rows for the output."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue import service as catalogue
from . import roster as R
from .common import agencies, counters, days_off, week_start
from .models import StaffAssignment, StaffOfficer
from .planning import current_counters
from .schemas import AssignmentOut, FindingOut
from .timefmt import hhmm


@dataclass(frozen=True)
class OfficerName:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class SavedAssignment:
    """A saved assignment row, read as plain values: the rows expire when the read session
    ends and the solve comes after."""

    id: uuid.UUID
    officer_id: uuid.UUID
    counter_id: uuid.UUID
    on_date: date
    start_minute: int
    end_minute: int


def _roster_officer(o: StaffOfficer, agency_code: str, off: list[date]) -> R.Officer:
    return R.Officer(str(o.id), o.name, agency_code, frozenset(o.services), o.max_minutes_per_day,
                     o.max_minutes_per_week, o.friday_prayer, frozenset(o.workdays), frozenset(off))


def _saved_assignments(s: Session, site: catalogue.Site, first: date, last: date) -> list[SavedAssignment]:
    rows = s.scalars(select(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                   StaffAssignment.on_date >= first, StaffAssignment.on_date <= last)
                     .order_by(StaffAssignment.on_date, StaffAssignment.start_minute))
    return [SavedAssignment(a.id, a.officer_id, a.counter_id, a.on_date, a.start_minute, a.end_minute) for a in rows]


def _openings(s: Session, site: catalogue.Site, days: Sequence[date], counters: Sequence[R.Counter],
              agency_by_id: dict[uuid.UUID, catalogue.AgencyFacts]) -> list[R.Opening]:
    per_agency: dict[str, int] = defaultdict(int)
    for c in counters:
        per_agency[c.agency] += 1
    out: list[R.Opening] = []
    for day in days:
        hours = catalogue.site_opening_minutes(s, site.id, day)
        if hours is None:
            continue
        plan = current_counters(s, site, day.weekday(), agency_by_id, per_agency, hours)
        plans = [R.HourPlan(agency, day, h, n) for agency, rows in plan.items() for h, n in rows.items() if n > 0]
        out.extend(R.openings_from_plan(plans, counters, opens=hours[0], closes=hours[1]))
    return out


class RosterInputs:
    """Rows of a site turned into the pure roster types, with the maps back to rows."""

    def __init__(self, s: Session, site: catalogue.Site, days: Sequence[date], with_week: bool = True) -> None:
        self.site = site
        self.days = list(days)
        self.agencies = agencies(s, site)
        rows = counters(s, site)
        self.counter_rows = {str(c.id): c for c in rows}
        services_of = catalogue.counter_service_codes(s, [c.id for c in rows])
        self.counters = [R.Counter(str(c.id), c.name, self.agencies[c.agency_id].code,
                                   frozenset(services_of.get(c.id, ()))) for c in rows]
        officers = list(s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == site.id)))
        off = days_off(s, (o.id for o in officers))
        self.officer_rows = {str(o.id): OfficerName(o.id, o.name) for o in officers}
        self.officers = [_roster_officer(o, self.agencies[o.agency_id].code, off.get(o.id, []))
                         for o in sorted(officers, key=lambda o: o.name) if o.active]
        self.all_officers = [_roster_officer(o, self.agencies[o.agency_id].code, off.get(o.id, []))
                             for o in officers]
        # Saved assignments of the whole ISO weeks touched, so weekly limits count every day.
        if with_week and self.days:
            first, last = week_start(min(self.days)), week_start(max(self.days)) + timedelta(days=6)
        else:
            first, last = (min(self.days), max(self.days)) if self.days else (date.min, date.min)
        self.assignment_rows = _saved_assignments(s, site, first, last)
        self.assignments = [R.Assignment(str(a.officer_id), str(a.counter_id), a.on_date, a.start_minute,
                                         a.end_minute)
                            for a in self.assignment_rows if str(a.counter_id) in self.counter_rows]
        self.openings = _openings(s, site, self.days, self.counters, self.agencies)

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
