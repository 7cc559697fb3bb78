"""Which counter the roster gives a login today (staffing.rostered_counter), on SQLite and
PostgreSQL: what the officer's console lands on after login."""

from __future__ import annotations

from satupintu.accounts import service as accounts
from satupintu.staffing import service as staffing
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
    for a in staffing.list_assignments(db, manager, "lahat", today, 1):  # the day's roster of this officer only
        if a.officer_id == officer.id and a.id is not None:
            staffing.delete_assignment(db, manager, "lahat", a.id)
    assert staffing.rostered_counter(db, user.id, "lahat") is None  # linked, but not rostered today
    staffing.add_assignment(db, manager, "lahat", staffing.AssignmentIn(
        officer_id=officer.id, counter=6, date=today, start="00:00", end="24:00"))
    assert staffing.rostered_counter(db, user.id, "lahat") == 6
    staffing.link_login(db, manager, "lahat", user.id, None)
    assert staffing.rostered_counter(db, user.id, "lahat") is None
