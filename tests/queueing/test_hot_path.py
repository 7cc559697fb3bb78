"""The queue's hot operations: one statement each on PostgreSQL, run in the event loop.

What an officer or a kiosk sees must not depend on which path served them: the counter
steps move a ticket exactly as the calling policy says on both backends, the event-loop
path (PostgreSQL) answers exactly as the worker-thread path does, and a fact missing from
the cache sends the work to a thread instead of reading the database inside the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from satupintu.accounts import service as accounts
from satupintu.cache import CacheMiss, cache_of, cache_only, require_io, without_thread
from satupintu.catalogue import service as catalogue
from satupintu.catalogue.schemas import CounterIn
from satupintu.errors import Conflict
from satupintu.queueing import lookup, pgstatements, policy, service
from satupintu.queueing.models import CounterState, Ticket, TicketEvent
from satupintu.queueing.policy import Action, Priority, Status
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for

STEPS = [Action.recall, Action.no_show, Action.start, Action.finish, Action.hold]
STEP_FUNCTIONS = {Action.recall: service.recall, Action.no_show: service.mark_no_show,
                  Action.start: service.start_serving, Action.finish: service.finish, Action.hold: service.hold}



_CLEARED = itertools.count(1)


def clear_site(db, manager) -> None:
    """Every ticket and counter of the site closed, for the next example: a day is closed only
    once (its row in queue_day_closes), so each reset closes a later day (which closes every
    earlier one's tickets too)."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # Lahat's day, not the server's UTC one
    service.close_day(db, manager, "lahat", today + timedelta(days=next(_CLEARED)), "uji")


def test_the_step_statement_carries_exactly_the_policy_moves():
    for action in STEPS:
        moves = pgstatements.step_moves(action)
        assert moves, action
        for frm, to, frees in moves:
            assert policy.transition(frm, action) is to
            assert frees is (to not in policy.ACTIVE_AT_COUNTER)
        allowed = {m[0] for m in moves}
        for status in Status:
            assert (status in allowed) is ((status, action) in policy.TRANSITIONS)


def _ticket_at_counter(db, officer, status: Status):
    """A ticket called to counter 4, then forced into `status` (as a crash or an old
    screen might leave it), with the counter still pointing at it."""
    kiosk = service.Issuer(label="uji", site_id=lookup.site(db, "lahat").id)
    service.open_counter(db, officer, "lahat", 4)
    issued = service.issue_ticket(db, kiosk, "lahat", "DKC-01")
    called = service.call_next(db, officer, "lahat", 4)
    assert called is not None and called.id == issued.id
    with db.write() as s:
        s.execute(update(Ticket).where(Ticket.id == called.id).values(status=status))
    return called.id


@pytest.mark.parametrize("action", STEPS, ids=lambda a: a.value)
def test_every_counter_step_from_every_status_does_what_the_policy_says(fresh_demo_db, action):
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    counter_id = lookup.counter(db, lookup.site(db, "lahat"), 4).id
    for status in Status:
        ticket_id = _ticket_at_counter(db, officer, status)
        with db.read() as s:
            events_before = s.scalar(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id)
                                     .order_by(TicketEvent.at.desc(), TicketEvent.id.desc()).limit(1))
        if (status, action) in policy.TRANSITIONS:
            view = STEP_FUNCTIONS[action](db, officer, "lahat", 4, ticket_id)
            expected = policy.transition(status, action)
            assert view.status is expected and view.number
            with db.read() as s:
                assert s.get(Ticket, ticket_id).status is expected
                holder = s.get(CounterState, counter_id).current_ticket_id
                last = s.execute(select(TicketEvent.status, TicketEvent.actor_label)
                                 .where(TicketEvent.ticket_id == ticket_id)
                                 .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())).first()
            assert (holder is None) is (expected not in policy.ACTIVE_AT_COUNTER)
            assert tuple(last) == (expected.value, officer.label)
        else:
            with pytest.raises(Conflict) as refused:
                STEP_FUNCTIONS[action](db, officer, "lahat", 4, ticket_id)
            assert refused.value.code == "illegal_transition"
            with db.read() as s:
                assert s.get(Ticket, ticket_id).status is status  # nothing changed, no event written
                assert s.get(CounterState, counter_id).current_ticket_id == ticket_id
                assert s.scalar(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.at.desc(), TicketEvent.id.desc()).limit(1)) == events_before
        clear_site(db, manager)  # a clear counter


def test_a_step_names_the_ticket_the_officer_sees_and_refuses_a_stale_screen(fresh_demo_db):
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    ticket_id = _ticket_at_counter(db, officer, Status.called)
    with pytest.raises(Conflict) as stale:
        service.start_serving(db, officer, "lahat", 4, uuid.uuid4())
    assert stale.value.code == "stale_ticket"
    assert service.start_serving(db, officer, "lahat", 4, ticket_id).status is Status.serving
    assert service.finish(db, officer, "lahat", 4).status is Status.done
    with pytest.raises(Conflict) as empty:
        service.finish(db, officer, "lahat", 4)
    assert empty.value.code == "no_current_ticket"


def test_cached_facts_are_read_in_the_loop_and_a_miss_moves_the_work_to_a_thread(fresh_demo_db):
    db = fresh_demo_db
    lookup.clear(db)
    ran_in: list[str] = []

    def site_code() -> str:
        ran_in.append(threading.current_thread().name)
        return lookup.site(db, "lahat").code

    async def twice() -> None:
        loop_thread = threading.current_thread().name
        assert await without_thread(site_code) == "lahat"  # not cached: loop, miss, then a thread
        assert await without_thread(site_code) == "lahat"  # cached: the loop only
        assert ran_in[0] == loop_thread and ran_in[1] != loop_thread and ran_in[2] == loop_thread

    _run_in_own_thread(twice())
    with cache_only(), pytest.raises(CacheMiss):
        cache_of(db).get(("never", "cached"), lambda: 1)
    with cache_only(), pytest.raises(CacheMiss):
        require_io()
    require_io()  # outside cache-only mode: allowed


def _run_in_own_thread(coro) -> None:
    """asyncio.run in a thread of its own: the browser tests' sync driver may hold a loop in
    the main thread. An exception in the coroutine fails the test."""
    failure: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # re-raised below, in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def _scenario(c) -> list[tuple[int, object]]:
    """A kiosk and an officer through every hot operation, good and bad; what they get back
    with ids and times left out."""
    manager = token_for(c, "pengelola")
    officer = token_for(c, "petugas.dukcapil")
    other = token_for(c, "petugas.dpmptsp")
    kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                      json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
    seen: list[tuple[int, object]] = []

    def keep(r) -> dict:
        body = r.json()
        if isinstance(body, dict) and "error" not in body:
            body = {k: v for k, v in body.items() if k not in ("id", "visit_id", "issued_at", "called_at")}
        seen.append((r.status_code, body))
        return r.json()

    counter = "/api/v1/sites/lahat/counters/4"
    keep(c.post(f"{counter}/call-next", headers=officer))  # closed
    c.post(f"{counter}/open", headers=officer)
    keep(c.post(f"{counter}/call-next", headers=officer))  # nobody waits: null
    keep(c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}))
    keep(c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01", "priority": "elderly"}))
    keep(c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "NOPE"}))
    keep(c.post("/api/v1/sites/lahat/tickets", json={"service": "DKC-01"}))
    keep(c.post(f"{counter}/finish", headers=officer))  # nothing called yet
    first = keep(c.post(f"{counter}/call-next", headers=officer))  # the elderly visitor first
    keep(c.post(f"{counter}/call-next", headers=officer))  # busy
    keep(c.post(f"{counter}/call-next", headers=other))  # not this officer's counter
    keep(c.post(f"{counter}/start", headers=officer, json={"ticket_id": str(uuid.uuid4())}))  # stale screen
    keep(c.post(f"{counter}/recall", headers=officer, json={"ticket_id": first["id"]}))
    keep(c.post(f"{counter}/finish", headers=officer))  # illegal: not started
    keep(c.post(f"{counter}/start", headers=officer))
    keep(c.post(f"{counter}/hold", headers=officer))
    keep(c.post(f"{counter}/call-next", headers=officer))
    keep(c.post(f"{counter}/no-show", headers=officer))
    keep(c.post(f"{counter}/recall", headers=officer))  # no current ticket any more
    keep(c.post("/api/v1/sites/lahat/counters/999/call-next", headers=officer))
    return seen


def test_the_event_loop_path_answers_exactly_as_the_thread_path(backend):
    answers = []
    for hot in (True, False):
        url = backend.new_url()
        from satupintu.db import Database
        from satupintu.demo.loader import load_demo
        from satupintu.migrate import upgrade

        upgrade(url)
        db = Database(url)
        load_demo(db, DEMO_PASSWORD)
        with LiveServer(db, hot_path=hot) as live, live.client() as c:
            assert (live.app.state.hot_path is not None) is (hot and backend.kind == "postgresql")
            answers.append(_scenario(c))
        db.dispose()
    on_loop, in_thread = answers
    assert on_loop == in_thread
    codes = [body["error"]["code"] if isinstance(body, dict) and "error" in body else status
             for status, body in on_loop]
    assert codes == ["counter_closed", 200, 201, 201, "not_found", "unauthenticated", "no_current_ticket", 200,
                     "counter_busy", "forbidden", "stale_ticket", 200, "illegal_transition", 200, 200, 200, 200,
                     "no_current_ticket", "not_found"]
    assert on_loop[7][1]["priority"] == "elderly" and on_loop[7][1]["counter_number"] == 4
    assert on_loop[2][1]["number"] == "A-001" and on_loop[3][1]["position"] == 0  # priority goes first


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visitors=st.lists(st.tuples(st.sampled_from(["DKC-01", "DKC-02", "DKC-03"]), st.booleans()),
                         min_size=1, max_size=14))
def test_a_counter_serving_several_services_calls_in_the_policys_order(fresh_demo_db, visitors):
    """Tickets for three services at one counter: the database picks exactly the visitor the
    pure calling policy picks, call after call (one index lookup per service, not a sort)."""
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    site = lookup.site(db, "lahat")
    if not any(c.number == 60 for c in service.site_counters(db, manager, "lahat")):
        catalogue.create_counter(db, manager, "lahat", CounterIn(number=60, agency="DUKCAPIL",
                                                                  services=["DKC-01", "DKC-02", "DKC-03"]))
    clear_site(db, manager)
    service.open_counter(db, officer, "lahat", 60)
    kiosk = service.Issuer(label="uji", site_id=site.id)
    waiting = []
    for code, priority in visitors:
        t = service.issue_ticket(db, kiosk, "lahat", code, Priority.elderly if priority else Priority.none)
        waiting.append(policy.Candidate(t.id, priority, t.issued_at, t.id))
    streak = 0
    while waiting:
        expected = policy.choose_next(waiting, streak, service.POLICY)
        called = service.call_next(db, officer, "lahat", 60)
        assert called is not None and called.id == expected.key
        streak = policy.next_streak(streak, expected.priority)
        waiting.remove(expected)
        service.mark_no_show(db, officer, "lahat", 60)
    assert service.call_next(db, officer, "lahat", 60) is None
