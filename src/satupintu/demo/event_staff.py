"""Officers at the demo's mobile service event: each of its desks gets an officer of the desk's
agency for the event's coming working days, as a manager would assign them on the event's
officers page (an officer already at the mall at that time is skipped for the next one)."""

from __future__ import annotations

from datetime import date, timedelta

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import ValidationFailed
from ..scope import SYSTEM
from ..staffing import service as staffing
from ..staffing.schemas import AssignmentIn
from ..timeutil import to_local, utcnow

DAYS_AHEAD = 7
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def staff_demo_event(db: Database, mall: str, event_code: str, today: date | None = None) -> int:
    """Assign officers to the event's counters for its next working days; returns how many."""
    event = catalogue.get_site(db, event_code)
    today = today or to_local(utcnow(), event.timezone).date()
    officers = staffing.list_officers(db, SYSTEM, mall)
    counters = catalogue.list_counters(db, event_code)
    made = 0
    for offset in range(DAYS_AHEAD):
        day = today + timedelta(days=offset)
        hours = event.opening_hours.get(WEEKDAYS[day.weekday()])
        if not hours or (event.starts_on and day < event.starts_on) or (event.ends_on and day > event.ends_on):
            continue
        taken: set[object] = set()
        for counter in counters:
            for officer in (o for o in officers if o.agency == counter.agency_code and o.id not in taken):
                try:
                    staffing.assign_at_event(db, SYSTEM, event_code, AssignmentIn(
                        officer_id=officer.id, counter=counter.number, date=day, start=hours[0], end=hours[1]))
                except ValidationFailed:
                    continue  # busy at the mall then, or not able: the next officer of the agency
                taken.add(officer.id)
                made += 1
                break
    return made
