"""Demand and capacity: the arrival forecast, the service times measured from the queue's own
tickets, and the counters recommended per agency and hour (Erlang C, with simulated waits).

History is the queue's tickets (read through `queueing`'s named queries) plus
`staff_visit_history` (visits from before this queue ran: imported, or the demo's weeks).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, ValidationFailed
from ..queueing import service as queueing
from ..scope import Actor, can_manage_site, can_read_site
from ..timeutil import to_local, utcnow
from .capacity import HourAdvice, recommend_counters
from .common import agencies, counters, require
from .forecast import ArrivalForecast, forecast_arrivals
from .models import VisitHistory
from .planning import current_counters, get_plan, set_plan
from .schemas import CapacityAgency, CapacityHour, CapacityOut, ForecastOut, ForecastRow, PlanIn, PlanOut, PlanRow
from .simulation import ServiceTimes
from .timefmt import WEEKDAY_NAMES

MAX_DURATION_SAMPLES = 400  # most recent service times kept per service for the simulation
HISTORY_WEEKS = 8  # service times are measured over this many weeks


# ---------------------------------------------------------------- history


def _history_as_of(s: Session, site: catalogue.Site, today: date, zone: ZoneInfo) -> date:
    """Count up to the last day with recorded arrivals (at most today), so days not yet recorded
    do not read as days without visitors."""
    midnight = datetime.combine(today, datetime.min.time(), zone).astimezone(UTC)
    lasts = [queueing.last_arrival_before(s, site.id, midnight),
             s.scalar(select(func.max(VisitHistory.issued_at)).where(VisitHistory.site_id == site.id,
                                                                     VisitHistory.issued_at < midnight))]
    known = [x for x in lasts if x is not None]
    if not known:
        return today
    last = max(x if x.tzinfo else x.replace(tzinfo=UTC) for x in known)
    return min(today, last.astimezone(zone).date() + timedelta(days=1))


def _forecast(s: Session, site: catalogue.Site, as_of: date | None, weeks: int) -> ArrivalForecast:
    zone = ZoneInfo(site.timezone)
    today = to_local(utcnow(), site.timezone).date()
    as_of = as_of or _history_as_of(s, site, today, zone)
    since = datetime.combine(as_of - timedelta(days=7 * weeks + 1), datetime.min.time(), UTC)
    arrivals: list[tuple[uuid.UUID, datetime]] = list(queueing.arrivals_since(s, site.id, since))
    arrivals += s.execute(select(VisitHistory.service_id, VisitHistory.issued_at)
                          .where(VisitHistory.site_id == site.id, VisitHistory.issued_at >= since)).all()
    codes = catalogue.service_codes(s, (service_id for service_id, _ in arrivals))
    closed = catalogue.closed_dates(s, [site.id])
    return forecast_arrivals(((codes[sid].agency_code, at) for sid, at in arrivals if sid in codes), site.timezone,
                             as_of, weeks=weeks, closed_days=closed)


def _history_served(s: Session, site: catalogue.Site, since: datetime) -> list[tuple[uuid.UUID, datetime, datetime]]:
    """Imported or demo visits served to the end from `since` on, the most recently finished first."""
    rows = s.execute(select(VisitHistory.service_id, VisitHistory.serving_at, VisitHistory.finished_at)
                     .where(VisitHistory.site_id == site.id, VisitHistory.serving_at.is_not(None),
                            VisitHistory.finished_at.is_not(None), VisitHistory.finished_at >= since)
                     .order_by(VisitHistory.finished_at.desc()))
    # The query leaves out rows without both times; the check tells the type checker so.
    return [(sid, serving, finished) for sid, serving, finished in rows
            if serving is not None and finished is not None]


def _service_times(s: Session, site: catalogue.Site, as_of: date) -> list[ServiceTimes]:
    since = datetime.combine(as_of - timedelta(weeks=HISTORY_WEEKS), datetime.min.time(), UTC)
    served: list[tuple[uuid.UUID, datetime, datetime]] = list(queueing.served_tickets_since(s, site.id, since))
    served += _history_served(s, site, since)
    codes = catalogue.service_codes(s, (service_id for service_id, _, _ in served))
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for service_id, serving, finished in served:
        if service_id not in codes:
            continue
        key = (codes[service_id].code, codes[service_id].agency_code)
        minutes = (finished - serving).total_seconds() / 60
        if 0 < minutes <= 240:
            counts[key] += 1
            if len(durations[key]) < MAX_DURATION_SAMPLES:
                durations[key].append(round(minutes, 2))
    return [ServiceTimes(code, agency, tuple(d), float(counts[(code, agency)]))
            for (code, agency), d in sorted(durations.items())]


# ---------------------------------------------------------------- forecast


def forecast(db: Database, actor: Actor, site_code: str, as_of: date | None = None, weeks: int = 4) -> ForecastOut:
    """Mean arrivals per agency, weekday and hour over the past weeks of the queue's own history."""
    if not 1 <= weeks <= 12:
        raise ValidationFailed([FieldError("weeks", "Jumlah minggu harus 1 sampai 12.")])
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        fc = _forecast(s, site, as_of, weeks)
    rows = [ForecastRow(agency=a, weekday=wd, hour=h, arrivals=round(v, 2))
            for (a, wd, h), v in sorted(fc.rates.items())]
    peaks: dict[str, dict[int, int]] = defaultdict(dict)
    best: dict[tuple[str, int], float] = {}
    for (a, wd, h), v in fc.rates.items():
        if v > best.get((a, wd), -1):
            best[(a, wd)] = v
            peaks[a][wd] = h
    return ForecastOut(site=site_code, as_of=fc.as_of, weeks=weeks, rows=rows, peaks=dict(peaks))


# ---------------------------------------------------------------- capacity


def _check_capacity_args(weekday: int | None, target_wait: float, target_level: float, weeks: int,
                         replications: int) -> None:
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


@dataclass(frozen=True)
class _Demand:
    """What the recommendation of one weekday starts from, read in one transaction."""

    forecast: ArrivalForecast
    weekday: int
    names: dict[str, str]  # agency code -> name
    counters_per_agency: dict[str, int]
    hours: tuple[int, int] | None  # opening hours of the weekday, minutes; None: closed
    current: dict[str, dict[int, int]]  # counters open now per agency and hour
    services: list[ServiceTimes]


def _read_demand(db: Database, actor: Actor, site_code: str, weekday: int | None, weeks: int,
                 as_of: date | None) -> _Demand:
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_read_site(actor, site.ref))
        fc = _forecast(s, site, as_of, weeks)
        if weekday is None:
            weekday = to_local(utcnow(), site.timezone).date().weekday()
        by_id = agencies(s, site)
        per_agency: dict[str, int] = defaultdict(int)
        for c in counters(s, site):
            per_agency[by_id[c.agency_id].code] += 1
        hours = catalogue.site_weekday_opening_minutes(s, site.id, weekday)
        current = current_counters(s, site, weekday, by_id, per_agency, hours)
        services = _service_times(s, site, fc.as_of)
        names = {a.code: a.name for a in by_id.values()}
    return _Demand(fc, weekday, names, per_agency, hours, current, services)


def _plannable(demand: _Demand) -> tuple[dict[str, dict[int, float]], list[str]]:
    """Arrivals per hour of the agencies that can be planned (measured service times, at least
    one counter), and a note for each one left out and for a closed day."""
    notes = []
    timed = {st.agency for st in demand.services}
    arrivals = {}
    for agency, per_hour in demand.forecast.for_weekday(demand.weekday).items():
        if agency not in timed:
            notes.append(f"{agency}: belum ada data lama layanan, instansi ini dilewati.")
            continue
        if demand.counters_per_agency.get(agency, 0) == 0:
            notes.append(f"{agency}: tidak memiliki loket, instansi ini dilewati.")
            continue
        arrivals[agency] = per_hour
    if demand.hours is None:
        notes.append(f"MPP tutup pada hari {WEEKDAY_NAMES[demand.weekday]}.")
    return arrivals, notes


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _capacity_hour(h: HourAdvice, counters_available: int) -> CapacityHour:
    return CapacityHour(
        hour=h.hour, arrivals=round(h.arrivals, 2), handling_minutes=round(h.handling_minutes, 2),
        traffic=round(h.traffic, 3), current=h.current, recommended=h.recommended,
        erlang_level=round(h.erlang_level, 3), capped=h.recommended > counters_available,
        wait_before=_r(h.before.mean_wait if h.before else None), wait_after=_r(h.after.mean_wait if h.after else None),
        p90_before=_r(h.before.p90_wait if h.before else None), p90_after=_r(h.after.p90_wait if h.after else None),
        within_before=_r(h.before.within_target if h.before else None, 3),
        within_after=_r(h.after.within_target if h.after else None, 3))


def capacity(db: Database, actor: Actor, site_code: str, weekday: int | None = None, target_wait: float = 15.0,
             target_level: float = 0.8, weeks: int = 4, as_of: date | None = None,
             replications: int = 5) -> CapacityOut:
    """Counters recommended per agency and hour of a weekday (Erlang C) for the target, with the
    waits simulated before (the current plan) and after (the recommendation)."""
    _check_capacity_args(weekday, target_wait, target_level, weeks, replications)
    demand = _read_demand(db, actor, site_code, weekday, weeks, as_of)
    fc, weekday, per_agency = demand.forecast, demand.weekday, demand.counters_per_agency
    arrivals, notes = _plannable(demand)
    current = {a: rows for a, rows in demand.current.items() if a in arrivals}
    if not arrivals:
        return CapacityOut(site=site_code, weekday=weekday, weekday_name=WEEKDAY_NAMES[weekday], as_of=fc.as_of,
                           weeks=weeks, target_wait=target_wait, target_level=target_level, unserved_before=0,
                           unserved_after=0, agencies=[], notes=notes or ["Belum ada data kedatangan."])
    # Not capped at the counters an agency has: the plan shows what the target needs, flagged
    # where that is more than the agency's counters.
    rec = recommend_counters(arrivals, demand.services, current, target_wait=target_wait,
                             target_level=target_level, replications=replications, seed=weekday)
    by_agency: dict[str, list[CapacityHour]] = defaultdict(list)
    handling: dict[str, float] = {}
    for h in rec.hours:
        handling[h.agency] = h.handling_minutes
        by_agency[h.agency].append(_capacity_hour(h, per_agency[h.agency]))
    out = [CapacityAgency(agency=a, name=demand.names.get(a, a), counters_available=per_agency[a],
                          handling_minutes=round(handling[a], 2), hours=rows) for a, rows in sorted(by_agency.items())]
    return CapacityOut(site=site_code, weekday=weekday, weekday_name=WEEKDAY_NAMES[weekday], as_of=fc.as_of,
                       weeks=weeks, target_wait=target_wait, target_level=target_level,
                       unserved_before=round(rec.unserved_before, 2), unserved_after=round(rec.unserved_after, 2),
                       agencies=out, notes=notes)


def apply_recommendation(db: Database, actor: Actor, site_code: str, weekday: int, target_wait: float = 15.0,
                         target_level: float = 0.8) -> PlanOut:
    """Make the recommended counters (at most the agency's counters) the plan of this weekday;
    the plan of the other weekdays stays as it was."""
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        require(can_manage_site(actor, site.ref))
    plan = capacity(db, actor, site_code, weekday, target_wait, target_level)
    current = get_plan(db, actor, site_code)
    touched = {a.agency for a in plan.agencies}
    rows = [r for r in current.rows if r.agency in touched and r.weekday != plan.weekday]
    rows += [PlanRow(agency=a.agency, weekday=plan.weekday, hour=h.hour,
                     counters=min(h.recommended, a.counters_available))
             for a in plan.agencies for h in a.hours]
    return set_plan(db, actor, site_code, PlanIn(rows=rows))
