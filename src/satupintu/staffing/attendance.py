"""The day's attendance versus the roster: for each officer, the planned shifts and counters
against the counters they actually opened (read from the queue's attendance through
queueing.service). `compare` is the pure rule: late (first opening more than the grace after
the first planned start), absent (planned, never opened), unplanned (opened, nothing planned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import Forbidden
from ..queueing import service as queueing
from ..roles import Role
from ..scope import Actor, can_manage_site, can_read_site
from .models import StaffAssignment, StaffOfficer

LATE_GRACE_MINUTES = 10


@dataclass(frozen=True)
class Planned:
    officer: str  # a key: the roster officer's id as text
    counter: int
    start_minute: int  # local minutes since midnight
    end_minute: int


@dataclass(frozen=True)
class Actual:
    officer: str  # the roster officer's key, or "akun:<label>" for an account with no officer
    counter: int
    opened_minute: int
    closed_minute: int | None


@dataclass(frozen=True)
class Line:
    officer: str
    planned: list[Planned]
    actual: list[Actual]
    status: str  # "hadir", "terlambat", "tidak_hadir", "di_luar_jadwal"
    late_minutes: int


def compare(planned: list[Planned], actual: list[Actual], grace: int = LATE_GRACE_MINUTES) -> list[Line]:
    """One line per officer who was planned or opened a counter, sorted by officer key."""
    keys = sorted({p.officer for p in planned} | {a.officer for a in actual})
    out = []
    for k in keys:
        plan = sorted((p for p in planned if p.officer == k), key=lambda p: p.start_minute)
        acts = sorted((a for a in actual if a.officer == k), key=lambda a: a.opened_minute)
        late = 0
        if plan and not acts:
            status = "tidak_hadir"
        elif acts and not plan:
            status = "di_luar_jadwal"
        else:
            late = max(0, acts[0].opened_minute - plan[0].start_minute)
            status = "terlambat" if late > grace else "hadir"
        out.append(Line(k, plan, acts, status, late if status == "terlambat" else 0))
    return out


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    planned: str  # "08:00–11:00 loket 4, 11:30–15:00 loket 4"
    actual: str
    status: str
    late_minutes: int


def _hhmm(m: int | None) -> str:
    return "…" if m is None else f"{m // 60:02d}:{m % 60:02d}"


def _minute(moment: datetime, zone: ZoneInfo, day: date) -> int:
    local = moment.astimezone(zone)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def attendance_day(db: Database, actor: Actor, site_code: str, day: date) -> list[AttendanceRow]:
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        agency_admin = actor.role is Role.agency_admin and can_read_site(actor, site.ref)
        if not (can_manage_site(actor, site.ref) or agency_admin):
            raise Forbidden("Kehadiran petugas dilihat oleh pengelola MPP dan admin instansi.")
        numbers = {c.id: c.number for c in catalogue.site_counters(s, site.id)}
        officers = {o.id: o for o in s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == site.id))}
        by_user = {o.user_id: str(o.id) for o in officers.values() if o.user_id}
        names: dict[str, str] = {str(k): o.name for k, o in officers.items()}
        planned = [Planned(str(a.officer_id), numbers.get(a.counter_id, 0), a.start_minute, a.end_minute)
                   for a in s.scalars(select(StaffAssignment).where(StaffAssignment.site_id == site.id,
                                                                    StaffAssignment.on_date == day))]
        site_id, tz = site.id, site.timezone
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone)
    actual = []
    for f in queueing.attendance_between(db, site_id, start, start + timedelta(days=1)):
        officer = by_user.get(f.user_id) if f.user_id else None
        key = officer or f"akun:{f.officer_label}"
        names.setdefault(key, f"{f.officer_label} (akun tanpa petugas)")
        actual.append(Actual(key, f.counter_number, _minute(f.opened_at, zone, day),
                             _minute(f.closed_at, zone, day) if f.closed_at else None))
    rows = []
    for line in compare(planned, actual):
        rows.append(AttendanceRow(
            names.get(line.officer, line.officer),
            ", ".join(f"{_hhmm(p.start_minute)}–{_hhmm(p.end_minute)} loket {p.counter}" for p in line.planned) or "-",
            ", ".join(f"{_hhmm(a.opened_minute)}–{_hhmm(a.closed_minute)} loket {a.counter}" for a in line.actual)
            or "-", line.status, line.late_minutes))
    return sorted(rows, key=lambda r: (r.status != "tidak_hadir", r.name))


