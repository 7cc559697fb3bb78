"""Demo staffing data: officers, a counters plan, this week's roster and weeks of queue history.

The history is past visits (the `staff_visit_history` table, as a site imports from the queue
machine it used before; the queue's own tickets stay untouched) of the past weeks with the MPP
early-morning peak (arrivals from `arrivals.synthetic_day`), waits from a simulated day with
the demo plan, and service
times drawn from a lognormal distribution per agency (right-skewed, not exponential), so the
forecast and the capacity plan have real-looking data to work from. History ends three days
before today.

This week's roster is built by rule, not by the solver (the demo must load in seconds): each
counter has its officer with a staggered break and one relief officer per agency covers the
breaks. On Wednesday one relief officer is on leave, so a counter is left empty at break time:
the roster page shows that finding, and generating that day names why it is impossible.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..catalogue.models import Agency, Counter, Service, Site, counter_services
from ..db import Database
from ..ids import new_id
from ..queueing.models import QueueSettings
from ..staffing.arrivals import synthetic_day
from ..staffing.models import StaffAssignment, StaffDayOff, StaffOfficer, StaffPlan, VisitHistory
from ..staffing.simulation import Visitor, run_day
from ..timeutil import to_local, utcnow

# agency -> (visitors on a weekday, median service minutes)
DEMO_LOAD: dict[str, tuple[float, float]] = {
    "DUKCAPIL": (70, 8.0), "DPMPTSP": (35, 12.0), "SAMSAT": (45, 6.0), "BPJS": (22, 9.0), "BSB": (25, 7.0),
    "DINSOS": (20, 9.0), "DINKES": (15, 10.0), "DPAD": (6, 6.0),
}
SERVICE_SIGMA = 0.5  # lognormal shape: a few visitors take three times the median
HISTORY_DAYS = 35
HISTORY_GAP_DAYS = 3
FIRST_NAMES = ["Ahmad", "Siti", "Rahmat", "Dewi", "Hendra", "Nurhayati", "Fajar", "Yuliana", "Budi", "Rina",
               "Agus", "Sri", "Joko", "Maya", "Rudi", "Lestari", "Eko", "Indah", "Dedi", "Ratna", "Hadi", "Wulan",
               "Irfan", "Fitri", "Arif", "Putri"]
WORK_START, WORK_END = 480, 900  # 08:00–15:00


def demo_plan_counters(n: int, weekday: int) -> dict[int, int]:
    """All counters in the morning, one fewer after lunch; Friday prayer time thinner too."""
    hours = {h: n for h in range(8, 12)}
    hours.update({h: max(1, n - 1) for h in (12, 13, 14)})
    if weekday == 4:
        hours[11] = max(1, n - 1)
    return hours


def load_staffing_demo(db: Database, site_code: str, seed: int = 7) -> None:
    rng = random.Random(seed)
    with db.write() as s:
        site = s.scalar(select(Site).where(Site.code == site_code))
        if site is None or s.scalar(select(StaffOfficer.id).where(StaffOfficer.site_id == site.id).limit(1)):
            return
        agencies = {a.code: a for a in s.scalars(select(Agency).where(Agency.site_id == site.id))}
        counters = list(s.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)))
        services = list(s.scalars(select(Service).where(Service.site_id == site.id).order_by(Service.code)))
        prefixes = dict(s.execute(select(QueueSettings.service_id, QueueSettings.prefix)).all())
        counters_of_service: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for cid, sid in s.execute(select(counter_services.c.counter_id, counter_services.c.service_id)):
            counters_of_service[sid].append(cid)
        by_agency: dict[str, list[Counter]] = defaultdict(list)
        code_of = {a.id: a.code for a in agencies.values()}
        for c in counters:
            by_agency[code_of[c.agency_id]].append(c)

        # Officers: one per counter, one relief officer per agency, a spare where there are 3+ counters.
        officers: dict[str, list[StaffOfficer]] = defaultdict(list)
        name_i = 0
        for code, agency in sorted(agencies.items()):
            pool = by_agency.get(code, [])
            if not pool:
                continue
            codes = sorted(svc.code for svc in services if svc.agency_id == agency.id)
            count = len(pool) + 1 + (1 if len(pool) >= 3 else 0)
            for j in range(count):
                allowed = list(codes)
                if j == len(pool) + 1 and len(codes) > 2:
                    allowed = allowed[:-1]  # the spare is not yet trained for one service
                o = StaffOfficer(id=new_id(), site_id=site.id, agency_id=agency.id,
                                 name=f"{FIRST_NAMES[name_i % len(FIRST_NAMES)]} ({code})", services=allowed,
                                 max_minutes_per_day=480, max_minutes_per_week=2400,
                                 friday_prayer=j > len(pool), workdays=[0, 1, 2, 3, 4], active=True)
                name_i += 1
                officers[code].append(o)
                s.add(o)
        s.flush()
        # The demo's officer accounts are the first officer of their agency's roster (staffed at
        # its first counter), so the day's attendance can be compared with the plan.
        for username, code in (("petugas.dukcapil", "DUKCAPIL"), ("petugas.dpmptsp", "DPMPTSP")):
            user_id = s.scalar(select(User.id).where(User.username == username))
            if user_id is not None and officers.get(code):
                officers[code][0].user_id = user_id
        s.flush()

        # The counters plan.
        for code, pool in by_agency.items():
            for wd in range(5):
                for hour, n in demo_plan_counters(len(pool), wd).items():
                    s.add(StaffPlan(site_id=site.id, agency_id=agencies[code].id, weekday=wd, hour=hour, counters=n))

        # This week's roster, Monday to Friday, with one relief officer on leave on Wednesday.
        today = to_local(utcnow(), site.timezone).date()
        monday = today - timedelta(days=today.weekday())
        leave_day = monday + timedelta(days=2)
        on_leave = officers["DINSOS"][1] if len(officers.get("DINSOS", [])) > 1 else None
        if on_leave is not None:
            s.add(StaffDayOff(officer_id=on_leave.id, on_date=leave_day, reason="Cuti"))
        rows = []
        for d in range(5):
            day = monday + timedelta(days=d)
            for code, pool in by_agency.items():
                staff = officers[code]
                relief = staff[len(pool)]
                for i, counter in enumerate(pool):
                    main = staff[i]
                    b_start = 660 + 30 * i  # 11:00, 11:30, 12:00 ...
                    rows.append((main.id, counter.id, day, WORK_START, b_start))
                    rows.append((main.id, counter.id, day, b_start + 30, WORK_END))
                    if not (relief is on_leave and day == leave_day):
                        rows.append((relief.id, counter.id, day, b_start, b_start + 30))
        s.add_all(StaffAssignment(site_id=site.id, officer_id=o, counter_id=c, on_date=day, start_minute=a,
                                  end_minute=b) for o, c, day, a, b in rows)

        # Weeks of finished tickets.
        _history(s, site, agencies, by_agency, services, prefixes, counters_of_service, today, rng)


def _history(s: Session, site: Site, agencies: dict[str, Agency], by_agency: dict[str, list[Counter]],
             services: list[Service], prefixes: dict[uuid.UUID, str],
             counters_of_service: dict[uuid.UUID, list[uuid.UUID]], today: date, rng: random.Random) -> None:
    zone = ZoneInfo(site.timezone)
    agency_code = {a.id: a.code for a in agencies.values()}
    service_agency = {svc.code: agency_code[svc.agency_id] for svc in services if agency_code[svc.agency_id]
                      in DEMO_LOAD and prefixes.get(svc.id)}
    service_row = {svc.code: svc for svc in services}
    plan = {code: demo_plan_counters(len(pool), 0) for code, pool in by_agency.items()}
    rows = []
    for back in range(HISTORY_DAYS + HISTORY_GAP_DAYS - 1, HISTORY_GAP_DAYS - 1, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        factor = 1.15 if day.weekday() == 0 else (0.85 if day.weekday() == 4 else 1.0)  # Mondays are busiest
        arrivals = synthetic_day(rng, {a: v * factor for a, (v, _) in DEMO_LOAD.items()}, service_agency)
        visitors = [Visitor(a.minute, a.agency, a.service, a.priority,
                            max(1.0, DEMO_LOAD[a.agency][1] * math.exp(rng.gauss(0, SERVICE_SIGMA))))
                    for a in arrivals]
        day_plan = {code: demo_plan_counters(len(by_agency[code]), day.weekday()) for code in plan}
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        for v, wait, _queue in run_day(visitors, day_plan):
            svc = service_row[v.service]
            issued = (midnight + timedelta(minutes=v.minute)).astimezone(UTC)
            row = {"id": new_id(), "site_id": site.id, "service_id": svc.id, "issued_at": issued, "called_at": None,
                   "serving_at": None, "finished_at": None, "is_priority": v.priority}
            if wait is not None:
                called = issued + timedelta(minutes=wait)
                serving = called + timedelta(seconds=30)
                row.update(called_at=called, serving_at=serving, finished_at=serving + timedelta(minutes=v.duration))
            rows.append(row)
    if rows:
        s.execute(insert(cast(Table, VisitHistory.__table__)), rows)  # a mapped class's table is a Table


def history_range(today: date) -> tuple[date, date]:
    """First and last day of the demo history."""
    return today - timedelta(days=HISTORY_DAYS + HISTORY_GAP_DAYS - 1), today - timedelta(days=HISTORY_GAP_DAYS)
