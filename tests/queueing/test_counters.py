"""Counter steps: call, serve, finish, hold, refer, and who may work a counter (queueing/counters.py),
on SQLite and PostgreSQL."""


import pytest
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.errors import Conflict, DomainError, Forbidden
from satupintu.queueing import service as queue
from satupintu.queueing.models import TicketEvent
from satupintu.queueing.policy import Priority, Status
from tests.conftest import DEMO_PASSWORD
from tests.queueing.usecases import db, dukcapil_counter, kiosk, officer  # noqa: F401


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


def test_a_retired_counter_cannot_be_opened_until_the_manager_brings_it_back(db, officer):
    """The officer's console answers 'Loket N tidak dipakai lagi' for a counter the manager
    retired on the counters page; set back to open, it opens as before."""
    from satupintu.catalogue.schemas import CounterIn
    from satupintu.scope import SYSTEM

    counter = next(c for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL")
    fields = {"number": counter.number, "name": counter.name, "agency": "DUKCAPIL", "services": counter.services}
    catalogue.update_counter(db, SYSTEM, "lahat", counter.number, CounterIn(**fields, status="retired"))
    with pytest.raises(Conflict) as refused:
        queue.open_counter(db, officer, "lahat", counter.number)
    assert refused.value.code == "counter_retired" and f"Loket {counter.number}" in refused.value.message
    catalogue.update_counter(db, SYSTEM, "lahat", counter.number, CounterIn(**fields, status="open"))
    assert queue.open_counter(db, officer, "lahat", counter.number).is_open
