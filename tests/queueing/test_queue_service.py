"""Queue use cases on SQLite and PostgreSQL: what kiosks, officers and citizens see."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.errors import Conflict, DomainError, Forbidden
from satupintu.queueing import service as queue
from satupintu.queueing.models import Ticket, TicketEvent
from satupintu.queueing.policy import Priority, Status
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def db(fresh_demo_db):
    return fresh_demo_db


@pytest.fixture
def kiosk(db):
    site = catalogue.get_site(db, "lahat")
    return queue.Issuer(label="kios:lobi", site_id=site.id)


@pytest.fixture
def officer(db):
    return accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)


def dukcapil_counter(db) -> int:
    return next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL"
                and "DKC-01" in c.services)


def test_numbers_run_per_letter_and_day_and_are_shared_by_an_agencys_services(db, kiosk):
    a = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    b = queue.issue_ticket(db, kiosk, "lahat", "DKC-04")
    c = queue.issue_ticket(db, kiosk, "lahat", "DPM-01")
    assert (a.number, b.number, c.number) == ("A-001", "A-002", "B-001")
    assert b.position == 0 and a.status is Status.waiting and a.service_name.startswith("Perekaman")


def test_an_officer_calls_serves_and_finishes_with_every_step_recorded(db, kiosk, officer):
    n = dukcapil_counter(db)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(Conflict) as err:
        queue.call_next(db, officer, "lahat", n)
    assert err.value.code == "counter_closed"
    queue.open_counter(db, officer, "lahat", n)
    called = queue.call_next(db, officer, "lahat", n)
    assert called.id == t.id and called.status is Status.called and called.counter_number == n
    assert queue.recall(db, officer, "lahat", n).recall_count == 1
    assert queue.start_serving(db, officer, "lahat", n).status is Status.serving
    assert queue.finish(db, officer, "lahat", n).status is Status.done
    assert queue.call_next(db, officer, "lahat", n) is None  # nobody else waits
    kinds = [h["kind"] for h in queue.visit_history(db, officer, t.id)]
    assert kinds == ["issued", "called", "recalled", "serving", "finished"]
    with db.read() as s:
        events = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()
        assert {e.actor_label for e in events} == {"kios:lobi", "petugas.dukcapil"}


def test_illegal_steps_are_refused_with_a_clear_message(db, kiosk, officer):
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    with pytest.raises(Conflict) as err:
        queue.finish(db, officer, "lahat", n)
    assert err.value.code == "no_current_ticket"
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    first = queue.call_next(db, officer, "lahat", n)
    with pytest.raises(DomainError) as err:
        queue.finish(db, officer, "lahat", n)  # called but not yet served
    assert err.value.code == "illegal_transition" and first.number in err.value.message
    with pytest.raises(Conflict) as err:
        queue.call_next(db, officer, "lahat", n)  # one visitor at a time
    assert err.value.code == "counter_busy"
    with pytest.raises(Conflict):
        queue.close_counter(db, officer, "lahat", n, "istirahat")


def test_officers_cannot_work_another_agencys_counter_or_another_sites_ticket(db, kiosk, officer):
    dpm = next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DPMPTSP")
    with pytest.raises(Forbidden):
        queue.open_counter(db, officer, "lahat", dpm)
    other_site_kiosk = queue.Issuer(label="kios:lain", site_id=catalogue.get_site(db, "plaza-lematang").id)
    with pytest.raises(Forbidden):
        queue.issue_ticket(db, other_site_kiosk, "lahat", "DKC-01")
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(DomainError):
        queue.resume(db, officer, "plaza-lematang", t.id)


def test_priority_visitors_go_first_but_regular_ones_are_not_starved(db, kiosk, officer):
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    regular = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    pri = [queue.issue_ticket(db, kiosk, "lahat", "DKC-01", Priority.elderly) for _ in range(4)]
    called = []
    for _ in range(5):
        t = queue.call_next(db, officer, "lahat", n)
        called.append(t.id)
        queue.start_serving(db, officer, "lahat", n)
        queue.finish(db, officer, "lahat", n)
    assert called == [pri[0].id, pri[1].id, pri[2].id, regular.id, pri[3].id]


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


def test_a_referral_keeps_the_visit_and_number_and_joins_the_target_queue(db, kiosk, officer):
    n = dukcapil_counter(db)
    dpm_officer = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    dpm = next(c for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DPMPTSP" and "DPM-01" in c.services)
    queue.open_counter(db, officer, "lahat", n)
    queue.open_counter(db, dpm_officer, "lahat", dpm.number)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    later = queue.issue_ticket(db, kiosk, "lahat", "DPM-01")  # walked in after our visitor
    queue.call_next(db, officer, "lahat", n)
    queue.start_serving(db, officer, "lahat", n)
    moved = queue.refer(db, officer, "lahat", n, "DPM-01", note="Perlu NIB untuk izin")
    assert moved.number == t.number and moved.visit_id == t.visit_id and moved.service_code == "DPM-01"
    assert moved.position == 0  # "front": placed by its original arrival, ahead of the later walk-in
    assert queue.get_ticket(db, t.id).status is Status.referred
    assert queue.call_next(db, dpm_officer, "lahat", dpm.number).id == moved.id
    queue.start_serving(db, dpm_officer, "lahat", dpm.number)
    queue.finish(db, dpm_officer, "lahat", dpm.number)
    history = queue.visit_history(db, dpm_officer, moved.id)
    assert [(h["service"], h["kind"]) for h in history] == [
        ("DKC-01", "issued"), ("DKC-01", "called"), ("DKC-01", "serving"), ("DKC-01", "referred"),
        ("DPM-01", "issued"), ("DPM-01", "called"), ("DPM-01", "serving"), ("DPM-01", "finished")]
    assert queue.call_next(db, dpm_officer, "lahat", dpm.number).id == later.id


def test_hold_frees_the_counter_and_resume_keeps_the_place(db, kiosk, officer):
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    a = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    b = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    queue.call_next(db, officer, "lahat", n)
    assert queue.hold(db, officer, "lahat", n).status is Status.on_hold
    assert queue.resume(db, officer, "lahat", a.id).position == 0  # still ahead of b
    assert queue.call_next(db, officer, "lahat", n).id == a.id
    assert b.id != a.id


def test_waiting_estimate_counts_people_ahead_and_open_counters(db, kiosk, officer):
    tickets = [queue.issue_ticket(db, kiosk, "lahat", "DKC-01") for _ in range(4)]
    assert [t.position for t in tickets] == [0, 1, 2, 3]
    last = queue.get_ticket(db, tickets[-1].id)
    assert last.position == 3 and last.estimated_wait_minutes > 0


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
