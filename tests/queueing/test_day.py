"""The end of a site's day (queueing/day.py), on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.errors import Forbidden
from satupintu.queueing import service as queue
from satupintu.queueing.models import Ticket
from satupintu.queueing.policy import Status
from tests.conftest import DEMO_PASSWORD
from tests.queueing.usecases import db, dukcapil_counter, kiosk, officer  # noqa: F401


def test_end_of_day_closes_unserved_tickets_with_a_reason_and_keeps_them(db, kiosk, officer):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    t1 = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    queue.call_next(db, officer, "lahat", n)
    result = queue.close_day(db, manager, "lahat", t1.issued_at.date() + timedelta(days=1), "Jam layanan berakhir")
    assert result.closed_tickets == 2 and result.closed_counters == 1
    assert queue.get_ticket(db, t1.id).status is Status.closed
    with db.read() as s:
        assert {t.closed_reason for t in s.scalars(select(Ticket))} == {"Jam layanan berakhir"}
    with pytest.raises(Forbidden):
        queue.close_day(db, officer, "lahat", t1.issued_at.date(), "x")
