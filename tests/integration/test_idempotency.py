"""Idempotency-Key on the API's POSTs, over a real HTTP server on SQLite and PostgreSQL: a desk
that retries "file a complaint" after a lost answer gets the same complaint, never a second one."""

from __future__ import annotations

import concurrent.futures
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from satupintu.integration import idempotency as rules
from satupintu.integration import idempotency_service as records
from satupintu.timeutil import utcnow
from tests.conftest import token_for


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_two_requests_are_the_same_only_with_the_same_body(a, b):
    assert (rules.fingerprint("POST", "/x", "", a) == rules.fingerprint("POST", "/x", "", b)) == (a == b)


def test_the_decision_follows_what_is_kept():
    fp = rules.fingerprint("POST", "/x", "", b"{}")
    assert rules.decide(None, fp) is rules.Decision.run
    assert rules.decide(rules.Kept(fp, None), fp) is rules.Decision.in_progress
    assert rules.decide(rules.Kept(fp, 201), fp) is rules.Decision.replay
    assert rules.decide(rules.Kept("other", 201), fp) is rules.Decision.mismatch
    assert not rules.valid_key("") and not rules.valid_key("a b") and not rules.valid_key("x" * 256)
    assert rules.valid_key("3f2a-retry-1")
    assert not rules.keep_answer(503, 10) and rules.keep_answer(409, 10)


COMPLAINT = {"title": "Antrean lama", "body": "Menunggu lebih dari satu jam di loket 4.", "reporter_name": "Rina"}


def _complain(c, headers, key, **changes):  # type: ignore[no-untyped-def]
    return c.post("/api/v1/sites/lahat/complaints", headers={**headers, "Idempotency-Key": key},
                  json={**COMPLAINT, **changes})


def test_a_retried_complaint_is_the_same_complaint(server):
    with server.client() as c:
        staff = token_for(c, "pengelola")
        first = _complain(c, staff, "desk-7-0001")
        assert first.status_code == 201, first.text
        again = _complain(c, staff, "desk-7-0001")
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        other = _complain(c, staff, "desk-7-0001", title="Lain")  # same key, another request
        assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
        assert other.json()["error"]["field"] == "Idempotency-Key"
        bad = c.post("/api/v1/sites/lahat/complaints", headers={**staff, "Idempotency-Key": "with space"},
                     json=COMPLAINT)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_idempotency_key"
        fresh = _complain(c, staff, "desk-7-0002")
        assert fresh.json()["tracking_code"] != first.json()["tracking_code"]  # a new key, a new complaint
        # Another caller with the same key has its own answer.
        mine = _complain(c, staff, "same-key")
        theirs = _complain(c, token_for(c, "petugas.dukcapil"), "same-key")
        assert mine.status_code == theirs.status_code == 201, theirs.text
        assert mine.json()["tracking_code"] != theirs.json()["tracking_code"]


def test_issuing_a_ticket_keeps_its_own_idempotency(server):
    """The ticket route reads the header itself (its key is stored on the ticket): a retry gets
    the same ticket as the queue sees it now, not a kept copy of the first answer."""
    with server.client() as c:
        staff = token_for(c, "pengelola")
        headers = {**staff, "Idempotency-Key": "kiosk-7-0001"}
        first = c.post("/api/v1/sites/lahat/tickets", headers=headers, json={"service": "DKC-01"})
        again = c.post("/api/v1/sites/lahat/tickets", headers=headers, json={"service": "DKC-01"})
        assert first.status_code == again.status_code == 201, again.text
        assert again.json()["id"] == first.json()["id"] and "idempotent-replayed" not in again.headers


def test_racing_retries_file_one_complaint(server):
    with server.client() as c:
        staff = token_for(c, "pengelola")

    def send(_: int) -> tuple[int, str]:
        with server.client() as c:
            r = _complain(c, staff, "race-key-1")
            return r.status_code, r.json().get("tracking_code") or r.json()["error"]["code"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    codes = {code for status, code in answers if status == 201}
    assert len(codes) == 1  # one complaint, however many retries raced
    assert all(status in (201, 409) for status, _ in answers)


def test_a_refusal_is_kept_too_and_old_records_are_forgotten(server):
    db = server.app.state.db
    with server.client() as c:
        staff = token_for(c, "pengelola")
        refused = _complain(c, staff, "no-title", title="")
        assert refused.status_code in (400, 422), refused.text
        assert _complain(c, staff, "no-title", title="").headers.get("idempotent-replayed") == "true"
    before = records.kept_count(db)
    assert records.forget_expired(db, utcnow() + rules.RETENTION + timedelta(minutes=1)) == before
    assert records.kept_count(db) == 0
