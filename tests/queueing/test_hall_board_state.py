"""The hall board's state on SQLite and PostgreSQL: every counter carries its floor and
location, a board for one floor sees only that floor's counters and calls (and the waiting
counts of the agencies there), and the manager's running text is stored, checked and pushed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.errors import Forbidden, ValidationFailed
from satupintu.queueing import service as queue
from satupintu.queueing.boardtext import MAX_LENGTH, check_board_text
from satupintu.queueing.models import BoardText
from satupintu.queueing.policy import Channel
from tests.conftest import DEMO_PASSWORD


def user(db, username: str = "pengelola"):  # type: ignore[no-untyped-def]
    return accounts.authenticate(db, username, DEMO_PASSWORD)


def test_a_floor_board_shows_that_floors_counters_calls_and_agencies(fresh_demo_db):
    db = fresh_demo_db
    boss = user(db)
    reception = queue.Issuer(label="resepsionis", site_id=catalogue.get_site(db, "lahat").id, actor=boss)
    for n in (4, 7):
        queue.open_counter(db, boss, "lahat", n)
    for svc in ("DKC-01", "DKC-01", "KES-01", "KES-01", "BPJ-01"):
        queue.issue_ticket(db, reception, "lahat", svc, channel=Channel.reception)
    called_4 = queue.call_next(db, boss, "lahat", 4)
    called_7 = queue.call_next(db, boss, "lahat", 7)
    assert called_4 and called_7

    whole = queue.board_state(db, "lahat")
    by_number = {c.number: c for c in whole.counters}
    assert (by_number[4].floor, by_number[4].location) == ("Lantai 1", "sayap timur")
    assert (by_number[7].floor, by_number[7].location) == ("Lantai 2", "sayap barat")
    assert {(r.number, r.counter, r.agency, r.floor) for r in whole.recent_calls} == {
        (called_4.number, 4, "Disdukcapil", "Lantai 1"), (called_7.number, 7, "Dinkes", "Lantai 2")}
    assert whole.waiting == {"BPJS Kesehatan": 1, "Dinkes": 1, "Disdukcapil": 1}

    upstairs = queue.board_state(db, "lahat", floor="Lantai 2")
    assert upstairs.floor == "Lantai 2"
    assert {c.floor for c in upstairs.counters} == {"Lantai 2"}
    assert {c.number for c in upstairs.counters} == {7, 8, 9, 10, 11, 12, 14}
    assert [r.counter for r in upstairs.recent_calls] == [7]  # counter 4's call is downstairs
    assert upstairs.waiting == {"BPJS Kesehatan": 1, "Dinkes": 1}  # agencies with a counter upstairs

    both = queue.board_state(db, "lahat", ["DINKES"], "Lantai 2")
    assert {c.number for c in both.counters} == {7, 8}
    assert both.waiting == {"Dinkes": 1}
    assert queue.board_state(db, "lahat", floor="Lantai 9").counters == []


def test_the_running_text_is_stored_once_per_site_audited_and_shown_on_every_board(fresh_demo_db):
    db = fresh_demo_db
    boss = user(db)
    assert queue.board_state(db, "lahat").running_text == ""
    view = queue.set_board_text(db, boss, "lahat", "  Loket   Samsat\ttutup pukul 12.00  ")
    assert view.text == "Loket Samsat tutup pukul 12.00" and view.updated_by
    queue.set_board_text(db, boss, "lahat", "Siapkan KTP-el asli.")
    assert queue.board_state(db, "lahat").running_text == "Siapkan KTP-el asli."
    assert queue.board_state(db, "lahat", floor="Lantai 2").running_text == "Siapkan KTP-el asli."
    assert queue.board_text(db, boss, "lahat").text == "Siapkan KTP-el asli."
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(BoardText)) == 1

    with pytest.raises(ValidationFailed) as err:
        queue.set_board_text(db, boss, "lahat", "x" * (MAX_LENGTH + 1))
    assert [(d.field, d.code) for d in err.value.details] == [("text", "invalid")]
    assert "300" in err.value.details[0].message
    with pytest.raises(Forbidden):
        queue.set_board_text(db, user(db, "petugas.dukcapil"), "lahat", "Bukan wewenang petugas")
    assert queue.board_state(db, "lahat").running_text == "Siapkan KTP-el asli."  # nothing half-written
    queue.set_board_text(db, boss, "lahat", "")
    assert queue.board_state(db, "lahat").running_text == ""


@given(st.text(max_size=400))
def test_a_checked_text_is_one_line_and_refused_only_when_too_long_or_with_control_characters(text):
    clean, problem = check_board_text(text)
    assert "\n" not in clean and clean == clean.strip()
    bad = len(clean) > MAX_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in clean)
    assert (problem is not None) == bad


def test_a_board_is_paired_for_a_floor_its_counters_are_on_and_not_for_an_unknown_one(fresh_demo_db):
    db = fresh_demo_db
    boss = user(db)
    assert accounts.devices_page(db, boss, "lahat").floors == ["Lantai 1", "Lantai 2"]
    state, claim = accounts.open_pairing(db, None)
    assert state.code and claim
    pairing = {"code": state.code, "name": "Papan lantai 2", "kind": "board", "site": "lahat"}
    with pytest.raises(ValidationFailed) as err:
        accounts.confirm_pairing(db, boss, "lahat", accounts.PairingIn.model_validate({**pairing, "floor": "Lantai 9"}))
    assert [(d.field, d.code) for d in err.value.details] == [("floor", "invalid")]
    assert "Lantai 1, Lantai 2" in err.value.details[0].message
    upstairs = accounts.PairingIn.model_validate({**pairing, "floor": "Lantai 2"})
    out = accounts.confirm_pairing(db, boss, "lahat", upstairs)
    assert (out.floor, out.agencies) == ("Lantai 2", [])
    token = accounts.pairing_status(db, claim).token
    assert token and accounts.device_from_token(db, token).floor == "Lantai 2"
