""""Loket tidak boleh kosong": closing the last open counter of a service with people waiting
is refused unless a covering counter is open or a supervisor confirms; opening and closing
record attendance (queueing/counters.py, closeguard.py), on SQLite and PostgreSQL."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.audit import AuditEntry
from satupintu.errors import Forbidden, Unauthenticated, ValidationFailed
from satupintu.queueing import closeguard
from satupintu.queueing import service as queue
from satupintu.queueing.closeguard import LastOpenCounter
from satupintu.queueing.models import CounterAttendance, CounterState
from tests.conftest import DEMO_PASSWORD
from tests.queueing.usecases import db, kiosk, officer  # noqa: F401

# The demo's Dukcapil counters: 4 alone serves DKC-01; 5 and 6 both serve DKC-07.



def test_the_last_open_counter_with_people_waiting_is_refused_with_what_waits(db, kiosk, officer):
    """The officer sees: Loket 4 is the last one open for the waiting visitor's service; it stays open."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(LastOpenCounter) as err:
        queue.close_counter(db, officer, "lahat", 4, "istirahat")
    body = err.value.as_dict()["error"]
    assert err.value.status == 409 and body["code"] == "last_open_counter"
    assert [(x["code"], x["waiting"]) for x in body["services"]] == [("DKC-01", 1)]
    assert body["covering_counters"] == []  # no other counter serves DKC-01
    assert queue.counter_status(db, officer, "lahat", 4).is_open


def test_a_covering_counter_opened_first_lets_the_close_through(db, kiosk, officer):
    """Loket 5 is refused while it alone serves DKC-07 (the refusal names Loket 6); once 6 is open it closes."""
    queue.open_counter(db, officer, "lahat", 5)
    queue.issue_ticket(db, kiosk, "lahat", "DKC-07")
    with pytest.raises(LastOpenCounter) as err:
        queue.close_counter(db, officer, "lahat", 5, "istirahat")
    assert err.value.covering == [6]
    queue.open_counter(db, officer, "lahat", 6)
    assert not queue.close_counter(db, officer, "lahat", 5, "istirahat").is_open


def test_a_supervisor_confirmation_with_a_reason_closes_and_is_recorded(db, kiosk, officer):
    """The supervisor signs on the officer's screen: the counter closes, attendance and audit name them."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(LastOpenCounter):  # a reason alone is not a supervisor's confirmation
        queue.close_counter(db, officer, "lahat", 4, "istirahat", confirm_reason="sebentar")
    boss = accounts.authenticate(db, "admin.dukcapil", DEMO_PASSWORD)
    closed = queue.close_counter(db, officer, "lahat", 4, "gangguan: printer", supervisor=boss,
                                 confirm_reason="Loket 5 dibuka 10 menit lagi")
    assert not closed.is_open
    with db.read() as s:
        row = s.scalars(select(CounterAttendance)).one()
        assert (row.officer_label, row.closed_reason, row.confirmed_by, row.confirm_reason) == (
            "petugas.dukcapil", "gangguan: printer", "admin.dukcapil", "Loket 5 dibuka 10 menit lagi")
        assert row.user_id == officer.user_id and row.closed_at is not None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "counter.close")).one()
        assert entry.after["confirmed_by"] == "admin.dukcapil"
        state = s.scalars(select(CounterState).where(CounterState.counter_id == row.counter_id)).one()
        assert state.closed_reason == "gangguan: printer" and state.closed_at == row.closed_at


def test_a_manager_closes_from_the_overview_with_a_reason(db, kiosk, officer):
    """The site manager confirms themself (no second login): the close goes through."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    assert not queue.close_counter(db, manager, "lahat", 4, "selesai shift", confirm_reason="tutup lebih awal").is_open


def test_a_wrong_supervisor_password_or_a_non_supervisor_is_refused(db, kiosk, officer):
    """A wrong password never reaches the close; an officer is no supervisor: the counter stays open."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(db, "admin.dukcapil", "salah-sekali")
    other = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        queue.close_counter(db, officer, "lahat", 4, "istirahat", supervisor=other, confirm_reason="boleh")
    assert queue.counter_status(db, officer, "lahat", 4).is_open


def test_nobody_waiting_closes_freely_and_attendance_is_recorded(db, kiosk, officer):
    """Open then close with nobody waiting: one attendance stretch with who, when, and the reason."""
    queue.open_counter(db, officer, "lahat", 4)
    queue.close_counter(db, officer, "lahat", 4, "istirahat")
    queue.open_counter(db, officer, "lahat", 4)
    with db.read() as s:
        rows = s.scalars(select(CounterAttendance).order_by(CounterAttendance.opened_at)).all()
        assert [(r.user_id, r.closed_reason, r.closed_at is None) for r in rows] == [
            (officer.user_id, "istirahat", False), (officer.user_id, "", True)]
        assert rows[0].opened_at <= rows[0].closed_at <= rows[1].opened_at
    with pytest.raises(ValidationFailed):
        queue.close_counter(db, officer, "lahat", 4, "  ")


ids = st.sampled_from([uuid.UUID(int=i) for i in range(1, 6)])


@given(services=st.dictionaries(ids, st.frozensets(ids, max_size=3), min_size=1),
       open_ids=st.frozensets(ids), waiting=st.dictionaries(ids, st.integers(0, 5)), closing=ids)
def test_uncovered_services_are_exactly_those_only_this_counter_serves_with_someone_waiting(
        services, open_ids, waiting, closing):
    left = closeguard.uncovered_services(closing, services, open_ids, waiting)
    for sid in services.get(closing, frozenset()):
        covered = any(sid in services.get(c, frozenset()) for c in open_ids if c != closing)
        assert (sid in {u.service_id for u in left}) == (waiting.get(sid, 0) > 0 and not covered)
    covering = closeguard.covering_counters(left, services, open_ids, closing)
    assert all(c not in open_ids and c != closing for c in covering)
    # after opening every covering counter, what stays uncovered is served by no other counter at all
    remaining = closeguard.uncovered_services(closing, services, open_ids | set(covering), waiting)
    assert all(u.service_id not in sids for u in remaining for c, sids in services.items() if c != closing)
