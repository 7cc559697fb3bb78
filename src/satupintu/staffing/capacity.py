"""Counters recommended per agency and hour (Erlang C), checked by simulation (no I/O).

For each agency and hour: the handling time is the weighted mean of the measured service
times, traffic = arrivals x handling time, and Erlang C gives the fewest counters for the
target (e.g. 80% called within 15 minutes). Erlang C assumes a steady state; the morning peak
carries queues into later hours, so the plan is also simulated and the expected wait per hour
is shown before (current counters) and after (recommended).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DomainError
from .erlang import agents_for_service_level, service_level, traffic_erlangs
from .simulation import HourStats, ServiceTimes, simulate_day


@dataclass(frozen=True)
class HourAdvice:
    agency: str
    hour: int
    arrivals: float  # forecast visitors in the hour
    handling_minutes: float
    traffic: float  # Erlangs
    current: int  # counters now
    recommended: int  # Erlang C, capped at the agency's counters when a cap is given
    erlang_level: float  # Erlang C service level with the recommended counters
    before: HourStats | None  # simulated with the current counters
    after: HourStats | None  # simulated with the recommended counters
    capped: bool = False  # more counters needed than the agency has


@dataclass(frozen=True)
class Recommendation:
    hours: tuple[HourAdvice, ...]
    target_wait: float
    target_level: float
    unserved_before: float
    unserved_after: float


def handling_minutes(services: Sequence[ServiceTimes], agency: str) -> float:
    pool = [s for s in services if s.agency == agency]
    if not pool:
        raise DomainError("invalid", f"Instansi {agency} tidak memiliki data lama layanan.", "services")
    total = sum(s.weight for s in pool)
    return sum(s.weight * sum(s.durations) / len(s.durations) for s in pool) / total


def recommend_counters(arrivals_per_hour: Mapping[str, Mapping[int, float]], services: Sequence[ServiceTimes],
                       current: Mapping[str, Mapping[int, int]], *, target_wait: float = 15.0,
                       target_level: float = 0.8, max_counters: Mapping[str, int] | None = None,
                       replications: int = 5, seed: int = 0) -> Recommendation:
    """Counters per agency and hour for the target, with simulated waits before and after.

    Hours with arrivals but before the counters open (07:30) are planned from the opening hour
    of `current`; waits in minutes; target_level in (0, 1).
    """
    aht = {a: handling_minutes(services, a) for a in arrivals_per_hour}
    plan: dict[str, dict[int, int]] = {}
    rows = []
    for agency, per_hour in sorted(arrivals_per_hour.items()):
        now = current.get(agency, {})
        hours = sorted(set(per_hour) | set(now))
        plan[agency] = {}
        for hour in hours:
            rate = per_hour.get(hour, 0.0)
            traffic = traffic_erlangs(rate, aht[agency] * 60)
            need = agents_for_service_level(traffic, aht[agency] * 60, target_wait * 60, target_level)
            cap = (max_counters or {}).get(agency)
            capped = cap is not None and need > cap
            chosen = min(need, cap) if cap is not None else need
            opened_now = hour in now or any(h < hour for h in now)
            if not opened_now:  # noqa: SIM108  a ternary would lose the comment that says why
                chosen = 0  # before opening time: visitors queue, no counter opens
            else:
                chosen = max(chosen, 1 if rate > 0 or now.get(hour, 0) > 0 else 0)
            plan[agency][hour] = chosen
            level = service_level(traffic, chosen, aht[agency] * 60, target_wait * 60) if chosen else 0.0
            rows.append((agency, hour, rate, traffic, _at(now, hour), chosen, level, capped))
    before = simulate_day(arrivals_per_hour, services, current, seed=seed, replications=replications,
                          target_wait=target_wait)
    after = simulate_day(arrivals_per_hour, services, plan, seed=seed, replications=replications,
                         target_wait=target_wait)
    advice = tuple(HourAdvice(a, h, rate, aht[a], traffic, cur, rec, level, before.stats(a, h),
                              after.stats(a, h), capped)
                   for a, h, rate, traffic, cur, rec, level, capped in rows)
    return Recommendation(advice, target_wait, target_level, before.unserved, after.unserved)


def _at(plan: Mapping[int, int], hour: int) -> int:
    earlier = [h for h in plan if h <= hour]
    return plan[max(earlier)] if earlier else 0
