"""Staffing: officers, shifts, roster checks and the roster solver, capacity planning.

Pure modules, no I/O:
- `roster`: officers, counters, openings, assignments and the roster checker.
- `solver`: roster generation with OR-Tools CP-SAT, with named reasons when impossible.
- `erlang`: Erlang B/C formulas and the counters needed for a service level.
- `forecast`: arrivals per agency, weekday and hour from recorded arrivals.
- `arrivals`: synthetic arrivals with the MPP early-morning peak (benchmarks, demo data).
- `simulation`: a discrete-event simulation (simpy) of one day at a site.
- `capacity`: counters recommended per agency and hour, checked by simulation.

Use cases (each owns its transaction), behind `service`, the one module routes and other
packages import: `officers`, `rostering`, `generation`, `planning`, `demand`, with `inputs`
(rows into the pure roster types), `common` (what they share) and `schemas` (the shapes).
"""
