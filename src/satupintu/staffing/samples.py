"""A realistic sample site for tests, benchmarks and demo data: agencies, counters, officers.

25 counters of 11 agencies, 40 services, 60 officers; opening 08:00–15:00 Senin–Jumat (Friday
prayer 11:30–13:00) and 08:00–12:00 Sabtu, with fewer counters open in the afternoon.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from .roster import BreakRules, Counter, HourPlan, Officer, Opening, openings_from_plan
from .solver import RosterProblem

# agency -> (counters, services)
AGENCIES: dict[str, tuple[int, int]] = {
    "DUKCAPIL": (5, 6), "SAMSAT": (3, 4), "POLRES": (3, 3), "BPJSKES": (2, 3), "BPJSTK": (2, 3),
    "DPMPTSP": (3, 6), "BPN": (2, 4), "KPP": (2, 4), "PDAM": (1, 2), "KEMENAG": (1, 3), "BANK": (1, 2),
}


@dataclass(frozen=True)
class SampleSite:
    counters: tuple[Counter, ...]
    officers: tuple[Officer, ...]
    services: dict[str, str]  # service code -> agency


def service_codes(agency: str, count: int) -> list[str]:
    return [f"{agency}-{i + 1:02d}" for i in range(count)]


def sample_site(officers: int = 60, seed: int = 7, scale: int = 1) -> SampleSite:
    """The sample site; `scale` multiplies counters (and officers) for bigger benchmarks."""
    rng = random.Random(seed)
    counters: list[Counter] = []
    services: dict[str, str] = {}
    number = 1
    for agency, (n_counters, n_services) in AGENCIES.items():
        codes = service_codes(agency, n_services)
        services.update({code: agency for code in codes})
        for i in range(n_counters * scale):
            # Each counter offers a rotating part of the agency's services.
            size = max(1, math.ceil(n_services / 2))
            offered = frozenset(codes[(i + k) % n_services] for k in range(size))
            counters.append(Counter(f"L{number:02d}", f"Loket {number}", agency, offered))
            number += 1
    total_counters = len(counters)
    people: list[Officer] = []
    names = ["Budi", "Sari", "Agus", "Dewi", "Rudi", "Wati", "Joko", "Rina", "Hadi", "Lina", "Eko", "Tuti"]
    remaining = officers
    agencies = list(AGENCIES)
    for idx, agency in enumerate(agencies):
        n_counters = AGENCIES[agency][0] * scale
        share = remaining if idx == len(agencies) - 1 else round(officers * n_counters / total_counters)
        share = min(share, remaining - (len(agencies) - idx - 1))
        remaining -= share
        codes = service_codes(agency, AGENCIES[agency][1])
        for j in range(share):
            allowed = set(codes)
            if j % 4 == 3 and len(codes) > 2:  # a few officers are not yet trained for one service
                allowed.discard(codes[-1])
            male = j % 2 == 1 or rng.random() < 0.2
            people.append(Officer(
                id=f"P{len(people) + 1:03d}", name=f"{names[len(people) % len(names)]} {len(people) + 1}",
                agency=agency, services=frozenset(allowed), max_minutes_per_day=480,
                max_minutes_per_week=2400, friday_prayer=male))
    return SampleSite(tuple(counters), tuple(people), services)


def week_days(monday: date, days: int = 6) -> tuple[date, ...]:
    return tuple(monday + timedelta(days=i) for i in range(days))


def sample_plans(site: SampleSite, days: tuple[date, ...]) -> list[HourPlan]:
    """Counters to keep open per agency and hour: all in the morning, fewer in the afternoon."""
    plans: list[HourPlan] = []
    for day in days:
        wd = day.weekday()
        for agency in AGENCIES:
            n = sum(1 for c in site.counters if c.agency == agency)
            if wd == 5:
                hours = {h: max(1, math.ceil(n / 2)) for h in range(8, 12)}
            else:
                hours = {h: n for h in range(8, 12)}
                hours[12] = max(1, n - 1)
                hours.update({h: max(1, math.ceil(n / 2)) for h in (13, 14)})
                if wd == 4:
                    hours[11] = hours[12] = max(1, math.ceil(n / 2))
            plans.extend(HourPlan(agency, day, h, k) for h, k in hours.items())
    return plans


def sample_openings(site: SampleSite, days: tuple[date, ...]) -> list[Opening]:
    return openings_from_plan(sample_plans(site, days), site.counters)


def sample_problem(monday: date = date(2026, 1, 12), counters_scale: int = 1, officers: int = 60,
                   days: int = 6, slot_minutes: int = 30, seed: int = 7) -> RosterProblem:
    site = sample_site(officers=officers, seed=seed, scale=counters_scale)
    ds = week_days(monday, days)
    return RosterProblem(ds, site.counters, site.officers, tuple(sample_openings(site, ds)),
                         BreakRules(), slot_minutes)
