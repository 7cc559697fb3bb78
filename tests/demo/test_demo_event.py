"""The demo's mobile event works like a mall: its desks serve what it offers, and officers of the
mall stand at them on its coming days, never at the mall at the same time."""

from __future__ import annotations

from satupintu.catalogue import service as catalogue
from satupintu.scope import SYSTEM
from satupintu.staffing import service as staffing


def test_the_demo_event_has_desks_and_officers_on_its_coming_days(demo_db):
    desks = catalogue.list_counters(demo_db, "plaza-lematang")
    roster = staffing.event_roster(demo_db, SYSTEM, "plaza-lematang")
    assert desks and roster.assignments
    numbers = {d.number: d.agency_code for d in desks}
    for a in roster.assignments:
        assert a.counter in numbers and f"({numbers[a.counter]})" in a.officer  # an officer of the desk's agency
    per_day: dict[object, list[str]] = {}
    for a in roster.assignments:
        per_day.setdefault(a.date, []).append(a.officer)
    assert all(len(names) == len(set(names)) for names in per_day.values())  # nobody at two desks at once
