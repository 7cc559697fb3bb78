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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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

def precheck(problem: RosterProblem) -> list[Reason]:
    """Necessary conditions, checked fast, each failure named; [] does not promise a roster."""
    grid = _grid(problem)
    slot, rules = grid.slot, problem.rules
    prayer = _prayer_slots(rules, slot)
    counter_by_id = {c.id: c for c in problem.counters}
    qualified = {c.id: [o for o in problem.officers if can_staff(o, c)] for c in problem.counters}
    reasons: list[Reason] = []

    # 1. Per slot: the counters whose qualified officers are a subset of counter c's must fit in them.
    for day in problem.days:
        runs: dict[tuple, list[int]] = {}
        for t in grid.day_slots[day]:
            open_ids = [cid for cid in counter_by_id if t in grid.demand.get((cid, day), ())]
            pools = {cid: frozenset(o.id for o in qualified[cid]
                                    if o.available_on(day) and not _blocked(o, day, t, prayer))
                     for cid in open_ids}
            failing = set()
            for cid in open_ids:
                group = tuple(c2 for c2 in open_ids if pools[c2] <= pools[cid])
                if len(pools[cid]) < len(group):
                    failing.add((group, len(pools[cid])))
            for key in sorted(failing):
                run = runs.get(key)
                if run and run[-1] == t - 1:
                    run.append(t)
                else:
                    if run:
                        reasons.append(_slot_reason(day, key, run, slot, counter_by_id))
                    runs[key] = [t]
        for key, run in runs.items():
            reasons.append(_slot_reason(day, key, run, slot, counter_by_id))
    if reasons:
        return _dedupe(reasons)

    # 2. and 3. Hours: demand of the counters a pool must staff vs what the pool can work.
    def day_capacity(o: Officer, day: date) -> int:
        if not o.available_on(day) or not grid.day_slots[day]:
            return 0
        horizon = len(grid.day_slots[day]) * slot
        return min(o.max_minutes_per_day, o.max_minutes_per_week, horizon)

    seen: set[tuple] = set()
    week_need: dict[tuple[str, ...], int] = defaultdict(int)
    week_pool: dict[tuple[str, ...], frozenset[str]] = {}
    officer_by_id = {o.id: o for o in problem.officers}
    for day in problem.days:
        open_ids = [cid for cid in counter_by_id if grid.demand.get((cid, day))]
        pools = {cid: frozenset(o.id for o in qualified[cid] if o.available_on(day)) for cid in open_ids}
        for cid in open_ids:
            group = tuple(c2 for c2 in open_ids if pools[c2] <= pools[cid])
            need = sum(len(grid.demand[(c2, day)]) for c2 in group) * slot
            cap = sum(day_capacity(officer_by_id[oid], day) for oid in pools[cid])
            if need > cap and (day, group) not in seen:
                seen.add((day, group))
                counters = [counter_by_id[c2] for c2 in group]
                reasons.append(Reason(
                    "daily_hours",
                    f"{_group_title(counters)} {day_label(day)}: butuh {_hours(need)} jam petugas, petugas yang "
                    f"boleh melayani paling banyak {_hours(cap)} jam (batas jam kerja harian).",
                    day=day, counter_ids=group, officer_ids=tuple(sorted(pools[cid]))))
    if reasons:
        return reasons
    all_pools = {c.id: frozenset(o.id for o in qualified[c.id]) for c in problem.counters
                 if any(grid.demand.get((c.id, d)) for d in problem.days)}
    for cid, pool in all_pools.items():
        group = tuple(c2 for c2 in all_pools if all_pools[c2] <= pool)
        week_need[group] = sum(len(grid.demand.get((c2, d), ())) for c2 in group for d in problem.days) * slot
        week_pool[group] = pool
    for group, need in week_need.items():
        cap = sum(min(officer_by_id[oid].max_minutes_per_week,
                      sum(day_capacity(officer_by_id[oid], d) for d in problem.days))
                  for oid in week_pool[group])
        if need > cap:
            counters = [counter_by_id[c2] for c2 in group]
            reasons.append(Reason(
                "weekly_hours",
                f"{_group_title(counters)}: seminggu butuh {_hours(need)} jam petugas, petugas yang boleh "
                f"melayani paling banyak {_hours(cap)} jam (batas jam kerja mingguan).",
                counter_ids=group, officer_ids=tuple(sorted(week_pool[group]))))
    return reasons


def _slot_reason(day: date, key: tuple, run: list[int], slot: int, counter_by_id: dict[str, Counter]) -> Reason:
    group, have = key
    counters = [counter_by_id[c] for c in group]
    start, end = run[0] * slot, (run[-1] + 1) * slot
    title = counters[0].title if len(counters) == 1 else _group_title(counters)
    return Reason(
        "too_few_officers",
        f"{title} {day_label(day)} {span(start, end)}: hanya {have} petugas yang boleh melayani, "
        f"dibutuhkan {len(group)}.",
        day=day, start=start, end=end, counter_ids=group)


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    """Keep the most specific statement: drop a group that contains a smaller failing group
    failing at an overlapping time (the smaller group is the cause)."""
    out = []
    for r in reasons:
        narrower = any(o is not r and o.day == r.day and o.start < r.end and r.start < o.end
                       and set(o.counter_ids) < set(r.counter_ids) for o in reasons)
        if not narrower:
            out.append(r)
    out.sort(key=lambda r: (r.day, r.start, r.counter_ids))
    return out


# ---------------------------------------------------------------- CP-SAT model

class _Model:
    def __init__(self, problem: RosterProblem, with_assumptions: bool) -> None:
        self.p = problem
        self.grid = _grid(problem)
        self.m = cp_model.CpModel()
        self.with_assumptions = with_assumptions
        self.groups: dict[str, tuple[str, tuple]] = {}  # literal name -> (kind, key)
        self.group_lits: dict[tuple[str, tuple], cp_model.IntVar] = {}
        self.x: dict[tuple[str, str, date, int], cp_model.IntVar] = {}
        self._build()

    def _lit(self, kind: str, key: tuple) -> list[cp_model.IntVar]:
        if not self.with_assumptions:
            return []
        k = (kind, key)
        if k not in self.group_lits:
            lit = self.m.NewBoolVar(f"{kind}:{len(self.group_lits)}")
            self.group_lits[k] = lit
        return [self.group_lits[k]]

    def _build(self) -> None:
        p, g, m = self.p, self.grid, self.m
        rules, slot = p.rules, g.slot
        prayer = _prayer_slots(rules, slot)
        k_cont = rules.max_continuous_minutes // slot
        k_break_max = max(1, rules.max_break_minutes // slot)
        k_break_min = -(-rules.min_break_minutes // slot)
        min_shift = -(-rules.min_shift_minutes // slot)
        cover: dict[tuple[str, date, int], list[cp_model.IntVar]] = defaultdict(list)
        obj: list = []
        balance_terms: dict[str, list] = defaultdict(list)
        breaks_at: dict[tuple[str, date, int], list] = defaultdict(list)
        week_work: dict[str, list] = defaultdict(list)

        for o in p.officers:
            quals = [c for c in p.counters if can_staff(o, c)]
            if not quals:
                continue
            for day in p.days:
                slots = g.day_slots[day]
                if not slots or not o.available_on(day):
                    continue
                blocked = {t for t in slots if _blocked(o, day, t, prayer)}
                work: dict[int, list] = defaultdict(list)
                for c in quals:
                    for t in g.demand.get((c.id, day), ()):
                        if t in blocked:
                            continue
                        v = m.NewBoolVar("")
                        self.x[(o.id, c.id, day, t)] = v
                        cover[(c.id, day, t)].append(v)
                        work[t].append(v)
                if not work:
                    continue
                first, last = min(work), max(work)
                ts = list(range(first, last + 1))
                w = {}
                for t in ts:
                    if work.get(t):
                        w[t] = m.NewBoolVar("")
                        m.Add(sum(work[t]) == w[t])
                    else:
                        w[t] = m.NewConstant(0)
                on = {t: m.NewBoolVar("") for t in ts}
                starts = []
                for i, t in enumerate(ts):
                    m.AddImplication(w[t], on[t])
                    st = m.NewBoolVar("")
                    starts.append(st)
                    if i == 0:
                        m.Add(st >= on[t])
                        m.AddImplication(on[t], w[t])  # a shift starts with work
                    else:
                        m.Add(st >= on[t] - on[ts[i - 1]])
                        m.AddBoolOr([on[t].Not(), on[ts[i - 1]], w[t]])
                    if i == len(ts) - 1:
                        m.AddImplication(on[t], w[t])  # and ends with work
                    else:
                        m.AddBoolOr([on[t].Not(), on[ts[i + 1]], w[t]])
                m.Add(sum(starts) <= 1)
                # Counter changes: each block start at a counter costs a little.
                for c in quals:
                    prev = None
                    for t in ts:
                        v = self.x.get((o.id, c.id, day, t))
                        if v is not None:
                            if prev is None:
                                obj.append(v)
                            else:
                                sw = m.NewBoolVar("")
                                m.Add(sw >= v - prev)
                                obj.append(sw)
                        prev = v
                day_work = [w[t] for t in ts if work.get(t)]
                m.Add(sum(day_work) * slot <= o.max_minutes_per_day).OnlyEnforceIf(self._lit("daily", (o.id,)))
                week_work[o.id].extend(day_work)
                brk = {t: on[t] - w[t] for t in ts}
                for t in ts:
                    if t not in blocked:
                        breaks_at[(o.agency, day, t)].append(brk[t])
                        obj.append(brk[t])  # idle time inside a shift
                lit_breaks = self._lit("breaks", (o.id,))
                for i in range(len(ts) - k_cont):
                    window = [w[t] for t in ts[i:i + k_cont + 1]]
                    m.Add(sum(window) <= k_cont).OnlyEnforceIf(lit_breaks)
                for i in range(len(ts) - k_break_max):
                    window = ts[i:i + k_break_max + 1]
                    if any(t in blocked for t in window):
                        continue
                    m.Add(sum(brk[t] for t in window) <= k_break_max).OnlyEnforceIf(lit_breaks)
                if k_break_min > 1:
                    for i in range(1, len(ts)):
                        t = ts[i]
                        for k in range(1, k_break_min):
                            if i + k < len(ts) and t not in blocked:
                                # a break starting at t lasts k_break_min slots
                                m.AddBoolOr([w[ts[i - 1]].Not(), w[t], on[t].Not(),
                                             w[ts[i + k]].Not()]).OnlyEnforceIf(lit_breaks)
                if min_shift > 1:
                    works = m.NewBoolVar("")
                    for t in ts:
                        m.AddImplication(on[t], works)
                    m.Add(sum(on.values()) >= min(min_shift, len(ts)) * works).OnlyEnforceIf(
                        self._lit("min_shift", (o.id,)))
            if week_work[o.id]:
                m.Add(sum(week_work[o.id]) * slot <= o.max_minutes_per_week).OnlyEnforceIf(
                    self._lit("weekly", (o.id,)))
                total = m.NewIntVar(0, len(week_work[o.id]), "")
                m.Add(total == sum(week_work[o.id]))
                balance_terms[o.agency].append(total)

        for op_key, slots in g.demand.items():
            cid, day = op_key
            lit = self._lit("cover", (cid, day))
            for t in slots:
                vars_ = cover.get((cid, day, t), [])
                if not vars_:
                    if self.with_assumptions:
                        m.AddBoolOr([lit[0].Not()])
                    else:
                        m.AddBoolOr([])  # nobody can staff this slot: infeasible
                    continue
                m.Add(sum(vars_) == 1).OnlyEnforceIf(lit)

        # Soft goals.
        peaks: dict[tuple[str, date], cp_model.IntVar] = {}
        for (agency, day, t), terms in breaks_at.items():
            key = (agency, day)
            if key not in peaks:
                peaks[key] = m.NewIntVar(0, len(p.officers), "")
            m.Add(peaks[key] >= sum(terms))
        spread = []
        for agency, totals in balance_terms.items():
            if len(totals) < 2:
                continue
            hi = m.NewIntVar(0, 10_000, "")
            lo = m.NewIntVar(0, 10_000, "")
            m.AddMaxEquality(hi, totals)
            m.AddMinEquality(lo, totals)
            spread.append(hi - lo)
        m.Minimize(4 * sum(peaks.values()) + 2 * sum(spread) + sum(obj))

    def assumptions(self) -> list[cp_model.IntVar]:
        return list(self.group_lits.values())

    def extract(self, solver: cp_model.CpSolver) -> list[Assignment]:
        slot = self.grid.slot
        on: dict[tuple[str, str, date], list[int]] = defaultdict(list)
        for (oid, cid, day, t), v in self.x.items():
            if solver.BooleanValue(v):
                on[(oid, cid, day)].append(t)
        out = []
        for (oid, cid, day), ts in on.items():
            ts.sort()
            start = prev = ts[0]
            for t in ts[1:] + [None]:
                if t is not None and t == prev + 1:
                    prev = t
                    continue
                out.append(Assignment(oid, cid, day, start * slot, (prev + 1) * slot))
                if t is not None:
                    start = prev = t
        out.sort(key=lambda a: (a.day, a.counter_id, a.start, a.officer_id))
        return out


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
    status = solver.Solve(model.m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterResult("optimal" if status == cp_model.OPTIMAL else "feasible",
                            assignments=tuple(model.extract(solver)),
                            wall_seconds=time.monotonic() - began, objective=solver.ObjectiveValue())
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
        model.m.ClearAssumptions()
        model.m.AddAssumptions(subset)
        s = _solver(max(0.1, min(2.0, deadline - time.monotonic())), 1, 0)
        st = s.Solve(model.m)
        if st == cp_model.INFEASIBLE:
            return True
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        return None

    model.m.ClearObjective()
    model.m.AddAssumptions(lits)
    s = _solver(max(0.1, deadline - time.monotonic()), 1, 0)
    if s.Solve(model.m) != cp_model.INFEASIBLE:
        return [Reason("constraints", "Tidak ditemukan jadwal yang memenuhi semua aturan, tetapi penyebabnya "
                       "tidak dapat dipastikan dalam batas waktu.")]
    core_idx = set(s.SufficientAssumptionsForInfeasibility())
    core = [lit for lit in lits if lit.Index() in core_idx]
    # Shrink: drop a literal when the rest is still infeasible.
    i = 0
    while i < len(core) and len(core) <= 40 and time.monotonic() < deadline:
        trial = core[:i] + core[i + 1:]
        if infeasible_with(trial):
            core = trial
        else:
            i += 1
    by_lit = {lit.Index(): key for key, lit in model.group_lits.items()}
    keys = [by_lit[lit.Index()] for lit in core]
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
