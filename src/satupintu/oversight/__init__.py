"""Oversight: measures over recorded facts, facilities, the readiness self-assessment, recommendations.

The modules here are pure (no I/O): the service layer queries the tables, builds the fact types of
`facts.py`, and hands them in.

- `distribution.py` – the one percentile method and a mergeable minute histogram of durations.
- `periods.py` – local days, hours, ISO weeks and months in the site's zone; previous periods.
- `facts.py` – what a query over the tables supplies (tickets, counter spans, bookings, surveys,
  complaints, applications, the staffing plan) and how a ticket's facts follow from its events.
- `rollup.py` – mergeable daily (or hourly) rollups of those facts.
- `measures.py` – the figures of a page: from rollups, or exactly from raw facts; grouping,
  the arrivals heatmap, the comparison with the previous period, staffing against the plan.
- `facilities.py` – the sarana prasarana checklist.
- `readiness.py` – the self-assessment instrument ahead of the KemenPANRB evaluation.
- `recommendations.py` – what the data suggests (counters needed where waits pass the threshold).
"""
