"""Ticket numbers as the visitor reads them, on both backends (PostgreSQL numbers tickets
inside one SQL statement, so its formatting is checked against policy.format_number)."""

from __future__ import annotations

from sqlalchemy import select, update

from satupintu.catalogue import service as catalogue
from satupintu.queueing import policy
from satupintu.queueing import service as queue
from satupintu.queueing.models import Ticket, TicketEvent, TicketSequence, Visit


def test_numbers_past_999_keep_every_digit_and_each_ticket_has_its_visit_and_issued_event(fresh_demo_db):
    db = fresh_demo_db
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios:lobi", site_id=site.id)
    first = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    assert first.number == "A-001" and first.position == 0
    with db.write() as s:
        s.execute(update(TicketSequence).where(TicketSequence.site_id == site.id, TicketSequence.prefix == "A")
                  .values(last=997))
    numbers = [queue.issue_ticket(db, kiosk, "lahat", "DKC-01").number for _ in range(4)]
    assert numbers == [policy.format_number("A", n) for n in (998, 999, 1000, 1001)]
    assert numbers[-1] == "A-1001"
    with db.read() as s:
        t = s.scalar(select(Ticket).where(Ticket.number == "A-1001"))
        assert t.seq == 1001 and t.status.value == "waiting" and t.ready_at == t.issued_at
        assert s.get(Visit, t.visit_id) is not None
        event = s.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id))
        assert (event.kind, event.actor_label, event.data) == ("issued", "kios:lobi",
                                                             {"channel": "kiosk", "priority": "none"})


def test_a_priority_ticket_is_counted_ahead_of_regular_visitors(fresh_demo_db):
    db = fresh_demo_db
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios", site_id=site.id)
    regular = [queue.issue_ticket(db, kiosk, "lahat", "DKC-01") for _ in range(3)]
    assert [t.position for t in regular] == [0, 1, 2]
    elder = queue.issue_ticket(db, kiosk, "lahat", "DKC-01", priority=policy.Priority.elderly)
    assert elder.position == 0 and elder.priority is not policy.Priority.none
    assert queue.get_ticket(db, regular[0].id).position == 1  # the priority visitor goes first
