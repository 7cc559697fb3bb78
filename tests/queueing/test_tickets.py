"""Issuing tickets and the steps on a ticket away from a counter (queueing/tickets.py), on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from satupintu.errors import Conflict
from satupintu.queueing import service as queue
from satupintu.queueing.models import Ticket
from satupintu.queueing.policy import Status
from tests.queueing.usecases import db, dukcapil_counter, kiosk, officer  # noqa: F401


def test_numbers_run_per_letter_and_day_and_are_shared_by_an_agencys_services(db, kiosk):
    a = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    b = queue.issue_ticket(db, kiosk, "lahat", "DKC-04")
    c = queue.issue_ticket(db, kiosk, "lahat", "DPM-01")
    assert (a.number, b.number, c.number) == ("A-001", "A-002", "B-001")
    assert b.position == 0 and a.status is Status.waiting and a.service_name.startswith("Perekaman")


def test_no_show_can_rejoin_within_the_grace_window_at_the_back(db, kiosk, officer):
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    a = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    b = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    queue.call_next(db, officer, "lahat", n)
    assert queue.mark_no_show(db, officer, "lahat", n).status is Status.no_show
    back = queue.requeue(db, officer, "lahat", a.id)
    assert back.status is Status.waiting and back.position == 1  # behind b
    assert queue.call_next(db, officer, "lahat", n).id == b.id
    with db.write() as s:  # an hour later the window has passed
        t = s.get(Ticket, a.id)
        t.status, t.called_at = Status.no_show, t.called_at - timedelta(hours=1) if t.called_at else t.issued_at
    with pytest.raises(Conflict) as err:
        queue.requeue(db, officer, "lahat", a.id)
    assert err.value.code == "grace_expired"
