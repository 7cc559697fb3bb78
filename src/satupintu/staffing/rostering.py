"""The saved roster: read it with its check (every problem of a day or a week), add, remove or
replace assignments. The site manager keeps the roster; site staff and overseers read it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, NotFound, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site
from . import roster as R
from .common import delete_rows, parse_hhmm, require, roster_days
from .event_roster import double_booking
from .inputs import RosterInputs
from .models import StaffAssignment, StaffOfficer
from .schemas import AssignmentIn, AssignmentOut, OpeningOut, RosterCheckOut
from .timefmt import hhmm


def _check_out(inp: RosterInputs, site_code: str, start: date, days: int) -> RosterCheckOut:
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
    dates = roster_days(start, days)
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        inp = RosterInputs(s, site, dates)
        return _check_out(inp, site_code, start, days)


def list_assignments(db: Database, actor: Actor, site_code: str, start: date, days: int = 7) -> list[AssignmentOut]:
    return check(db, actor, site_code, start, days).assignments


def _assignment_row(s: Session, site: catalogue.Site, data: AssignmentIn, index: int | None = None
                    ) -> tuple[StaffAssignment, catalogue.CounterFacts, StaffOfficer]:
    """A new assignment row from the input, checked, with its counter and officer."""
    prefix = f"assignments[{index}]." if index is not None else ""
    start = parse_hhmm(data.start, prefix + "start")
    end = parse_hhmm(data.end, prefix + "end")
    if start >= end:
        raise ValidationFailed([FieldError(prefix + "end", "Jam selesai harus setelah jam mulai.")])
    counter = catalogue.counter_by_number(s, site.id, data.counter)
    if counter is None:
        raise NotFound(f"Loket {data.counter}", prefix + "counter")
    officer = s.get(StaffOfficer, data.officer_id)
    if officer is None or officer.site_id != site.id:
        raise NotFound("Petugas", prefix + "officer_id")
    if not officer.active:
        raise ValidationFailed([FieldError(prefix + "officer_id", f"Petugas {officer.name} tidak aktif.")])
    row = StaffAssignment(id=uuid.uuid4(), site_id=site.id, officer_id=officer.id, counter_id=counter.id,
                          on_date=data.date, start_minute=start, end_minute=end)
    return row, counter, officer


def add_assignment(db: Database, actor: Actor, site_code: str, data: AssignmentIn) -> AssignmentOut:
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        row, c, o = _assignment_row(s, site, data)
        clash = double_booking(s, o, row, same_site=False)  # at the mall's mobile events
        if clash:
            raise ValidationFailed([FieldError("officer_id", clash, "double_booked")])
        s.add(row)
        s.flush()
        audit.record(s, actor, "roster.assign", "staff_assignment", row.id, site.id, None, audit.snapshot(row))
        return AssignmentOut(id=row.id, officer_id=o.id, officer=o.name, counter=c.number, counter_name=c.name,
                             agency=c.agency_code, date=row.on_date, start=hhmm(row.start_minute),
                             end=hhmm(row.end_minute), start_minute=row.start_minute, end_minute=row.end_minute)


def delete_assignment(db: Database, actor: Actor, site_code: str, assignment_id: uuid.UUID) -> None:
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        row = s.get(StaffAssignment, assignment_id)
        if row is None or row.site_id != site.id:
            raise NotFound("Penugasan", "assignment_id")
        audit.record(s, actor, "roster.unassign", "staff_assignment", row.id, site.id, audit.snapshot(row), None)
        s.delete(row)


def replace_assignments(db: Database, actor: Actor, site_code: str, start: date, days: int,
                        items: Sequence[AssignmentIn]) -> int:
    """Replace the saved roster of these days; every assignment must fall within them."""
    dates = set(roster_days(start, days))
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        rows = []
        for i, item in enumerate(items):
            if item.date not in dates:
                raise ValidationFailed([FieldError(f"assignments[{i}].date", "Tanggal penugasan di luar rentang "
                                                                             "hari yang diganti.")])
            rows.append(_assignment_row(s, site, item, i)[0])
        removed = delete_rows(s, delete(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                               StaffAssignment.on_date.in_(sorted(dates))))
        s.add_all(rows)
        audit.record(s, actor, "roster.replace", "site", site.id, site.id, None,
                     {"removed": removed, "assignments": len(rows), "from": min(dates).isoformat(),
                      "to": max(dates).isoformat()})
        return len(rows)
