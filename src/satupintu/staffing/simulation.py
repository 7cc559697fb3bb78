"""Discrete-event simulation (simpy) of one day at a site (no I/O).

Visitors arrive per hour as a Poisson process at the forecast rate, each to a service of an
agency. Each agency has a pool of counters whose size follows the plan per hour (a counter
finishes its visitor before closing). Service times are drawn with replacement from the
MEASURED durations of the service, not from an exponential. Priority visitors (lansia,
penyandang disabilitas, ibu hamil, membawa balita) are called first, but a counter makes at
most `max_priority_streak` priority calls in a row while regular visitors wait: the calling
rule of `queueing.policy`.

Service durations are drawn when visitors are generated, so two plans simulated with the
same seed see the same visitors with the same durations (a fair before/after comparison).
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import simpy

from ..errors import DomainError
from ..queueing.policy import PolicyConfig
from .arrivals import LAST_ARRIVAL_MINUTE, OPEN_MINUTE, Arrival, arrival_minutes

MAX_PRIORITY_STREAK = PolicyConfig().max_priority_streak


@dataclass(frozen=True)
class ServiceTimes:
    service: str
    agency: str
    durations: tuple[float, ...]  # observed service times, minutes
    weight: float = 1.0  # share of the agency's visitors choosing this service

    def __post_init__(self) -> None:
        if not self.durations or any(d <= 0 for d in self.durations):
            raise DomainError("invalid", f"Layanan {self.service}: data lama layanan harus berisi angka lebih "
                              "dari 0.", "durations")


@dataclass(frozen=True)
class Visitor:
    minute: float
    agency: str
    service: str
    priority: bool
    duration: float  # minutes at the counter


@dataclass(frozen=True)
class HourStats:
    agency: str
    hour: int  # arrival hour
    arrivals: float  # per simulated day (mean over replications)
    served: float
    mean_wait: float  # minutes, visitors served
    p80_wait: float
    p90_wait: float
    within_target: float  # share of visitors called within the target wait (unserved count as late)
    max_queue: float  # longest queue seen when a visitor arrived (mean over replications)


@dataclass(frozen=True)
class SimulationResult:
    hours: tuple[HourStats, ...]
    target_wait: float
    replications: int
    unserved: float  # visitors never called (no counter open after they arrived)

    def stats(self, agency: str, hour: int) -> HourStats | None:
        return next((h for h in self.hours if h.agency == agency and h.hour == hour), None)


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def make_visitors(rng: random.Random, arrivals_per_hour: Mapping[str, Mapping[int, float]],
                  services: Sequence[ServiceTimes], priority_share: float = 0.1,
                  opens: int = OPEN_MINUTE, closes: int = LAST_ARRIVAL_MINUTE) -> list[Visitor]:
    """A day's visitors from the per-agency hourly forecast, with their service durations."""
    by_agency: dict[str, list[ServiceTimes]] = defaultdict(list)
    for s in services:
        by_agency[s.agency].append(s)
    out = []
    for agency, per_hour in sorted(arrivals_per_hour.items()):
        pool = by_agency.get(agency)
        if not pool:
            raise DomainError("invalid", f"Instansi {agency} tidak memiliki data lama layanan.", "services")
        weights = [s.weight for s in pool]
        for minute in arrival_minutes(rng, per_hour, opens, closes):
            s = rng.choices(pool, weights)[0]
            out.append(Visitor(minute, agency, s.service, rng.random() < priority_share, rng.choice(s.durations)))
    out.sort(key=lambda v: v.minute)
    return out


def visitors_from_arrivals(rng: random.Random, arrivals: Sequence[Arrival],
                           services: Sequence[ServiceTimes]) -> list[Visitor]:
    """Attach sampled durations to generated or recorded arrivals."""
    by_code = {s.service: s for s in services}
    out = []
    for a in arrivals:
        s = by_code.get(a.service)
        if s is None:
            raise DomainError("invalid", f"Layanan {a.service} tidak memiliki data lama layanan.", "services")
        out.append(Visitor(a.minute, a.agency, a.service, a.priority, rng.choice(s.durations)))
    return out


def _counters_at(plan: Mapping[int, int], hour: int) -> int:
    if hour in plan:
        return plan[hour]
    earlier = [h for h in plan if h < hour]
    return plan[max(earlier)] if earlier else 0


def run_day(visitors: Sequence[Visitor], counters: Mapping[str, Mapping[int, int]],
            max_priority_streak: int = MAX_PRIORITY_STREAK) -> list[tuple[Visitor, float | None, int]]:
    """Simulate one day; per visitor: (visitor, wait in minutes or None if never called,
    queue length of its agency right after it arrived)."""
    env = simpy.Environment()
    agencies = sorted({v.agency for v in visitors} | set(counters))
    prio: dict[str, deque] = {a: deque() for a in agencies}
    regular: dict[str, deque] = {a: deque() for a in agencies}
    wake: dict[str, simpy.Event] = {a: env.event() for a in agencies}
    active = {a: 0 for a in agencies}
    results: list[list] = []

    def notify(agency: str) -> None:
        ev, wake[agency] = wake[agency], env.event()
        ev.succeed()

    def arrivals():
        for v in visitors:
            if v.minute > env.now:
                yield env.timeout(v.minute - env.now)
            entry = [v, None, 0]
            (prio if v.priority else regular)[v.agency].append(entry)
            entry[2] = len(prio[v.agency]) + len(regular[v.agency])
            results.append(entry)
            notify(v.agency)

    def plan_changes():
        hours = sorted({h for plan in counters.values() for h in plan})
        for hour in hours:
            if hour * 60 > env.now:
                yield env.timeout(hour * 60 - env.now)
            for a in agencies:
                active[a] = _counters_at(counters.get(a, {}), hour)
                notify(a)

    def counter(agency: str, index: int):
        streak = 0
        while True:
            p, r = prio[agency], regular[agency]
            if index >= active[agency] or not (p or r):
                yield wake[agency]
                continue
            if p and (not r or streak < max_priority_streak):
                entry, streak = p.popleft(), streak + 1
            else:
                entry, streak = r.popleft(), 0
            entry[1] = env.now - entry[0].minute
            yield env.timeout(entry[0].duration)

    env.process(plan_changes())
    env.process(arrivals())
    for a in agencies:
        for i in range(max(counters.get(a, {}).values(), default=0)):
            env.process(counter(a, i))
    env.run()
    return [(v, w, q) for v, w, q in results]


def simulate_day(arrivals_per_hour: Mapping[str, Mapping[int, float]], services: Sequence[ServiceTimes],
                 counters: Mapping[str, Mapping[int, int]], *, seed: int = 0, replications: int = 1,
                 priority_share: float = 0.1, target_wait: float = 15.0,
                 max_priority_streak: int = MAX_PRIORITY_STREAK,
                 opens: int = OPEN_MINUTE, closes: int = LAST_ARRIVAL_MINUTE) -> SimulationResult:
    """Expected waits per agency and arrival hour over `replications` simulated days.

    `arrivals_per_hour`: agency -> hour -> expected visitors; `counters`: agency -> hour ->
    counters open from that hour (until the next listed hour; the last value holds until the
    queue is empty). Waits and target in minutes.
    """
    if replications < 1:
        raise DomainError("invalid", "Jumlah pengulangan simulasi minimal 1.", "replications")
    for agency, plan in counters.items():
        if any(n < 0 for n in plan.values()):
            raise DomainError("invalid", f"Jumlah loket {agency} tidak boleh negatif.", "counters")
    outcomes = []
    for r in range(replications):
        rng = random.Random(seed * 1_000_003 + r)
        visitors = make_visitors(rng, arrivals_per_hour, services, priority_share, opens, closes)
        outcomes.append(run_day(visitors, counters, max_priority_streak))
    return summarize_runs(outcomes, target_wait)


def summarize_runs(outcomes: Sequence[Sequence[tuple[Visitor, float | None, int]]],
                   target_wait: float) -> SimulationResult:
    waits: dict[tuple[str, int], list[float]] = defaultdict(list)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    on_time: dict[tuple[str, int], int] = defaultdict(int)
    max_q: dict[tuple[str, int], float] = defaultdict(float)
    unserved = 0
    for run in outcomes:
        run_max: dict[tuple[str, int], int] = defaultdict(int)
        for v, wait, queue in run:
            key = (v.agency, int(v.minute // 60))
            counts[key] += 1
            run_max[key] = max(run_max[key], queue)
            if wait is None:
                unserved += 1
                continue
            waits[key].append(wait)
            if wait <= target_wait:
                on_time[key] += 1
        for key, q in run_max.items():
            max_q[key] += q
    n = len(outcomes)
    hours = []
    for key in sorted(counts):
        w = waits.get(key, [])
        hours.append(HourStats(
            key[0], key[1], counts[key] / n, len(w) / n, sum(w) / len(w) if w else 0.0,
            percentile(w, 80), percentile(w, 90), on_time[key] / counts[key], max_q[key] / n))
    return SimulationResult(tuple(hours), target_wait, n, unserved / n)
