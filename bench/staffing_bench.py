"""Staffing benchmark: prints figures, asserts nothing.

1. Simulating one busy day: 3,000 visitors, 25 counters, 40 services (target < 2 s), with the
   measured-duration sampling and the priority rule.
2. Solving a week roster (6 days) for 25 counters and 60 officers with CP-SAT on 2 workers
   (target < 30 s), and the roster checker's result on it.

Run: `.venv/bin/python bench/staffing_bench.py [--visitors 3000] [--time-limit 25]`
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from satupintu.staffing.arrivals import synthetic_day  # noqa: E402
from satupintu.staffing.roster import check_roster, summarize  # noqa: E402
from satupintu.staffing.samples import sample_problem, sample_site  # noqa: E402
from satupintu.staffing.simulation import ServiceTimes, run_day, summarize_runs, visitors_from_arrivals  # noqa: E402
from satupintu.staffing.solver import solve_roster  # noqa: E402


def bench_simulation(visitors: int) -> None:
    site = sample_site()
    rng = random.Random(11)
    # "Measured" durations: 60 observations per service, right-skewed around 5–12 minutes.
    services = [ServiceTimes(code, agency, tuple(round(rng.lognormvariate(1.9, 0.45), 1) for _ in range(60)))
                for code, agency in site.services.items()]
    per_agency = Counter(c.agency for c in site.counters)
    volume = {a: visitors * n / len(site.counters) for a, n in per_agency.items()}
    plan = {a: {8: n, 12: max(1, n - 1), 13: n} for a, n in per_agency.items()}
    began = time.perf_counter()
    arrivals = synthetic_day(rng, volume, site.services)
    people = visitors_from_arrivals(rng, arrivals, services)
    generated = time.perf_counter()
    outcome = run_day(people, plan)
    simulated = time.perf_counter()
    result = summarize_runs([outcome], target_wait=15)
    done = time.perf_counter()
    waits = [w for _, w, _ in outcome if w is not None]
    print(f"[simulation] one day, {len(people)} visitors, {len(site.counters)} counters, "
          f"{len(site.services)} services: {done - began:.3f} s total "
          f"(arrivals {generated - began:.3f} s, simpy {simulated - generated:.3f} s, "
          f"summary {done - simulated:.3f} s); mean wait {sum(waits) / len(waits):.1f} min, "
          f"{len(result.hours)} agency-hours")


def bench_roster(time_limit: float) -> None:
    problem = sample_problem()
    began = time.perf_counter()
    result = solve_roster(problem, time_limit_s=time_limit, workers=2)
    solved = time.perf_counter()
    findings = check_roster(result.assignments, problem.counters, problem.officers, problem.openings,
                            problem.rules)
    checked = time.perf_counter()
    days = summarize(result.assignments)
    week = Counter()
    for d in days:
        week[d.officer_id] += d.work_minutes
    open_hours = sum(o.end - o.start for o in problem.openings) / 60
    print(f"[roster] week of {len(problem.days)} days, {len(problem.counters)} counters, "
          f"{len(problem.officers)} officers, {open_hours:.0f} counter-hours to staff: {result.status} "
          f"in {solved - began:.1f} s (limit {time_limit:.0f} s, 2 workers), objective {result.objective}")
    print(f"[roster] {len(result.assignments)} assignments, {len(days)} officer-days, weekly hours per officer "
          f"min {min(week.values()) / 60:.1f} / max {max(week.values()) / 60:.1f}" if week else "[roster] empty")
    print(f"[roster] checker: {len(findings)} findings in {(checked - solved) * 1000:.0f} ms"
          + "".join(f"\n  {f.message}" for f in findings[:10]))
    for r in result.reasons:
        print(f"  reason: {r.message}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=3000)
    parser.add_argument("--time-limit", type=float, default=25.0)
    args = parser.parse_args()
    bench_simulation(args.visitors)
    bench_roster(args.time_limit)


if __name__ == "__main__":
    main()
