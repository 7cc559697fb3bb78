"""The counters plan: how many counters each agency keeps open per weekday and hour. The site
manager sets it (by hand or from the capacity recommendation); roster openings come from it."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site
from .common import agencies, agency_by_code, counters, require
from .models import StaffPlan
from .schemas import PlanIn, PlanOut, PlanRow


def plan_rows(s: Session, site: catalogue.Site) -> list[StaffPlan]:
    return list(s.scalars(select(StaffPlan).where(StaffPlan.site_id == site.id)
                          .order_by(StaffPlan.agency_id, StaffPlan.weekday, StaffPlan.hour)))


def current_counters(s: Session, site: catalogue.Site, weekday: int,
                     agency_by_id: dict[uuid.UUID, catalogue.AgencyFacts], counters_per_agency: dict[str, int],
                     hours: tuple[int, int] | None) -> dict[str, dict[int, int]]:
    """Counters kept open per agency and hour on a weekday: the saved plan; an agency without any
    plan keeps every counter open through opening hours."""
    plans = plan_rows(s, site)
    planned_agencies = {p.agency_id for p in plans}
    out: dict[str, dict[int, int]] = {}
    for agency_id, agency in agency_by_id.items():
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


def get_plan(db: Database, actor: Actor, site_code: str) -> PlanOut:
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        by_id = agencies(s, site)
        rows = [PlanRow(agency=by_id[p.agency_id].code, weekday=p.weekday, hour=p.hour, counters=p.counters)
                for p in plan_rows(s, site)]
        rows.sort(key=lambda r: (r.agency, r.weekday, r.hour))
        return PlanOut(site=site_code, rows=rows)


def _new_plan(s: Session, site: catalogue.Site, data: PlanIn) -> list[StaffPlan]:
    """The rows asked for, checked: known agencies, no more counters than an agency has, no
    agency, weekday and hour twice."""
    per_agency: dict[uuid.UUID, int] = defaultdict(int)
    for c in counters(s, site):
        per_agency[c.agency_id] += 1
    seen: set[tuple[uuid.UUID, int, int]] = set()
    new = []
    for i, row in enumerate(data.rows):
        agency = agency_by_code(s, site, row.agency, f"rows[{i}].agency")
        if row.counters > per_agency[agency.id]:
            raise ValidationFailed([FieldError(f"rows[{i}].counters", f"{agency.code} hanya memiliki "
                                               f"{per_agency[agency.id]} loket.", "too_many")])
        key = (agency.id, row.weekday, row.hour)
        if key in seen:
            raise ValidationFailed([FieldError(f"rows[{i}]", "Baris rencana ganda untuk instansi, hari dan jam "
                                                             "yang sama.", "duplicate")])
        seen.add(key)
        new.append(StaffPlan(site_id=site.id, agency_id=agency.id, weekday=row.weekday, hour=row.hour,
                             counters=row.counters))
    return new


def set_plan(db: Database, actor: Actor, site_code: str, data: PlanIn) -> PlanOut:
    """Replace the plan of the agencies named in `rows` (other agencies keep theirs)."""
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
        new = _new_plan(s, site, data)
        touched = {p.agency_id for p in new}
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
