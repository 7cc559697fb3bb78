"""A ticket whose answer was lost can be asked for again: the same Idempotency-Key gets the same
ticket, not a second number, on SQLite and on PostgreSQL's single issue statement (event loop
and worker thread), over HTTP, from the kiosk page, at once from several retries, and after the
server was killed."""

from __future__ import annotations

import re
import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select, text

from satupintu.errors import ValidationFailed
from satupintu.queueing import service
from satupintu.queueing.models import Ticket
from satupintu.queueing.policy import Channel, Priority, same_issue, valid_idempotency_key
from tests.conftest import LiveServer, token_for
from tests.procserver import ServerProcess


def _kiosk(db) -> service.Issuer:  # type: ignore[no-untyped-def]
    from satupintu.queueing import lookup

    return service.Issuer(label="kios:uji", site_id=lookup.site(db, "lahat").id)


def _tickets_with(db, key: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket).where(Ticket.idempotency_key == key)))


def _all_tickets(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)))


def test_keys_are_plain_tokens_and_a_retry_must_ask_for_the_same():
    assert valid_idempotency_key(str(uuid.uuid4())) and valid_idempotency_key("kios-1_aksi-0001")
    assert not valid_idempotency_key("short") and not valid_idempotency_key("x" * 65)
    assert not valid_idempotency_key("bad key!") and not valid_idempotency_key("kunci\x00kunci")
    svc = uuid.uuid4()
    assert same_issue(svc, Priority.none, Channel.kiosk, svc, Priority.none, Channel.kiosk)
    assert not same_issue(svc, Priority.none, Channel.kiosk, svc, Priority.elderly, Channel.kiosk)
    assert not same_issue(svc, Priority.none, Channel.kiosk, uuid.uuid4(), Priority.none, Channel.kiosk)


def test_the_same_key_gives_the_same_ticket_and_takes_no_second_number(fresh_demo_db):
    db, key = fresh_demo_db, str(uuid.uuid4())
    first = service.issue_ticket(db, _kiosk(db), "lahat", "DKC-01", idempotency_key=key)
    again = service.issue_ticket(db, _kiosk(db), "lahat", "DKC-01", idempotency_key=key)
    assert (again.id, again.number, again.position) == (first.id, first.number, first.position)
    assert _tickets_with(db, key) == 1
    after = service.issue_ticket(db, _kiosk(db), "lahat", "DKC-01")
    assert int(after.number.split("-")[1]) == int(first.number.split("-")[1]) + 1  # no number was used up
    with pytest.raises(service.IdempotencyKeyReused) as err:
        service.issue_ticket(db, _kiosk(db), "lahat", "DKC-02", idempotency_key=key)
    assert err.value.status == 422 and err.value.code == "idempotency_key_reused"
    with pytest.raises(service.IdempotencyKeyReused):
        service.issue_ticket(db, _kiosk(db), "lahat", "DKC-01", Priority.elderly, idempotency_key=key)
    with pytest.raises(ValidationFailed) as bad:
        service.issue_ticket(db, _kiosk(db), "lahat", "DKC-01", idempotency_key="a b")
    assert bad.value.field == "Idempotency-Key"
    assert _tickets_with(db, key) == 1


def test_a_retry_after_the_ticket_was_called_shows_it_as_it_is_now(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        officer = token_for(c, "petugas.dukcapil")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key}, json={"service": "DKC-01"})
        assert first.status_code == 201
        assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).status_code == 200
        assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["id"] == first.json()["id"]
        again = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key}, json={"service": "DKC-01"})
        assert again.status_code == 201
        assert again.json()["id"] == first.json()["id"] and again.json()["status"] == "called"


def test_over_http_a_retried_issue_gets_the_same_number_and_a_changed_one_is_refused(fresh_server):
    """On PostgreSQL this is the event loop's single statement."""
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key}, json={"service": "DKC-01"})
        again = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key}, json={"service": "DKC-01"})
        assert first.status_code == again.status_code == 201
        assert again.json()["number"] == first.json()["number"] and again.json()["id"] == first.json()["id"]
        other = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
        assert int(other.json()["number"][-3:]) == int(first.json()["number"][-3:]) + 1
        changed = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key},
                         json={"service": "DKC-01", "priority": "elderly"})
        assert changed.status_code == 422
        assert changed.json()["error"]["code"] == "idempotency_key_reused"
        assert changed.json()["error"]["field"] == "Idempotency-Key"
        bad = c.post("/api/v1/sites/lahat/tickets", headers={**kiosk, "Idempotency-Key": "x y"},
                     json={"service": "DKC-01"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "Idempotency-Key"
        assert _tickets_with(fresh_server.app.state.db, key["Idempotency-Key"]) == 1


def test_retries_arriving_together_share_one_ticket(fresh_server):
    """A kiosk on a flaky link may have several attempts in flight. On PostgreSQL they are made to
    meet: the day's sequence row is held locked until all six wait on it, so all six statements
    saw no ticket with the key; the later inserts then fail on the unique index, each statement
    is undone whole and run again, and finds the first one's ticket."""
    db = fresh_server.app.state.db
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-03"}).status_code == 201
    before = _all_tickets(db)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    answers: list[httpx.Response] = []

    def attempt() -> None:
        with fresh_server.client() as client:
            answers.append(client.post("/api/v1/sites/lahat/tickets", headers={**kiosk, **key},
                                       json={"service": "DKC-03"}))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    if db.dialect == "postgresql":
        with db.engine.connect() as holder, db.autocommit() as watcher:
            holder.execute(text("SELECT last FROM ticket_sequences FOR UPDATE"))
            for t in threads:
                t.start()
            deadline = time.monotonic() + 60
            # (Watched from a connection of its own: inside a transaction the view is a snapshot.)
            while watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar() < len(threads):
                assert time.monotonic() < deadline, "the attempts never met at the lock"
                time.sleep(0.05)
            holder.commit()
    else:
        for t in threads:
            t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["number"] for a in answers}) == 1
    assert _tickets_with(db, key["Idempotency-Key"]) == 1
    assert _all_tickets(db) == before + 1


def test_the_kiosk_page_sends_its_key_and_a_repeat_lands_on_the_same_ticket(fresh_server):
    """The page route (a worker thread, on PostgreSQL the same single statement in autocommit)."""
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        token = c.post("/api/v1/sites/lahat/devices", headers=manager, json={"kind": "kiosk", "name": "Kios"}).json()
        page = c.get(f"/kios/lahat?token={token['token']}&instansi=DUKCAPIL&layanan=DKC-01")
        assert 'src="/static/kiosk-take.js"' in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        form = {"csrf": csrf, "service_code": "DKC-01", "priority": "none", "idempotency_key": str(uuid.uuid4())}
        first = c.post("/kios/lahat/ambil", data=form)
        again = c.post("/kios/lahat/ambil", data=form)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        changed = c.post("/kios/lahat/ambil", data={**form, "service_code": "DKC-02"})
        assert changed.status_code == 422


def test_a_retry_after_the_server_was_killed_gets_the_ticket_it_had_committed(fresh_demo_db):
    """Power cut after the commit: the kiosk never heard the answer. A new server process on the
    same database gives the retry the ticket that was issued, and the day's numbering goes on."""
    db = fresh_demo_db
    with LiveServer(db) as live, live.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
    key = {**kiosk, "Idempotency-Key": str(uuid.uuid4())}
    first = ServerProcess(db.url, workers=1).start()
    try:
        issued = httpx.post(first.url + "/api/v1/sites/lahat/tickets", headers=key, json={"service": "DKC-01"},
                            timeout=30)
        assert issued.status_code == 201
    finally:
        first.kill()
    with ServerProcess(db.url, workers=1) as second:
        retried = httpx.post(second.url + "/api/v1/sites/lahat/tickets", headers=key, json={"service": "DKC-01"},
                             timeout=30)
        fresh = httpx.post(second.url + "/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"},
                           timeout=30)
    assert retried.status_code == 201 and retried.json()["id"] == issued.json()["id"]
    assert retried.json()["number"] == issued.json()["number"]
    assert int(fresh.json()["number"][-3:]) == int(issued.json()["number"][-3:]) + 1
    assert _tickets_with(db, key["Idempotency-Key"]) == 1
