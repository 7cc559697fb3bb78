"""Roster generation with OR-Tools CP-SAT (no I/O).

Time is cut into slots (15 or 30 minutes). For every officer, day and slot the model decides at
which counter (if any) the officer works; an officer's day is one contiguous shift whose gaps
are breaks. Hard rules: every open counter slot has exactly one qualified officer (so breaks are
covered by someone else), no double booking, days off, daily and weekly limits, a break of
`min_break..max_break` minutes after at most `max_continuous` minutes of work, the Friday
prayer break for flagged officers. Soft goals: spread breaks (lowest peak of officers on break
per agency and day), balance worked hours within each agency, few counter changes and short
idle breaks.

When no roster exists the result names why: first a fast pre-check of necessary conditions
(enough qualified officers per slot; enough daily and weekly hours), then, if CP-SAT proves
infeasibility, the constraint groups in an infeasible core found with assumption literals.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from ..errors import DomainError
from .roster import Assignment, BreakRules, Counter, Officer, Opening, can_staff
from .timefmt import FRIDAY, day_label, span


@dataclass(frozen=True)
class RosterProblem:
    days: tuple[date, ...]
    counters: tuple[Counter, ...]
    officers: tuple[Officer, ...]
    openings: tuple[Opening, ...]  # counter slots that must be staffed
    rules: BreakRules = BreakRules()
    slot_minutes: int = 30

    def __post_init__(self) -> None:
        if self.slot_minutes not in (15, 30, 60):
            raise DomainError("invalid", "Panjang slot jadwal harus 15, 30 atau 60 menit.", "slot_minutes")
        if len({c.id for c in self.counters}) != len(self.counters):
            raise DomainError("invalid", "Ada loket yang tercantum lebih dari sekali.", "counters")
        if len({o.id for o in self.officers}) != len(self.officers):
            raise DomainError("invalid", "Ada petugas yang tercantum lebih dari sekali.", "officers")
        known, days = {c.id for c in self.counters}, set(self.days)
        for op in self.openings:
            if op.counter_id not in known:
                raise DomainError("not_found", f"Loket {op.counter_id} pada jam buka tidak ditemukan.", "openings")
            if op.day not in days:
                raise DomainError("invalid", f"Jam buka {day_label(op.day)} berada di luar hari yang dijadwalkan.",
                                  "openings")


@dataclass(frozen=True)
class Reason:
    """Why no roster exists, in words the site manager can act on."""

    kind: str  # "too_few_officers", "daily_hours", "weekly_hours", "constraints"
    message: str
    day: date | None = None
    start: int | None = None
    end: int | None = None
    counter_ids: tuple[str, ...] = ()
    officer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterResult:
    status: str  # "optimal", "feasible", "infeasible", "unknown" (no roster found in time)
    assignments: tuple[Assignment, ...] = ()
    reasons: tuple[Reason, ...] = ()
    wall_seconds: float = 0.0
    objective: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")


# ---------------------------------------------------------------- slot grid

@dataclass(frozen=True)
class _Grid:
    slot: int
    demand: dict[tuple[str, date], frozenset[int]]  # (counter, day) -> slot indices to staff
    day_slots: dict[date, tuple[int, ...]]  # every slot index of the day's horizon

    def minute(self, t: int) -> int:
        return t * self.slot


def _grid(problem: RosterProblem) -> _Grid:
    s = problem.slot_minutes
    demand: dict[tuple[str, date], set[int]] = defaultdict(set)
    for op in problem.openings:
        demand[(op.counter_id, op.day)].update(range(op.start // s, -(-op.end // s)))
    day_slots: dict[date, tuple[int, ...]] = {}
    for day in problem.days:
        used = [t for (c, d), ts in demand.items() if d == day for t in ts]
        day_slots[day] = tuple(range(min(used), max(used) + 1)) if used else ()
    return _Grid(s, {k: frozenset(v) for k, v in demand.items()}, day_slots)


def _prayer_slots(rules: BreakRules, slot: int) -> frozenset[int]:
    p_start, p_end = rules.friday_prayer
    return frozenset(range(p_start // slot, -(-p_end // slot)))


def _blocked(officer: Officer, day: date, t: int, prayer: frozenset[int]) -> bool:
    return officer.friday_prayer and day.weekday() == FRIDAY and t in prayer


def _group_title(counters: Sequence[Counter]) -> str:
    agencies = sorted({c.agency for c in counters})
    labels = ", ".join(c.label for c in counters)
    return f"{labels} ({', '.join(agencies)})"


def _hours(minutes: float) -> str:
    value = minutes / 60
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


# ---------------------------------------------------------------- pre-check
#
# Three necessary conditions, in order; the first that fails is the answer:
# 1. per slot, enough qualified and available officers for every group of open counters;
# 2. per day, enough daily hours among the officers who may staff a group;
# 3. over the days, enough weekly hours among them.
# A group is a counter with every open counter whose pool of officers is a subset of its pool:
# those counters compete for the same officers, so the pool must cover all of them.

_GroupKey = tuple[tuple[str, ...], int]  # (counter ids of a group, officers in its pool)


@dataclass(frozen=True)
class _Facts:
    """What the pre-check steps read: the slot grid and who may staff each counter."""

    problem: RosterProblem
    grid: _Grid
    prayer: frozenset[int]
    counter_by_id: dict[str, Counter]
    officer_by_id: dict[str, Officer]
    qualified: dict[str, list[Officer]]

    @classmethod
    def of(cls, problem: RosterProblem) -> _Facts:
        grid = _grid(problem)
        return cls(problem, grid, _prayer_slots(problem.rules, grid.slot), {c.id: c for c in problem.counters},
                   {o.id: o for o in problem.officers},
                   {c.id: [o for o in problem.officers if can_staff(o, c)] for c in problem.counters})

    def day_capacity(self, o: Officer, day: date) -> int:
        """Minutes an officer can work on a day: their limits, within the day's horizon."""
        if not o.available_on(day) or not self.grid.day_slots[day]:
            return 0
        horizon = len(self.grid.day_slots[day]) * self.grid.slot
        return min(o.max_minutes_per_day, o.max_minutes_per_week, horizon)


@dataclass(frozen=True)
class _Shortage:
    """Too few officers for a group of counters over a run of slots."""

    day: date
    start: int
    end: int
    counter_ids: tuple[str, ...]
    have: int


def precheck(problem: RosterProblem) -> list[Reason]:
    """Necessary conditions, checked fast, each failure named; [] does not promise a roster."""
    facts = _Facts.of(problem)
    shortages = _too_few_officers(facts)
    if shortages:
        return [_shortage_reason(x, facts.counter_by_id) for x in _dedupe(shortages)]
    return _daily_hours(facts) or _weekly_hours(facts)


def _group(ids: Iterable[str], pools: Mapping[str, frozenset[str]], cid: str) -> tuple[str, ...]:
    """Counter `cid` with every counter of `ids` whose pool is a subset of its pool."""
    return tuple(c2 for c2 in ids if pools[c2] <= pools[cid])


def _short_groups(facts: _Facts, day: date, t: int) -> set[_GroupKey]:
    """The groups of counters open in slot t with fewer available officers than counters."""
    open_ids = [cid for cid in facts.counter_by_id if t in facts.grid.demand.get((cid, day), ())]
    pools = {cid: frozenset(o.id for o in facts.qualified[cid]
                            if o.available_on(day) and not _blocked(o, day, t, facts.prayer))
             for cid in open_ids}
    failing = set()
    for cid in open_ids:
        group = _group(open_ids, pools, cid)
        if len(pools[cid]) < len(group):
            failing.add((group, len(pools[cid])))
    return failing


def _too_few_officers(facts: _Facts) -> list[_Shortage]:
    """Step 1: each group short of officers, over each run of consecutive slots it is short."""
    slot = facts.grid.slot
    out: list[_Shortage] = []
    for day in facts.problem.days:
        runs: dict[_GroupKey, list[int]] = {}
        for t in facts.grid.day_slots[day]:
            for key in sorted(_short_groups(facts, day, t)):
                run = runs.get(key)
                if run and run[-1] == t - 1:
                    run.append(t)
                else:
                    if run:
                        out.append(_Shortage(day, run[0] * slot, (run[-1] + 1) * slot, *key))
                    runs[key] = [t]
        out.extend(_Shortage(day, run[0] * slot, (run[-1] + 1) * slot, *key) for key, run in runs.items())
    return out


def _shortage_reason(shortage: _Shortage, counter_by_id: dict[str, Counter]) -> Reason:
    counters = [counter_by_id[c] for c in shortage.counter_ids]
    title = counters[0].title if len(counters) == 1 else _group_title(counters)
    return Reason(
        "too_few_officers",
        f"{title} {day_label(shortage.day)} {span(shortage.start, shortage.end)}: hanya {shortage.have} petugas "
        f"yang boleh melayani, dibutuhkan {len(shortage.counter_ids)}.",
        day=shortage.day, start=shortage.start, end=shortage.end, counter_ids=shortage.counter_ids)


def _dedupe(shortages: list[_Shortage]) -> list[_Shortage]:
    """Keep the most specific statement: drop a group that contains a smaller failing group
    failing at an overlapping time (the smaller group is the cause)."""
    out = []
    for r in shortages:
        narrower = any(o is not r and o.day == r.day and o.start < r.end and r.start < o.end
                       and set(o.counter_ids) < set(r.counter_ids) for o in shortages)
        if not narrower:
            out.append(r)
    out.sort(key=lambda r: (r.day, r.start, r.counter_ids))
    return out


def _daily_hours(facts: _Facts) -> list[Reason]:
    """Step 2: per day, the minutes a group's counters are open vs what its pool can work that day."""
    slot = facts.grid.slot
    reasons: list[Reason] = []
    seen: set[tuple[date, tuple[str, ...]]] = set()
    for day in facts.problem.days:
        open_ids = [cid for cid in facts.counter_by_id if facts.grid.demand.get((cid, day))]
        pools = {cid: frozenset(o.id for o in facts.qualified[cid] if o.available_on(day)) for cid in open_ids}
        for cid in open_ids:
            group = _group(open_ids, pools, cid)
            need = sum(len(facts.grid.demand[(c2, day)]) for c2 in group) * slot
            cap = sum(facts.day_capacity(facts.officer_by_id[oid], day) for oid in pools[cid])
            if need > cap and (day, group) not in seen:
                seen.add((day, group))
                counters = [facts.counter_by_id[c2] for c2 in group]
                reasons.append(Reason(
                    "daily_hours",
                    f"{_group_title(counters)} {day_label(day)}: butuh {_hours(need)} jam petugas, petugas yang "
                    f"boleh melayani paling banyak {_hours(cap)} jam (batas jam kerja harian).",
                    day=day, counter_ids=group, officer_ids=tuple(sorted(pools[cid]))))
    return reasons


def _weekly_hours(facts: _Facts) -> list[Reason]:
    """Step 3: over all days, the minutes a group's counters are open vs what its pool can work
    in the week (each officer's weekly limit, and the sum of their days)."""
    p, slot = facts.problem, facts.grid.slot
    pools = {c.id: frozenset(o.id for o in facts.qualified[c.id]) for c in p.counters
             if any(facts.grid.demand.get((c.id, d)) for d in p.days)}
    need: dict[tuple[str, ...], int] = {}
    pool_of: dict[tuple[str, ...], frozenset[str]] = {}
    for cid, pool in pools.items():
        group = _group(pools, pools, cid)
        need[group] = sum(len(facts.grid.demand.get((c2, d), ())) for c2 in group for d in p.days) * slot
        pool_of[group] = pool
    reasons = []
    for group, minutes in need.items():
        officers = [facts.officer_by_id[oid] for oid in pool_of[group]]
        cap = sum(min(o.max_minutes_per_week, sum(facts.day_capacity(o, d) for d in p.days)) for o in officers)
        if minutes > cap:
            counters = [facts.counter_by_id[c2] for c2 in group]
            reasons.append(Reason(
                "weekly_hours",
                f"{_group_title(counters)}: seminggu butuh {_hours(minutes)} jam petugas, petugas yang boleh "
                f"melayani paling banyak {_hours(cap)} jam (batas jam kerja mingguan).",
                counter_ids=group, officer_ids=tuple(sorted(pool_of[group]))))
    return reasons


# ---------------------------------------------------------------- CP-SAT model
#
# Variables: x[officer, counter, day, slot] (works there then); per officer and day, w[slot]
# (works at some counter) and on[slot] (within the day's shift: working or on a break).
# Constraint families, each one method below, built in this order (the order variables and
# constraints are created in is the model CP-SAT gets, so it stays fixed):
# per officer and day: the shift, counter changes (soft), the daily limit, breaks, the minimum
# shift; per officer: the weekly limit; per open counter slot: cover; then the objective.
# With assumptions, each family of an officer (and the cover of each counter and day) is
# enforced by one literal, so an infeasible core names the families that clash.


@dataclass
class _OfficerDay:
    """One officer's day in the model: the slots it may span and its variables."""

    officer: Officer
    day: date
    ts: list[int]  # slots from the first to the last the officer could work
    blocked: set[int]  # Friday prayer slots of a flagged officer
    work: dict[int, list[cp_model.IntVar]]  # slot -> the officer's x variables in it
    w: dict[int, cp_model.IntVar]
    on: dict[int, cp_model.IntVar]

    def brk(self, t: int) -> cp_model.LinearExpr:
        """1 when the officer is on a break (in the shift, not working) in slot t."""
        return self.on[t] - self.w[t]


class _Model:
    def __init__(self, problem: RosterProblem, with_assumptions: bool) -> None:
        self.p = problem
        self.grid = _grid(problem)
        self.m = cp_model.CpModel()
        self.with_assumptions = with_assumptions
        self.group_lits: dict[tuple[str, tuple[Any, ...]], cp_model.IntVar] = {}
        self.x: dict[tuple[str, str, date, int], cp_model.IntVar] = {}
        rules, slot = problem.rules, self.grid.slot
        self.prayer = _prayer_slots(rules, slot)
        self.k_cont = rules.max_continuous_minutes // slot
        self.k_break_max = max(1, rules.max_break_minutes // slot)
        self.k_break_min = -(-rules.min_break_minutes // slot)
        self.min_shift = -(-rules.min_shift_minutes // slot)
        self.cover: dict[tuple[str, date, int], list[cp_model.IntVar]] = defaultdict(list)
        self.obj: list[cp_model.LinearExpr] = []
        self.balance_terms: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        self.breaks_at: dict[tuple[str, date, int], list[cp_model.LinearExpr]] = defaultdict(list)
        self.week_work: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        self._build()

    def _lit(self, kind: str, key: tuple[Any, ...]) -> list[cp_model.IntVar]:
        if not self.with_assumptions:
            return []
        k = (kind, key)
        if k not in self.group_lits:
            lit = self.m.new_bool_var(f"{kind}:{len(self.group_lits)}")
            self.group_lits[k] = lit
        return [self.group_lits[k]]

    def _build(self) -> None:
        for o in self.p.officers:
            quals = [c for c in self.p.counters if can_staff(o, c)]
            if not quals:
                continue
            for day in self.p.days:
                d = self._officer_day(o, quals, day)
                if d is None:
                    continue
                self._one_shift(d)
                self._counter_changes(d, quals)
                self._daily_limit(d)
                self._breaks(d)
                self._min_shift(d)
            self._weekly_limit(o)
        self._cover()
        self._objective()

    def _officer_day(self, o: Officer, quals: list[Counter], day: date) -> _OfficerDay | None:
        """The variables of an officer's day: x at each counter slot they may staff, w and on
        over the span from their first to their last such slot; None if they cannot work."""
        m, slots = self.m, self.grid.day_slots[day]
        if not slots or not o.available_on(day):
            return None
        blocked = {t for t in slots if _blocked(o, day, t, self.prayer)}
        work: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for c in quals:
            for t in self.grid.demand.get((c.id, day), ()):
                if t in blocked:
                    continue
                v = m.new_bool_var("")
                self.x[(o.id, c.id, day, t)] = v
                self.cover[(c.id, day, t)].append(v)
                work[t].append(v)
        if not work:
            return None
        ts = list(range(min(work), max(work) + 1))
        w = {}
        for t in ts:
            if work.get(t):
                w[t] = m.new_bool_var("")
                m.add(sum(work[t]) == w[t])
            else:
                w[t] = m.new_constant(0)
        on = {t: m.new_bool_var("") for t in ts}
        return _OfficerDay(o, day, ts, blocked, work, w, on)

    def _one_shift(self, d: _OfficerDay) -> None:
        """Working implies on shift; the shift is one block that starts and ends with work."""
        m, ts, w, on = self.m, d.ts, d.w, d.on
        starts = []
        for i, t in enumerate(ts):
            m.add_implication(w[t], on[t])
            st = m.new_bool_var("")
            starts.append(st)
            if i == 0:
                m.add(st >= on[t])
                m.add_implication(on[t], w[t])  # a shift starts with work
            else:
                m.add(st >= on[t] - on[ts[i - 1]])
                m.add_bool_or([on[t].negated(), on[ts[i - 1]], w[t]])
            if i == len(ts) - 1:
                m.add_implication(on[t], w[t])  # and ends with work
            else:
                m.add_bool_or([on[t].negated(), on[ts[i + 1]], w[t]])
        m.add(sum(starts) <= 1)

    def _counter_changes(self, d: _OfficerDay, quals: list[Counter]) -> None:
        """Soft: each block start at a counter costs a little."""
        for c in quals:
            prev = None
            for t in d.ts:
                v = self.x.get((d.officer.id, c.id, d.day, t))
                if v is not None:
                    if prev is None:
                        self.obj.append(v)
                    else:
                        sw = self.m.new_bool_var("")
                        self.m.add(sw >= v - prev)
                        self.obj.append(sw)
                prev = v

    def _daily_limit(self, d: _OfficerDay) -> None:
        o = d.officer
        day_work = [d.w[t] for t in d.ts if d.work.get(t)]
        self.m.add(sum(day_work) * self.grid.slot <= o.max_minutes_per_day).only_enforce_if(
            self._lit("daily", (o.id,)))
        self.week_work[o.id].extend(day_work)

    def _breaks(self, d: _OfficerDay) -> None:
        """Idle time inside a shift (soft, and counted per agency for the spread), then the
        break rules: a break after at most k_cont working slots, lasting k_break_min to
        k_break_max slots (the Friday prayer is not a break)."""
        for t in d.ts:
            if t not in d.blocked:
                self.breaks_at[(d.officer.agency, d.day, t)].append(d.brk(t))
                self.obj.append(d.brk(t))  # idle time inside a shift
        lit = self._lit("breaks", (d.officer.id,))
        self._work_stretch_limit(d, lit)
        self._break_max(d, lit)
        if self.k_break_min > 1:
            self._break_min(d, lit)

    def _work_stretch_limit(self, d: _OfficerDay, lit: list[cp_model.IntVar]) -> None:
        ts, k = d.ts, self.k_cont
        for i in range(len(ts) - k):
            window = [d.w[t] for t in ts[i:i + k + 1]]
            self.m.add(sum(window) <= k).only_enforce_if(lit)

    def _break_max(self, d: _OfficerDay, lit: list[cp_model.IntVar]) -> None:
        ts, k = d.ts, self.k_break_max
        for i in range(len(ts) - k):
            window = ts[i:i + k + 1]
            if any(t in d.blocked for t in window):
                continue
            self.m.add(sum(d.brk(t) for t in window) <= k).only_enforce_if(lit)

    def _break_min(self, d: _OfficerDay, lit: list[cp_model.IntVar]) -> None:
        ts, w, on = d.ts, d.w, d.on
        for i in range(1, len(ts)):
            t = ts[i]
            for k in range(1, self.k_break_min):
                if i + k < len(ts) and t not in d.blocked:
                    # a break starting at t lasts k_break_min slots
                    self.m.add_bool_or([w[ts[i - 1]].negated(), w[t], on[t].negated(),
                                        w[ts[i + k]].negated()]).only_enforce_if(lit)

    def _min_shift(self, d: _OfficerDay) -> None:
        """A working day lasts at least min_shift slots (or the whole span, if shorter)."""
        if self.min_shift <= 1:
            return
        works = self.m.new_bool_var("")
        for t in d.ts:
            self.m.add_implication(d.on[t], works)
        self.m.add(sum(d.on.values()) >= min(self.min_shift, len(d.ts)) * works).only_enforce_if(
            self._lit("min_shift", (d.officer.id,)))

    def _weekly_limit(self, o: Officer) -> None:
        """The weekly limit, and the officer's total for balancing hours within the agency."""
        week_work = self.week_work[o.id]
        if not week_work:
            return
        self.m.add(sum(week_work) * self.grid.slot <= o.max_minutes_per_week).only_enforce_if(
            self._lit("weekly", (o.id,)))
        total = self.m.new_int_var(0, len(week_work), "")
        self.m.add(total == sum(week_work))
        self.balance_terms[o.agency].append(total)

    def _cover(self) -> None:
        """Every open counter slot has exactly one officer."""
        for (cid, day), slots in self.grid.demand.items():
            lit = self._lit("cover", (cid, day))
            for t in slots:
                vars_ = self.cover.get((cid, day, t), [])
                if not vars_:
                    if self.with_assumptions:
                        self.m.add_bool_or([lit[0].negated()])
                    else:
                        self.m.add_bool_or([])  # nobody can staff this slot: infeasible
                    continue
                self.m.add(sum(vars_) == 1).only_enforce_if(lit)

    def _objective(self) -> None:
        """Soft goals: the lowest peak of officers on break per agency and day, balanced hours
        within each agency, few counter changes and little idle time."""
        m = self.m
        peaks: dict[tuple[str, date], cp_model.IntVar] = {}
        for (agency, day, _t), terms in self.breaks_at.items():
            key = (agency, day)
            if key not in peaks:
                peaks[key] = m.new_int_var(0, len(self.p.officers), "")
            m.add(peaks[key] >= sum(terms))
        spread = []
        for totals in self.balance_terms.values():
            if len(totals) < 2:
                continue
            hi = m.new_int_var(0, 10_000, "")
            lo = m.new_int_var(0, 10_000, "")
            m.add_max_equality(hi, totals)
            m.add_min_equality(lo, totals)
            spread.append(hi - lo)
        m.minimize(4 * sum(peaks.values()) + 2 * sum(spread) + sum(self.obj))

    def assumptions(self) -> list[cp_model.IntVar]:
        return list(self.group_lits.values())

    def extract(self, solver: cp_model.CpSolver) -> list[Assignment]:
        slot = self.grid.slot
        on: dict[tuple[str, str, date], list[int]] = defaultdict(list)
        for (oid, cid, day, t), v in self.x.items():
            if solver.boolean_value(v):
                on[(oid, cid, day)].append(t)
        out = [Assignment(oid, cid, day, first * slot, (last + 1) * slot)
               for (oid, cid, day), ts in on.items() for first, last in _runs(sorted(ts))]
        out.sort(key=lambda a: (a.day, a.counter_id, a.start, a.officer_id))
        return out


def _runs(ts: list[int]) -> list[tuple[int, int]]:
    """First and last of each run of consecutive slots in sorted `ts`: [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for t in ts:
        if runs and runs[-1][1] == t - 1:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def _solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def solve_roster(problem: RosterProblem, time_limit_s: float = 25.0, workers: int = 2,
                 seed: int = 0, explain_time_limit_s: float = 10.0) -> RosterResult:
    """The best roster found within the time limit, or the reasons none exists."""
    began = time.monotonic()
    reasons = precheck(problem)
    if reasons:
        return RosterResult("infeasible", reasons=tuple(reasons), wall_seconds=time.monotonic() - began)
    model = _Model(problem, with_assumptions=False)
    solver = _solver(time_limit_s, workers, seed)
    status = solver.solve(model.m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterResult("optimal" if status == cp_model.OPTIMAL else "feasible",
                            assignments=tuple(model.extract(solver)),
                            wall_seconds=time.monotonic() - began, objective=solver.objective_value)
    if status == cp_model.INFEASIBLE:
        found = explain_infeasible(problem, explain_time_limit_s)
        return RosterResult("infeasible", reasons=tuple(found), wall_seconds=time.monotonic() - began)
    return RosterResult("unknown", reasons=(Reason(
        "timeout", f"Belum ditemukan jadwal dalam {time_limit_s:.0f} detik; coba perpanjang waktu atau "
                   "kurangi loket yang harus buka."),), wall_seconds=time.monotonic() - began)


_GROUP_WORDS = {
    "daily": "batas jam kerja harian",
    "weekly": "batas jam kerja mingguan",
    "breaks": "aturan istirahat",
    "min_shift": "lama shift minimal",
}


def explain_infeasible(problem: RosterProblem, time_limit_s: float = 10.0) -> list[Reason]:
    """Name the constraint groups of an infeasible core (CP-SAT assumptions, then shrunk)."""
    model = _Model(problem, with_assumptions=True)
    lits = model.assumptions()
    deadline = time.monotonic() + time_limit_s

    def infeasible_with(subset: list) -> bool | None:
        model.m.clear_assumptions()
        model.m.add_assumptions(subset)
        s = _solver(max(0.1, min(2.0, deadline - time.monotonic())), 1, 0)
        st = s.solve(model.m)
        if st == cp_model.INFEASIBLE:
            return True
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        return None

    model.m.clear_objective()
    model.m.add_assumptions(lits)
    s = _solver(max(0.1, deadline - time.monotonic()), 1, 0)
    if s.solve(model.m) != cp_model.INFEASIBLE:
        return [Reason("constraints", "Tidak ditemukan jadwal yang memenuhi semua aturan, tetapi penyebabnya "
                       "tidak dapat dipastikan dalam batas waktu.")]
    core_idx = set(s.sufficient_assumptions_for_infeasibility())
    core = [lit for lit in lits if lit.index in core_idx]
    # Shrink: drop a literal when the rest is still infeasible.
    i = 0
    while i < len(core) and len(core) <= 40 and time.monotonic() < deadline:
        trial = core[:i] + core[i + 1:]
        if infeasible_with(trial):
            core = trial
        else:
            i += 1
    by_lit = {lit.index: key for key, lit in model.group_lits.items()}
    keys = [by_lit[lit.index] for lit in core]
    return [_core_reason(problem, keys)]


def _core_reason(problem: RosterProblem, keys: list[tuple[str, tuple]]) -> Reason:
    counter_by_id = {c.id: c for c in problem.counters}
    officer_by_id = {o.id: o for o in problem.officers}
    covers = sorted((k for kind, k in keys if kind == "cover"), key=lambda k: (k[1], k[0]))
    rules: dict[str, list[str]] = defaultdict(list)
    for kind, k in keys:
        if kind != "cover":
            rules[kind].append(k[0])
    parts = []
    for cid, day in covers:
        ops = [op for op in problem.openings if op.counter_id == cid and op.day == day]
        hours = ", ".join(span(op.start, op.end) for op in sorted(ops, key=lambda o: o.start))
        parts.append(f"{counter_by_id[cid].title} {day_label(day)} {hours}")
    what = "; ".join(parts) if parts else "Jadwal"
    why = "; ".join(f"{_GROUP_WORDS[kind]} ({', '.join(officer_by_id[o].name for o in sorted(set(ids)))})"
                    for kind, ids in sorted(rules.items()))
    officers = tuple(sorted({o for ids in rules.values() for o in ids}))
    message = (f"{what}: tidak dapat dijaga penuh karena {why}." if why
               else f"{what}: tidak dapat dijaga penuh oleh petugas yang boleh melayani.")
    day = covers[0][1] if len(covers) == 1 else None
    return Reason("constraints", message, day=day, counter_ids=tuple(c for c, _ in covers), officer_ids=officers)
