"""Calling one chosen waiting number at a counter, with a reason (queueing/counters.call_ticket),
on SQLite and PostgreSQL: the same guarantees as calling the next one."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.audit import AuditEntry
from satupintu.errors import Conflict, ValidationFailed
from satupintu.queueing import policy
from satupintu.queueing import service as queue
from satupintu.queueing.models import TicketEvent
from satupintu.queueing.policy import Priority, Status
from tests.conftest import DEMO_PASSWORD
from tests.queueing.usecases import db, kiosk, officer  # noqa: F401

# Demo Lahat: counter 4 serves DKC-01, DKC-02, DKC-08; counter 6 serves DKC-04, DKC-05, DKC-07.


def test_an_officer_calls_a_chosen_lansia_ahead_of_the_order_and_the_reason_is_kept(db, kiosk, officer):
    """The officer sees A-001 first in line but calls the elderly visitor's number with a
    reason: that number goes to counter 4, the reason is on its 'called' event and in the audit log."""
    queue.open_counter(db, officer, "lahat", 4)
    first = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    chosen = queue.issue_ticket(db, kiosk, "lahat", "DKC-02", Priority.elderly)
    called = queue.call_ticket(db, officer, "lahat", 4, chosen.id, "  Lansia  dengan kursi roda ")
    assert called.id == chosen.id and called.status is Status.called and called.counter_number == 4
    assert queue.get_ticket(db, first.id).status is Status.waiting
    with db.read() as s:
        event = s.scalar(select(TicketEvent).where(TicketEvent.ticket_id == chosen.id, TicketEvent.kind == "called"))
        assert event is not None and event.data == {"chosen": True, "reason": "Lansia dengan kursi roda"}
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.call_chosen",
                                                  AuditEntry.entity_id == chosen.id))
        assert entry is not None and entry.after["reason"] == "Lansia dengan kursi roda"
        assert entry.actor_label == "petugas.dukcapil"


def test_a_reason_is_required(db, kiosk, officer):
    """Without a reason nothing is called: the field error names 'reason'."""
    queue.open_counter(db, officer, "lahat", 4)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    for reason in ("", "  ", "ok"):
        with pytest.raises(ValidationFailed) as err:
            queue.call_ticket(db, officer, "lahat", 4, t.id, reason)
        assert err.value.field == "reason"
    assert queue.get_ticket(db, t.id).status is Status.waiting


def test_a_number_of_a_service_the_counter_does_not_serve_is_refused(db, kiosk, officer):
    """Counter 4 does not serve DKC-04: calling that number there is refused, it keeps waiting."""
    queue.open_counter(db, officer, "lahat", 4)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-04")
    with pytest.raises(Conflict) as err:
        queue.call_ticket(db, officer, "lahat", 4, t.id, "Permintaan warga")
    assert err.value.code == "service_not_served" and t.number in err.value.message
    assert queue.get_ticket(db, t.id).status is Status.waiting


def test_a_busy_or_closed_counter_cannot_call_and_a_called_number_is_not_called_again(db, kiosk, officer):
    """Closed: refused. Busy with a visitor: refused. A number already called (at another
    counter) cannot be called a second time."""
    a = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    b = queue.issue_ticket(db, kiosk, "lahat", "DKC-07")
    with pytest.raises(Conflict) as err:
        queue.call_ticket(db, officer, "lahat", 4, a.id, "Permintaan warga")
    assert err.value.code == "counter_closed"
    queue.open_counter(db, officer, "lahat", 4)
    queue.call_ticket(db, officer, "lahat", 4, a.id, "Permintaan warga")
    c = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(Conflict) as err:
        queue.call_ticket(db, officer, "lahat", 4, c.id, "Permintaan warga")
    assert err.value.code == "counter_busy"
    queue.open_counter(db, officer, "lahat", 6)
    queue.open_counter(db, officer, "lahat", 5)
    queue.call_ticket(db, officer, "lahat", 6, b.id, "Permintaan warga")  # DKC-07: counters 5 and 6
    with pytest.raises(Conflict) as err:
        queue.call_ticket(db, officer, "lahat", 5, b.id, "Permintaan warga")
    assert err.value.code == "ticket_not_waiting"
    with db.read() as s:
        calls = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == b.id, TicketEvent.kind == "called")).all()
        assert len(calls) == 1


def test_another_agencys_officer_cannot_call_a_number_at_a_counter_not_theirs(db, kiosk, officer):
    """An officer of DPMPTSP is refused at Dukcapil's counter 4."""
    queue.open_counter(db, officer, "lahat", 4)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    other = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    with pytest.raises(Exception) as err:
        queue.call_ticket(db, other, "lahat", 4, t.id, "Permintaan warga")
    assert getattr(err.value, "status", None) == 403


def _race(db, officer, ticket_id) -> dict[str, object]:
    """Counter 5 and counter 6 call this number, and counter 5 also calls next, at one moment."""
    barrier = threading.Barrier(3)
    results: dict[str, object] = {}

    def chosen(n: int) -> None:
        barrier.wait()
        try:
            results[f"chosen{n}"] = queue.call_ticket(db, officer, "lahat", n, ticket_id, "Permintaan warga").id
        except Conflict as exc:
            results[f"chosen{n}"] = exc.code

    def following() -> None:
        barrier.wait()
        try:
            got = queue.call_next(db, officer, "lahat", 5)
            results["next5"] = got.id if got is not None else None
        except Conflict as exc:
            results["next5"] = exc.code

    threads = [threading.Thread(target=chosen, args=(5,)), threading.Thread(target=chosen, args=(6,)),
               threading.Thread(target=following)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_two_counters_calling_the_same_number_at_once_call_it_once(db, kiosk, officer):
    """Counters 5 and 6 both serve DKC-07 and both officers press 'Panggil' on the same number
    at the same moment (and counter 5 also presses 'call next'): exactly one call succeeds for
    that number, the other hears it is no longer waiting; repeated many times."""
    queue.open_counter(db, officer, "lahat", 5)
    queue.open_counter(db, officer, "lahat", 6)
    for _ in range(8):
        t = queue.issue_ticket(db, kiosk, "lahat", "DKC-07")
        results = _race(db, officer, t.id)
        won = [k for k, v in results.items() if v == t.id]
        assert len(won) == 1, results
        assert all(v in ("ticket_not_waiting", "counter_busy", None) for k, v in results.items() if k not in won)
        with db.read() as s:
            calls = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id,
                                                        TicketEvent.kind == "called")).all()
            assert len(calls) == 1
        for n in (5, 6):  # free both counters for the next round
            state = queue.counter_status(db, officer, "lahat", n)
            if state.current is not None:
                queue.start_serving(db, officer, "lahat", n)
                queue.finish(db, officer, "lahat", n)


@given(st.sampled_from(list(Status)), st.booleans(), st.booleans(), st.booleans())
def test_a_chosen_call_is_allowed_only_for_a_waiting_ready_ticket_of_today_served_here(status, served, today, ready):
    refusal = policy.chosen_call_refusal(status, served, today, ready)
    assert (refusal is None) == (status is Status.waiting and served and today and ready)
    if not served:
        assert refusal == "service_not_served"


def test_the_api_calls_a_chosen_number_and_answers_refusals_as_machine_readable_errors(fresh_server):
    """POST .../counters/{n}/call-ticket: 200 with the called ticket; without a reason 422 naming
    the field; a number of another counter's service 409 service_not_served; another agency's
    officer 403; a second call of the same number 409 ticket_not_waiting."""
    from tests.conftest import token_for

    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        a = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).json()
        b = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-04"}).json()
        assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).status_code == 200
        url = "/api/v1/sites/lahat/counters/4/call-ticket"
        empty = c.post(url, headers=officer, json={"ticket_id": a["id"], "reason": ""})
        assert empty.status_code == 422 and empty.json()["error"]["field"] == "reason"
        wrong = c.post(url, headers=officer, json={"ticket_id": b["id"], "reason": "Permintaan warga"})
        assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "service_not_served"
        other = token_for(c, "petugas.dpmptsp")
        assert c.post(url, headers=other, json={"ticket_id": a["id"], "reason": "Permintaan warga"}).status_code == 403
        ok = c.post(url, headers=officer, json={"ticket_id": a["id"], "reason": "Permintaan warga"})
        assert ok.status_code == 200 and ok.json()["status"] == "called" and ok.json()["counter_number"] == 4
        again = c.post("/api/v1/sites/lahat/counters/6/call-ticket", headers=officer,
                       json={"ticket_id": a["id"], "reason": "Permintaan warga"})
        assert again.status_code == 409  # counter 6 is closed (and the number is called)
        busy = c.post(url, headers=officer, json={"ticket_id": b["id"], "reason": "Permintaan warga"})
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "counter_busy"
