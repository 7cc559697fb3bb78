"""Roster generation: a roster for some days from the counters plan and the officers (CP-SAT,
`solver.py`), or the reasons none exists; with `save` it replaces the saved roster of those days."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database
from ..scope import Actor, can_manage_site
from . import roster as R
from .common import delete_rows, require, roster_days
from .inputs import RosterInputs
from .models import StaffAssignment
from .schemas import FindingOut, GenerateIn, GenerateOut, ReasonOut
from .solver import RosterProblem, RosterResult, solve_roster
from .timefmt import hhmm


def _reasons_out(inp: RosterInputs, result: RosterResult) -> list[ReasonOut]:
    number = {cid: c.number for cid, c in inp.counter_rows.items()}
    return [ReasonOut(code=r.kind, message=r.message, date=r.day,
                      start=hhmm(r.start) if r.start is not None else None,
                      end=hhmm(r.end) if r.end is not None else None,
                      counters=[number[c] for c in r.counter_ids if c in number],
                      officer_ids=[uuid.UUID(o) for o in r.officer_ids]) for r in result.reasons]


def _findings(inp: RosterInputs, kept: list[R.Assignment], result: RosterResult, dates: list[date]) -> list[FindingOut]:
    """What the checker says of the generated roster together with the kept rest of the weeks."""
    if not result.ok:
        return []
    kept_known = [a for a in kept if a.officer_id in {o.id for o in inp.all_officers}]
    return [inp.finding_out(f) for f in R.check_roster([*kept_known, *result.assignments], inp.counters,
                                                       inp.all_officers, inp.openings, days=dates)]


def _save(db: Database, actor: Actor, site_code: str, dates: list[date], result: RosterResult) -> None:
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        removed = delete_rows(s, delete(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                               StaffAssignment.on_date.in_(dates)))
        # Not a before/after diff: a regenerated roster with as many shifts as the one it
        # replaced would otherwise drop the count from the entry as "unchanged".
        audit.record(s, actor, "roster.generate", "site", site.id, site.id, None,
                     {"removed": removed, "assignments": len(result.assignments),
                      "from": min(dates).isoformat(), "to": max(dates).isoformat()})
        s.add_all(StaffAssignment(id=uuid.uuid4(), site_id=site.id, officer_id=uuid.UUID(a.officer_id),
                                  counter_id=uuid.UUID(a.counter_id), on_date=a.day, start_minute=a.start,
                                  end_minute=a.end) for a in result.assignments)


def generate(db: Database, actor: Actor, site_code: str, data: GenerateIn, workers: int = 2) -> GenerateOut:
    """A roster from the plan and the officers with CP-SAT, or the reasons none exists.

    The solve runs outside any transaction (it can take seconds); with `save` the generated roster
    replaces the saved one of those days. Weekly limits count what is already rostered on the
    other days of those weeks (roster.weekly_allowance).
    """
    dates = roster_days(data.start, data.days)
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        inp = RosterInputs(s, site, dates, with_week=True)
    wanted = set(dates)
    kept = [a for a in inp.assignments if a.day not in wanted]  # the rest of those weeks stays as saved
    officers = R.weekly_allowance(inp.officers, kept, dates)
    problem = RosterProblem(tuple(dates), tuple(inp.counters), tuple(officers), tuple(inp.openings),
                            R.BreakRules(), data.slot_minutes)
    result = solve_roster(problem, time_limit_s=data.time_limit_s, workers=workers,
                          explain_time_limit_s=min(10.0, data.time_limit_s))
    reasons = _reasons_out(inp, result)
    findings = _findings(inp, kept, result, dates)
    saved = False
    if result.ok and data.save:
        _save(db, actor, site_code, dates, result)
        saved = True
    return GenerateOut(status=result.status, ok=result.ok, saved=saved, wall_seconds=round(result.wall_seconds, 3),
                       assignments=[inp.assignment_out(a) for a in result.assignments], reasons=reasons,
                       findings=findings)
