"""Synthetic arrivals with the MPP early-morning peak (benchmarks and demo data, no I/O).

Crowds arrive 07:30–10:00, before and just after the doors open at 08:00; the afternoon is
quiet. Within an hour arrivals are a Poisson process at that hour's rate (a non-homogeneous
Poisson process with a piecewise-constant rate).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import DomainError

# Share of a day's visitors by the hour they arrive (07 = 07:30–08:00).
PEAK_PROFILE: dict[int, float] = {7: 0.10, 8: 0.24, 9: 0.22, 10: 0.14, 11: 0.10, 12: 0.06, 13: 0.08, 14: 0.06}
OPEN_MINUTE = 450  # 07:30, when the first visitors queue for a number
LAST_ARRIVAL_MINUTE = 900  # 15:00


@dataclass(frozen=True)
class Arrival:
    minute: float  # since local midnight
    agency: str
    service: str
    priority: bool


def hourly_rates(visitors: float, profile: Mapping[int, float] = PEAK_PROFILE) -> dict[int, float]:
    """Expected visitors per hour for a day with `visitors` expected in total."""
    total = sum(profile.values())
    if visitors < 0 or total <= 0:
        raise DomainError("invalid", "Jumlah pengunjung tidak boleh negatif.", "visitors")
    return {h: visitors * share / total for h, share in profile.items()}


def poisson(rng: random.Random, mean: float) -> int:
    """Poisson sample: inversion for small means, a rounded normal for large ones."""
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def arrival_minutes(rng: random.Random, per_hour: Mapping[int, float],
                    opens: int = OPEN_MINUTE, closes: int = LAST_ARRIVAL_MINUTE) -> list[float]:
    """Arrival minutes of one day; an hour partly outside [opens, closes) keeps its full count
    squeezed into the open part (07 means 07:30–08:00 when opening at 07:30)."""
    out: list[float] = []
    for hour, rate in per_hour.items():
        start, end = max(hour * 60, opens), min(hour * 60 + 60, closes)
        if start >= end:
            continue
        out.extend(rng.uniform(start, end) for _ in range(poisson(rng, rate)))
    out.sort()
    return out


def synthetic_day(rng: random.Random, agency_visitors: Mapping[str, float],
                  services: Mapping[str, str], priority_share: float = 0.1,
                  profile: Mapping[int, float] = PEAK_PROFILE) -> list[Arrival]:
    """A day's arrivals: expected visitors per agency spread over the peak profile; each visitor
    picks one of the agency's services uniformly. `services` maps service code -> agency."""
    by_agency: dict[str, list[str]] = {}
    for code, agency in services.items():
        by_agency.setdefault(agency, []).append(code)
    out = []
    for agency, visitors in agency_visitors.items():
        codes = by_agency.get(agency)
        if not codes:
            raise DomainError("invalid", f"Instansi {agency} tidak memiliki layanan.", "services")
        for minute in arrival_minutes(rng, hourly_rates(visitors, profile)):
            out.append(Arrival(minute, agency, rng.choice(codes), rng.random() < priority_share))
    out.sort(key=lambda a: a.minute)
    return out


def demo_history(first_day: date, days: int, agency_visitors: Mapping[str, float], services: Mapping[str, str],
                 tz_name: str = "Asia/Jakarta", seed: int = 1, closed_weekdays: frozenset[int] = frozenset({6}),
                 ) -> list[tuple[str, str, datetime]]:
    """(agency, service, UTC moment) arrivals over `days` days for demo data and forecasts.
    Saturdays get half the visitors; `closed_weekdays` get none (Minggu by default)."""
    rng = random.Random(seed)
    zone = ZoneInfo(tz_name)
    out = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        if day.weekday() in closed_weekdays:
            continue
        factor = 0.5 if day.weekday() == 5 else 1.0
        for a in synthetic_day(rng, {k: v * factor for k, v in agency_visitors.items()}, services):
            local = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=a.minute)
            out.append((a.agency, a.service, local.astimezone(UTC)))
    return out
