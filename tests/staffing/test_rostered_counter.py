"""Which counter the roster gives a login today (staffing.rostered_counter), on SQLite and
PostgreSQL: what the officer's console lands on after login."""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from satupintu.accounts import service as accounts
from satupintu.catalogue import queries as catalogue_queries
from satupintu.catalogue import service as catalogue
from satupintu.staffing import service as staffing
from satupintu.staffing.models import StaffAssignment
from tests.conftest import DEMO_PASSWORD


def test_a_linked_login_gets_its_officers_counter_today_and_an_unlinked_one_none(bare_demo_db):
    db = bare_demo_db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    user = next(u for u in accounts.list_users(db, manager, "lahat") if u.username == "petugas.dukcapil")
    staffing.link_login(db, manager, "lahat", user.id, None)  # the demo links it to its agency's first officer
    assert staffing.rostered_counter(db, user.id, "lahat") is None  # no officer linked
    today = staffing.site_today(db, "lahat")
    officer = next(o for o in staffing.list_officers(db, manager, "lahat") if o.agency == "DUKCAPIL")
    staffing.link_login(db, manager, "lahat", user.id, officer.id)
    with db.write() as s:  # the officer's day cleared, at the mall and at its mobile events
        s.execute(delete(StaffAssignment).where(StaffAssignment.officer_id == officer.id,
                                                StaffAssignment.on_date == today))
    assert staffing.rostered_counter(db, user.id, "lahat") is None  # linked, but not rostered today
    staffing.add_assignment(db, manager, "lahat", staffing.AssignmentIn(
        officer_id=officer.id, counter=6, date=today, start="00:00", end="24:00"))
    assert staffing.rostered_counter(db, user.id, "lahat") == 6
    staffing.link_login(db, manager, "lahat", user.id, None)
    assert staffing.rostered_counter(db, user.id, "lahat") is None


def test_a_day_at_a_mobile_event_gives_the_events_counter_there_and_none_at_the_mall(bare_demo_db):
    """An officer the mall lends to its mobile event today lands on the event's counter when
    signing in at the event, and on no counter of the mall (whose counter 2 is someone else's)."""
    db = bare_demo_db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    user = next(u for u in accounts.list_users(db, manager, "lahat") if u.username == "petugas.dukcapil")
    officer = next(o for o in staffing.list_officers(db, manager, "lahat") if o.agency == "DUKCAPIL")
    staffing.link_login(db, manager, "lahat", user.id, None)  # the demo links it to another officer
    staffing.link_login(db, manager, "lahat", user.id, officer.id)
    today = staffing.site_today(db, "lahat")
    with db.write() as s:  # clear the officer's day everywhere, then lend them to the event
        s.execute(delete(StaffAssignment).where(StaffAssignment.officer_id == officer.id,
                                                StaffAssignment.on_date == today))
    event_counter = next(c for c in catalogue.list_counters(db, "plaza-lematang"))
    with db.write() as s:
        event = catalogue_queries.site_by_code(s, "plaza-lematang")
        assert event is not None
        s.add(StaffAssignment(id=uuid.uuid4(), site_id=event.id, officer_id=officer.id,
                              counter_id=event_counter.id, on_date=today, start_minute=0, end_minute=1440))
    assert staffing.rostered_counter(db, user.id, "plaza-lematang") == event_counter.number
    assert staffing.rostered_counter(db, user.id, "lahat") is None
