"""Roster data and the roster checker (no I/O).

Time within a day is minutes since local midnight; a roster is a set of `Assignment`s: an
officer at a counter on a day from `start` to `end`. Breaks are the gaps between an officer's
assignments on a day. `Shift` is a convenience for writing a one-counter shift with breaks.

`check_roster` lists every minute range where an open counter has no officer, an officer is
double-booked, works past a limit, works without the required break, works through the Friday
prayer break, works on a day off, or staffs a counter serving a service they may not serve.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ..errors import DomainError
from .timefmt import FRIDAY, day_label, span

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class BreakRules:
    """Working-time rules shared by the checker and the solver."""

    max_continuous_minutes: int = 240  # a break is due after at most this much work
    min_break_minutes: int = 30
    max_break_minutes: int = 60
    friday_prayer: tuple[int, int] = (690, 780)  # 11:30–13:00 local, for flagged officers
    min_shift_minutes: int = 120  # solver only: a working day lasts at least this long

    def __post_init__(self) -> None:
        if self.max_continuous_minutes <= 0:
            raise DomainError("invalid", "Batas kerja tanpa istirahat harus lebih dari 0 menit.",
                              "max_continuous_minutes")
        if not 0 < self.min_break_minutes <= self.max_break_minutes:
            raise DomainError("invalid", "Lama istirahat minimum harus lebih dari 0 dan tidak melebihi "
                              "lama istirahat maksimum.", "min_break_minutes")
        start, end = self.friday_prayer
        if not 0 <= start < end <= DAY_MINUTES:
            raise DomainError("invalid", "Jam istirahat salat Jumat tidak valid.", "friday_prayer")


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    agency: str
    services: frozenset[str]  # service codes the officer may serve
    max_minutes_per_day: int = 480
    max_minutes_per_week: int = 2400
    friday_prayer: bool = False  # takes the Friday prayer break
    workdays: frozenset[int] = frozenset(range(6))  # weekdays worked (0 = Senin)
    days_off: frozenset[date] = frozenset()  # leave, training, ...

    def __post_init__(self) -> None:
        if self.max_minutes_per_day < 0:
            raise DomainError("invalid", f"Batas menit kerja per hari petugas {self.name} tidak boleh negatif.",
                              "max_minutes_per_day")
        if self.max_minutes_per_week < 0:
            raise DomainError("invalid", f"Batas menit kerja per minggu petugas {self.name} tidak boleh negatif.",
                              "max_minutes_per_week")

    def available_on(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.days_off


@dataclass(frozen=True)
class Counter:
    id: str
    label: str  # "Loket 4"
    agency: str  # "DUKCAPIL"
    services: frozenset[str]

    @property
    def title(self) -> str:
        return f"{self.label} ({self.agency})"


def can_staff(officer: Officer, counter: Counter) -> bool:
    """An officer may staff a counter when allowed to serve every service it offers."""
    return counter.services <= officer.services


@dataclass(frozen=True)
class Opening:
    """A counter must be staffed on `day` from `start` to `end` (minutes)."""

    counter_id: str
    day: date
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_range(self.start, self.end, "opening")


@dataclass(frozen=True)
class Assignment:
    officer_id: str
    counter_id: str
    day: date
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_range(self.start, self.end, "assignment")

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Shift:
    """One officer at one counter for a day, with breaks (start, end) inside the shift."""

    officer_id: str
    counter_id: str
    day: date
    start: int
    end: int
    breaks: tuple[tuple[int, int], ...] = ()

    def assignments(self) -> list[Assignment]:
        _check_range(self.start, self.end, "shift")
        out, cursor = [], self.start
        for b_start, b_end in sorted(self.breaks):
            if not self.start <= b_start < b_end <= self.end:
                raise DomainError("invalid", "Istirahat harus berada di dalam jam shift.", "breaks")
            if b_start > cursor:
                out.append(Assignment(self.officer_id, self.counter_id, self.day, cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < self.end:
            out.append(Assignment(self.officer_id, self.counter_id, self.day, cursor, self.end))
        return out


class FindingKind(str, enum.Enum):
    uncovered = "uncovered"  # open counter without an officer
    double_booked = "double_booked"
    not_allowed = "not_allowed"  # counter serves a service the officer may not serve
    over_daily = "over_daily"
    over_weekly = "over_weekly"
    no_break = "no_break"  # worked longer than allowed without a break
    friday_prayer = "friday_prayer"
    day_off = "day_off"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    day: date
    start: int
    end: int
    message: str  # Indonesian, for the site manager
    counter_id: str | None = None
    officer_id: str | None = None


@dataclass(frozen=True)
class OfficerDay:
    """An officer's day as the roster page shows it."""

    officer_id: str
    day: date
    start: int
    end: int
    work_minutes: int
    breaks: tuple[tuple[int, int], ...]
    blocks: tuple[Assignment, ...]


def _check_range(start: int, end: int, what: str) -> None:
    if not 0 <= start < end <= DAY_MINUTES:
        raise DomainError("invalid", f"Rentang waktu {what} tidak valid: mulai harus sebelum selesai, "
                          "dalam satu hari (0–1440 menit).", "start")


def _merge(intervals: Iterable[tuple[int, int]], join_gap: int = 0) -> list[tuple[int, int]]:
    """Union of intervals; intervals separated by less than `join_gap` minutes are joined."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and (s <= out[-1][1] or s - out[-1][1] < join_gap):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _subtract(base: tuple[int, int], covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    gaps, cursor = [], base[0]
    for s, e in covered:
        if e <= cursor or s >= base[1]:
            continue
        if s > cursor:
            gaps.append((cursor, min(s, base[1])))
        cursor = max(cursor, e)
        if cursor >= base[1]:
            break
    if cursor < base[1]:
        gaps.append((cursor, base[1]))
    return gaps


def _minute_when_total_reaches(intervals: list[tuple[int, int]], already: int, limit: int) -> int | None:
    """The minute at which `already` + worked minutes passes `limit`, or None."""
    total = already
    for s, e in intervals:
        if total + (e - s) > limit:
            return s + max(0, limit - total)
        total += e - s
    return None


def summarize(assignments: Iterable[Assignment]) -> list[OfficerDay]:
    """Per officer and day: first and last minute, worked minutes, breaks and blocks."""
    by_key: dict[tuple[str, date], list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_key[(a.officer_id, a.day)].append(a)
    out = []
    for (officer_id, day), items in sorted(by_key.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        items.sort(key=lambda a: (a.start, a.end))
        worked = _merge((a.start, a.end) for a in items)
        breaks = tuple((worked[i][1], worked[i + 1][0]) for i in range(len(worked) - 1))
        out.append(OfficerDay(officer_id, day, worked[0][0], worked[-1][1], sum(e - s for s, e in worked),
                              breaks, tuple(items)))
    return out


def weekly_allowance(officers: Sequence[Officer], saved: Iterable[Assignment],
                     days: Iterable[date]) -> list[Officer]:
    """Officers whose weekly limit is what is left of it for rostering `days`: minutes already
    rostered on other days of the same ISO weeks are taken off (the busiest week counts when
    the days span two), never below zero. Assignments on `days` themselves are the ones being
    replaced, so they do not count."""
    wanted = set(days)
    weeks = {d.isocalendar()[:2] for d in wanted}
    used: dict[tuple[str, tuple[int, int]], list[tuple[int, int]]] = defaultdict(list)
    for a in saved:
        week = a.day.isocalendar()[:2]
        if a.day not in wanted and week in weeks:
            used[(a.officer_id, week)].append((a.day.toordinal() * 1440 + a.start, a.day.toordinal() * 1440 + a.end))
    out = []
    for o in officers:
        taken = max((sum(e - s for s, e in _merge(used.get((o.id, w), []))) for w in weeks), default=0)
        out.append(replace(o, max_minutes_per_week=max(0, o.max_minutes_per_week - taken)) if taken else o)
    return out


def check_roster(
    assignments: Sequence[Assignment],
    counters: Sequence[Counter],
    officers: Sequence[Officer],
    openings: Sequence[Opening],
    rules: BreakRules = BreakRules(),
    days: Iterable[date] | None = None,
) -> list[Finding]:
    """Every problem of a roster for a day or a week, ordered by day, start minute and kind.

    `days` limits the check to those days (weekly hours still count the whole input week).
    Unknown officer or counter ids raise DomainError.
    """
    counter_by_id = {c.id: c for c in counters}
    officer_by_id = {o.id: o for o in officers}
    for a in assignments:
        if a.counter_id not in counter_by_id:
            raise DomainError("not_found", f"Loket {a.counter_id} pada jadwal tidak ditemukan.", "counter_id")
        if a.officer_id not in officer_by_id:
            raise DomainError("not_found", f"Petugas {a.officer_id} pada jadwal tidak ditemukan.", "officer_id")
    for op in openings:
        if op.counter_id not in counter_by_id:
            raise DomainError("not_found", f"Loket {op.counter_id} pada jam buka tidak ditemukan.", "counter_id")
    wanted = set(days) if days is not None else None
    findings: list[Finding] = []

    # Open counters without an officer.
    by_counter_day: dict[tuple[str, date], list[tuple[int, int]]] = defaultdict(list)
    for a in assignments:
        by_counter_day[(a.counter_id, a.day)].append((a.start, a.end))
    for op in openings:
        counter = counter_by_id[op.counter_id]
        covered = _merge(by_counter_day.get((op.counter_id, op.day), []))
        for s, e in _subtract((op.start, op.end), covered):
            findings.append(Finding(
                FindingKind.uncovered, op.day, s, e,
                f"{counter.title} {day_label(op.day)} {span(s, e)}: loket buka tanpa petugas.",
                counter_id=counter.id))

    by_officer_day: dict[tuple[str, date], list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_officer_day[(a.officer_id, a.day)].append(a)
    week_used: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
    for (officer_id, day), items in sorted(by_officer_day.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        officer = officer_by_id[officer_id]
        items.sort(key=lambda a: (a.start, a.end))
        findings.extend(_officer_day_findings(officer, day, items, counter_by_id, rules))
        worked = _merge((a.start, a.end) for a in items)
        minutes = sum(e - s for s, e in worked)
        iso = day.isocalendar()
        week_key = (officer_id, (iso[0], iso[1]))
        crossed = _minute_when_total_reaches(worked, week_used[week_key], officer.max_minutes_per_week)
        if crossed is not None:
            findings.append(Finding(
                FindingKind.over_weekly, day, crossed, worked[-1][1],
                f"{officer.name} {day_label(day)} {span(crossed, worked[-1][1])}: melewati batas "
                f"{officer.max_minutes_per_week // 60} jam kerja per minggu.",
                officer_id=officer_id))
        week_used[week_key] += minutes

    if wanted is not None:
        findings = [f for f in findings if f.day in wanted]
    order = list(FindingKind)
    findings.sort(key=lambda f: (f.day, f.start, order.index(f.kind), f.counter_id or "", f.officer_id or ""))
    return findings


def _officer_day_findings(officer: Officer, day: date, items: list[Assignment],
                          counter_by_id: dict[str, Counter], rules: BreakRules) -> list[Finding]:
    out: list[Finding] = []
    who = f"{officer.name} {day_label(day)}"
    worked = _merge((a.start, a.end) for a in items)
    if not officer.available_on(day):
        for s, e in worked:
            out.append(Finding(FindingKind.day_off, day, s, e,
                               f"{who} {span(s, e)}: dijadwalkan pada hari libur/cuti petugas.",
                               officer_id=officer.id))
    for a in items:
        counter = counter_by_id[a.counter_id]
        missing = sorted(counter.services - officer.services)
        if missing:
            out.append(Finding(
                FindingKind.not_allowed, day, a.start, a.end,
                f"{who} {span(a.start, a.end)}: ditugaskan di {counter.title} yang melayani "
                f"{', '.join(missing)}, layanan yang tidak boleh ia layani.",
                counter_id=counter.id, officer_id=officer.id))
    # Double booking: overlapping assignments (at different or the same counter).
    active: list[Assignment] = []
    for a in items:
        active = [b for b in active if b.end > a.start]
        for b in active:
            s, e = a.start, min(a.end, b.end)
            names = sorted({counter_by_id[a.counter_id].label, counter_by_id[b.counter_id].label})
            out.append(Finding(
                FindingKind.double_booked, day, s, e,
                f"{who} {span(s, e)}: dijadwalkan di dua tempat sekaligus ({', '.join(names)}).",
                counter_id=a.counter_id, officer_id=officer.id))
        active.append(a)
    crossed = _minute_when_total_reaches(worked, 0, officer.max_minutes_per_day)
    if crossed is not None:
        out.append(Finding(
            FindingKind.over_daily, day, crossed, worked[-1][1],
            f"{who} {span(crossed, worked[-1][1])}: melewati batas {officer.max_minutes_per_day} menit "
            "kerja per hari.", officer_id=officer.id))
    # Work runs: gaps shorter than the minimum break do not count as a break.
    for s, e in _merge(worked, join_gap=rules.min_break_minutes):
        if e - s > rules.max_continuous_minutes:
            due = s + rules.max_continuous_minutes
            out.append(Finding(
                FindingKind.no_break, day, due, e,
                f"{who} {span(due, e)}: bekerja lebih dari {rules.max_continuous_minutes} menit tanpa "
                f"istirahat minimal {rules.min_break_minutes} menit.", officer_id=officer.id))
    if officer.friday_prayer and day.weekday() == FRIDAY:
        p_start, p_end = rules.friday_prayer
        for s, e in worked:
            s2, e2 = max(s, p_start), min(e, p_end)
            if s2 < e2:
                out.append(Finding(
                    FindingKind.friday_prayer, day, s2, e2,
                    f"{who} {span(s2, e2)}: dijadwalkan bertugas saat istirahat salat Jumat.",
                    officer_id=officer.id))
    return out


@dataclass(frozen=True)
class HourPlan:
    """Counters of an agency to keep open on a day in the hour starting at `hour`."""

    agency: str
    day: date
    hour: int
    counters: int = field(default=0)


def openings_from_plan(plans: Iterable[HourPlan], counters: Sequence[Counter],
                       opens: int | None = None, closes: int | None = None) -> list[Opening]:
    """Turn 'N counters of agency A at hour H' into openings of concrete counters.

    The first N counters of the agency (in the given order) are opened; consecutive hours of the
    same counter are merged. `opens`/`closes` clip the hour to opening hours (e.g. 07:30).
    """
    by_agency: dict[str, list[Counter]] = defaultdict(list)
    for c in counters:
        by_agency[c.agency].append(c)
    slots: dict[tuple[str, date], list[tuple[int, int]]] = defaultdict(list)
    for p in plans:
        pool = by_agency.get(p.agency, [])
        if p.counters > len(pool):
            raise DomainError("invalid", f"{p.agency} {day_label(p.day)} jam {p.hour:02d}:00: butuh {p.counters} "
                              f"loket, hanya ada {len(pool)} loket.", "counters")
        s, e = p.hour * 60, p.hour * 60 + 60
        if opens is not None:
            s = max(s, opens)
        if closes is not None:
            e = min(e, closes)
        if s >= e:
            continue
        for c in pool[:p.counters]:
            slots[(c.id, p.day)].append((s, e))
    out = []
    for (counter_id, day), intervals in slots.items():
        for s, e in _merge(intervals):
            out.append(Opening(counter_id, day, s, e))
    out.sort(key=lambda o: (o.day, o.counter_id, o.start))
    return out
