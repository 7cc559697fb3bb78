"""The queue's named read queries (planning reads the queue's history through these), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.queueing import service as queue
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def db(fresh_demo_db):
    return fresh_demo_db


def _serve(db, officer, number: int) -> None:
    queue.call_next(db, officer, "lahat", number)
    queue.start_serving(db, officer, "lahat", number)


def test_arrivals_leave_referrals_out_and_served_tickets_come_most_recent_first(db):
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios:lobi", site_id=site.id)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    number = next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL"
                  and {"DKC-01", "DKC-02"} <= set(c.services))
    one, two, dpm = (catalogue.get_service(db, "lahat", code).id for code in ("DKC-01", "DKC-02", "DPM-01"))
    since = utcnow() - timedelta(seconds=1)
    for code in ("DKC-01", "DKC-02", "DKC-01"):
        queue.issue_ticket(db, kiosk, "lahat", code)
    queue.open_counter(db, officer, "lahat", number)
    for _ in range(2):
        _serve(db, officer, number)
        queue.finish(db, officer, "lahat", number)
    _serve(db, officer, number)
    queue.refer(db, officer, "lahat", number, "DPM-01")  # a referral is a new ticket, not a new arrival

    with db.read() as s:
        arrivals = queue.arrivals_since(s, site.id, since)
        served = queue.served_tickets_since(s, site.id, since)
        last = queue.last_arrival_before(s, site.id, utcnow() + timedelta(minutes=1))
        earlier = queue.last_arrival_before(s, site.id, since)
    assert sorted(str(a.service_id) for a in arrivals) == sorted(str(x) for x in (one, two, one))
    assert dpm not in {a.service_id for a in arrivals}
    assert [t.service_id for t in served] == [two, one]  # the referred ticket is not served to the end
    assert all(t.serving_at <= t.finished_at for t in served)
    assert last == max(a.issued_at for a in arrivals)
    assert earlier not in {a.issued_at for a in arrivals}  # strictly before
