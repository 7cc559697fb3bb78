"""Counter steps: open and close a counter, call the next visitor, the steps on the ticket at
the counter (recall, no-show, start, finish, hold) and referral to another service.

Concurrency: on PostgreSQL the calling query locks its candidate rows with FOR UPDATE SKIP
LOCKED, so two counters never take the same ticket, and a counter's state row is locked so
one counter never calls twice at once. On SQLite every write transaction starts with BEGIN
IMMEDIATE (see db.py), which serialises writers.

Check then do: `check_*` validates from cached facts and writes nothing; `do_*` performs, in
the transaction its docstring names. Calling and the steps are runner operations (one
PostgreSQL statement, or the portable path): runner.py decides which.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database, on_commit
from ..errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from ..notify import service as notify
from ..notify.templates import Kind, render
from ..scope import Actor, can_manage_agency, can_manage_site, can_operate_counter
from ..timeutil import utcnow
from . import closeguard, lookup, pgstatements, policy, runner, store, views
from .models import Booking, CounterAttendance, CounterState, Ticket
from .policy import Action, Channel, Status
from .schemas import CounterStateView, TicketView
from .tickets import apply, illegal, site_channel, ticket_event

if TYPE_CHECKING:
    from .hotpath import HotPath

POLICY = policy.PolicyConfig()
STEP_KINDS = {Action.recall: "recalled", Action.no_show: "no_show", Action.start: "serving",
              Action.finish: "finished", Action.hold: "held"}


@dataclass(frozen=True)
class CounterPlan:
    """An officer acting at a counter: checked, from cached catalogue facts."""

    site: lookup.SiteInfo
    counter: lookup.CounterInfo
    actor: Actor


@dataclass(frozen=True)
class StepPlan:
    """A step on the counter's current ticket; `expected`: the ticket the officer's screen shows."""

    at: CounterPlan
    action: Action
    expected: uuid.UUID | None


def check_counter(db: Database, actor: Actor, site_code: str, number: int) -> CounterPlan:
    """May this officer work this counter (its agency's staff, the site manager)? Writes nothing."""
    site = lookup.site(db, site_code)
    counter = lookup.counter(db, site, number)
    if not can_operate_counter(actor, site.ref, counter.agency_id):
        raise Forbidden("Anda tidak bertugas di loket ini.")
    return CounterPlan(site, counter, actor)


def _lock_state(db: Database, s: Session, actor: Actor, site_code: str,
                number: int) -> tuple[lookup.SiteInfo, lookup.CounterInfo, CounterState]:
    """check_counter, then the counter's state row locked in the caller's `db.write()`
    transaction (created closed if the counter was never opened)."""
    plan = check_counter(db, actor, site_code, number)
    site, counter = plan.site, plan.counter
    state = s.scalar(select(CounterState).where(CounterState.counter_id == counter.id).with_for_update())
    if state is None:
        state = CounterState(counter_id=counter.id, site_id=site.id, is_open=False, priority_streak=0,
                             officer_label="", closed_reason="")
        s.add(state)
        s.flush()
    return site, counter, state


# ---------------------------------------------------------------- open and close

def open_counter(db: Database, actor: Actor, site_code: str, number: int) -> CounterStateView:
    with db.write() as s:
        site, counter, state = _lock_state(db, s, actor, site_code, number)
        if counter.status == "retired":
            raise Conflict("counter_retired", f"Loket {counter.number} tidak dipakai lagi; pengelola dapat "
                                              "mengaktifkannya kembali di halaman Loket dan layanan.", "counter")
        before = audit.snapshot(state)
        state.is_open, state.officer_id, state.officer_label = True, actor.user_id, actor.label
        state.opened_at, state.closed_reason, state.closed_at = utcnow(), "", None
        end_attendance(s, counter.id, state.opened_at, "dibuka ulang", actor.label)
        s.add(CounterAttendance(site_id=site.id, counter_id=counter.id, user_id=actor.user_id,
                                officer_label=actor.label, opened_at=state.opened_at))
        s.flush()
        audit.record(s, actor, "counter.open", "counter", counter.id, site.id, before, audit.snapshot(state))
        on_commit(s, site_channel(site.id), {"type": "counter.opened", "site": site.code, "counter": counter.number,
                                             "officer": actor.label, "at": utcnow().isoformat()})
        return views.counter_view(db, s, site.code, counter.id, state)


def end_attendance(s: Session, counter_id: uuid.UUID, at: datetime, reason: str, by: str,
                    confirmed_by: str = "", confirm_reason: str = "") -> None:
    """End the counter's open attendance stretch (at most one), in the caller's transaction."""
    for row in s.scalars(select(CounterAttendance).where(CounterAttendance.counter_id == counter_id,
                                                         CounterAttendance.closed_at.is_(None))):
        row.closed_at, row.closed_reason, row.closed_by = at, reason, by
        row.confirmed_by, row.confirm_reason = confirmed_by, confirm_reason


def is_supervisor(actor: Actor, site: lookup.SiteInfo, counter: lookup.CounterInfo) -> bool:
    """Who may confirm closing the last open counter: the site's manager (or an overseer), or
    the admin of the counter's agency."""
    return can_manage_site(actor, site.ref) or can_manage_agency(actor, site.ref, counter.agency_id)


def close_guard(db: Database, s: Session, site: lookup.SiteInfo,
                counter: lookup.CounterInfo) -> closeguard.LastOpenCounter | None:
    """The refusal when this counter is the last open one of a service with people waiting,
    read in the caller's write transaction (after the counter's state row is locked)."""
    facts = catalogue.site_counters(s, site.id)
    services = {c.id: frozenset(lookup.counter(db, site, c.number).service_ids) for c in facts}
    numbers = {c.id: c.number for c in facts}
    open_ids = frozenset(s.scalars(select(CounterState.counter_id).where(CounterState.site_id == site.id,
                                                                         CounterState.is_open.is_(True))))
    day = policy.local_day(utcnow(), site.timezone)
    waiting = {sid: int(n) for sid, n in s.execute(
        select(Ticket.service_id, func.count()).where(Ticket.site_id == site.id, Ticket.local_date == day,
                                                      Ticket.status == Status.waiting,
                                                      Ticket.service_id.in_(list(counter.service_ids)))
        .group_by(Ticket.service_id))} if counter.service_ids else {}
    left = closeguard.uncovered_services(counter.id, services, open_ids, waiting)
    if not left:
        return None
    covering = closeguard.covering_counters(left, services, open_ids, counter.id)
    listed = []
    for u in left:
        info = lookup.service_by_id(db, u.service_id)
        listed.append({"code": info.code, "name": info.name, "agency": info.agency_code, "waiting": u.waiting})
    return closeguard.LastOpenCounter(counter.number, listed,
                                      sorted(numbers[c] for c in covering if c in numbers))


def close_refusal(db: Database, actor: Actor, site_code: str, number: int) -> closeguard.LastOpenCounter | None:
    """What closing this open counter now would be refused for (None: it may close); writes
    nothing. For the close page to warn before the officer tries."""
    plan = check_counter(db, actor, site_code, number)
    with db.read() as s:
        state = s.get(CounterState, plan.counter.id)
        if state is None or not state.is_open:
            return None
        return close_guard(db, s, plan.site, plan.counter)


def close_counter(db: Database, actor: Actor, site_code: str, number: int, reason: str, *,
                  confirm_reason: str = "", supervisor: Actor | None = None) -> CounterStateView:
    """Close a counter with a reason; the open attendance stretch ends in the same transaction.
    The last open counter of a service with people waiting closes only when a supervisor
    confirms with `confirm_reason`: `supervisor` (an account whose password the caller has
    verified, see accounts.service.authenticate) or the acting user themself when they are one."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldError("reason", "Pilih alasan menutup loket.", "required")])
    with db.write() as s:
        site, counter, state = _lock_state(db, s, actor, site_code, number)
        if state.current_ticket_id:
            t = s.get(Ticket, state.current_ticket_id)
            if t is not None and t.status in policy.ACTIVE_AT_COUNTER:
                raise Conflict("counter_busy", f"Selesaikan, tunda, atau tandai tidak hadir nomor {t.number} "
                                               "sebelum menutup loket.", "counter")
        confirmer = ""
        if state.is_open:
            refusal = close_guard(db, s, site, counter)
            if refusal is not None:
                who = supervisor if supervisor is not None else actor
                if not confirm_reason.strip() or (supervisor is None and not is_supervisor(actor, site, counter)):
                    raise refusal
                if not is_supervisor(who, site, counter):
                    raise Forbidden("Konfirmasi harus dari pengelola MPP atau admin instansi loket ini.")
                confirmer = who.label
        before = audit.snapshot(state)
        now = utcnow()
        state.is_open, state.closed_reason, state.current_ticket_id, state.priority_streak = False, reason, None, 0
        state.closed_at = now
        end_attendance(s, counter.id, now, reason, actor.label, confirmer, confirm_reason.strip() if confirmer else "")
        s.flush()
        after = audit.snapshot(state)
        if confirmer:
            after = {**after, "confirmed_by": confirmer, "confirm_reason": confirm_reason.strip()}
        audit.record(s, actor, "counter.close", "counter", counter.id, site.id, before, after)
        on_commit(s, site_channel(site.id), {"type": "counter.closed", "site": site.code, "counter": counter.number,
                                             "reason": reason, "at": now.isoformat()})
        return views.counter_view(db, s, site.code, counter.id, state)


# ---------------------------------------------------------------- call next

def check_call(db: Database, actor: Actor, site_code: str, number: int) -> CounterPlan:
    """check_counter, and the counter serves something; loads the facts the called ticket's
    view needs, so that view comes from the cache."""
    plan = check_counter(db, actor, site_code, number)
    if not plan.counter.service_ids:
        raise Conflict("counter_without_services", f"Loket {number} belum diatur melayani layanan apa pun.")
    for service_id in plan.counter.service_ids:  # the called ticket's view needs one of them
        lookup.service_by_id(db, service_id)
    lookup.counter_number(db, plan.counter.id)
    return plan


def _call_refusal(number: int, counter_open: bool, busy_with: str | None) -> Conflict | None:
    if not counter_open:
        return Conflict("counter_closed", f"Loket {number} belum dibuka.", "counter")
    if busy_with is not None:
        return Conflict("counter_busy", f"Nomor {busy_with} masih di loket ini: selesaikan, tunda, "
                                        "atau tandai tidak hadir dahulu.", "counter")
    return None


def call_statement(plan: CounterPlan) -> pgstatements.Prepared[pgstatements.CallOutcome]:
    """PostgreSQL: the whole call as one statement (pgstatements.call)."""
    now = utcnow()
    return pgstatements.call(counter_id=plan.counter.id, service_ids=plan.counter.service_ids,
                             max_streak=POLICY.max_priority_streak, now=now,
                             day=policy.local_day(now, plan.site.timezone), actor_label=plan.actor.label,
                             actor_id=plan.actor.user_id, site_id=plan.site.id, site_code=plan.site.code,
                             counter_number=plan.counter.number)


def called(db: Database, plan: CounterPlan, outcome: pgstatements.CallOutcome) -> TicketView | None:
    """After the call statement committed: the refusal, None (nobody waits), or publish and
    the called ticket's view. A booked visitor's message is the next step (notify_if_booked):
    at worst, after a crash in between, that one message is not sent."""
    refusal = _call_refusal(plan.counter.number, outcome.counter_open, outcome.busy_with)
    if refusal is not None:
        raise refusal
    t = outcome.ticket
    if t is None:
        return None
    view = views.ticket_view(db, t, plan.site.code)  # first: in cache-only mode a miss must come before publishing
    db.publish(site_channel(plan.site.id), ticket_event("called", plan.site.code, t, plan.counter))
    return view


def do_call(db: Database, plan: CounterPlan) -> TicketView | None:
    """The call in its own `db.write()` transaction: the counter's state locked, the first
    ready ticket by the calling policy picked and locked, the booked visitor's message written
    to the notification outbox in the same transaction."""
    site, counter, actor = plan.site, plan.counter, plan.actor
    with db.write() as s:
        conn = s.connection()
        state = store.lock_counter(conn, counter.id) or store.CounterRow(False, None, 0, None)
        busy = state.current.number if (state.current is not None
                                        and state.current.status in policy.ACTIVE_AT_COUNTER) else None
        refusal = _call_refusal(counter.number, state.is_open, busy)
        if refusal is not None:
            raise refusal
        now = utcnow()
        first = policy.prefers_priority(state.priority_streak, POLICY)
        picked = None
        for flag in (first, not first):
            picked = store.pick_waiting(conn, counter.service_ids, flag, now, policy.local_day(now, site.timezone))
            if picked is not None:
                break
        if picked is None:
            return None
        status = policy.transition(picked.status, Action.call)
        store.update_ticket(conn, picked.id, picked.status, status=status, called_at=now, counter_id=counter.id)
        store.update_counter(conn, counter.id, now, current_ticket_id=picked.id,
                             priority_streak=policy.next_streak(state.priority_streak, picked.is_priority))
        t = picked._replace(status=status, called_at=now, counter_id=counter.id)
        store.add_event(conn, t.id, now, "called", status, actor.label, actor.user_id, counter.id)
        if t.booking_id is not None:
            write_called_message(s, site, counter.number, t)
        on_commit(s, site_channel(site.id), ticket_event("called", site.code, t, counter))
    return views.ticket_view(db, t, site.code)


def notify_if_booked(db: Database, plan: CounterPlan,
                     outcome: pgstatements.CallOutcome) -> Callable[[], None] | None:
    """After `called`: the booked visitor's message, in its own write transaction; None when
    the called ticket was not booked (most calls: no further step)."""
    t = outcome.ticket
    if t is None or t.booking_id is None:
        return None
    return lambda: notify_called(db, plan.site, plan.counter.number, t)


def notify_called(db: Database, site: lookup.SiteInfo, counter_number: int, t: store.TicketRow) -> None:
    """A citizen who booked and asked for messages hears by phone that their number is called
    (written to the outbox here, sent by the notification worker)."""
    with db.write() as s:
        write_called_message(s, site, counter_number, t)


def write_called_message(s: Session, site: lookup.SiteInfo, counter_number: int, t: store.TicketRow) -> None:
    """The "your number is called" message into the notification outbox, inside the caller's
    write transaction; nothing if the booking asked for no messages."""
    to = s.scalar(select(Booking.notify_to).where(Booking.id == t.booking_id))
    if not to:
        return
    facts = catalogue.site(s, site.id)
    name = facts.name if facts else site.code
    message = render(Kind.ticket_called, "id", number=t.number, counter=counter_number, site=name)
    notify.enqueue(s, kind=Kind.ticket_called.value, channel="sms", recipient=to, subject=message.subject,
                   body=message.body, reference=t.number, site_id=site.id)


CALL = runner.Operation(check=check_call, statement=call_statement, done=called, perform=do_call,
                        follow_up=notify_if_booked)


def call_next(db: Database, actor: Actor, site_code: str, number: int) -> TicketView | None:
    """Call the next visitor for this counter's services; None when nobody is waiting."""
    return runner.run(db, CALL, actor, site_code, number)


async def call_next_async(db: Database, hot: HotPath | None, actor: Actor, site_code: str,
                          number: int) -> TicketView | None:
    """`call_next` for a route: on the hot path when there is one (runner.run_async)."""
    return await runner.run_async(db, hot, CALL, actor, site_code, number)


# ---------------------------------------------------------------- call a chosen number

CHOSEN_REFUSALS = {
    "service_not_served": "Nomor {number} bukan untuk layanan yang dilayani loket {counter}.",
    "ticket_not_waiting": "Nomor {number} tidak sedang menunggu (sudah dipanggil atau selesai); muat ulang daftar.",
    "ticket_not_today": "Nomor {number} bukan antrean hari ini.",
    "ticket_not_ready": "Nomor {number} baru dapat dipanggil pada jam pemesanannya.",
}


def call_ticket(db: Database, actor: Actor, site_code: str, number: int, ticket_id: uuid.UUID,
                reason: str) -> TicketView:
    """Call one particular waiting number at this counter, out of the calling order, with the
    officer's reason (kept on the ticket's 'called' event and in the audit log).

    Same guarantees as call_next, in one `db.write()` transaction on either database: the
    counter's state row is locked first (closed or busy: refused), then the ticket's row is
    locked and read as any concurrent caller left it (PostgreSQL: FOR UPDATE waits for the
    holder, and call-next's SKIP LOCKED passes over a ticket held here; SQLite: BEGIN IMMEDIATE
    serialises writers), and the update names the status it expects, so a ticket is called once."""
    reason = " ".join(reason.split())
    if not policy.CALL_REASON_MIN <= len(reason) <= policy.CALL_REASON_MAX:
        raise ValidationFailed([FieldError("reason", "Tulis alasan memanggil nomor ini di luar urutan "
                                                     f"({policy.CALL_REASON_MIN}-{policy.CALL_REASON_MAX} huruf).",
                                           "required")])
    plan = check_call(db, actor, site_code, number)
    site, counter = plan.site, plan.counter
    with db.write() as s:
        conn = s.connection()
        state = store.lock_counter(conn, counter.id) or store.CounterRow(False, None, 0, None)
        busy = state.current.number if (state.current is not None
                                        and state.current.status in policy.ACTIVE_AT_COUNTER) else None
        refusal = _call_refusal(counter.number, state.is_open, busy)
        if refusal is not None:
            raise refusal
        found = store.lock_ticket(conn, ticket_id)
        if found is None or found[1] != site.id:
            raise NotFound("Nomor antrean", "ticket_id")
        picked, _, local_date = found
        now = utcnow()
        code = policy.chosen_call_refusal(picked.status, picked.service_id in counter.service_ids,
                                          local_date == policy.local_day(now, site.timezone), picked.ready_at <= now)
        if code is not None:
            raise Conflict(code, CHOSEN_REFUSALS[code].format(number=picked.number, counter=counter.number),
                           "ticket_id")
        status = policy.transition(picked.status, Action.call)
        if not store.update_ticket(conn, picked.id, picked.status, status=status, called_at=now,
                                   counter_id=counter.id):
            raise Conflict("ticket_not_waiting", CHOSEN_REFUSALS["ticket_not_waiting"].format(
                number=picked.number, counter=counter.number), "ticket_id")
        store.update_counter(conn, counter.id, now, current_ticket_id=picked.id,
                             priority_streak=policy.next_streak(state.priority_streak, picked.is_priority))
        t = picked._replace(status=status, called_at=now, counter_id=counter.id)
        store.add_event(conn, t.id, now, "called", status, plan.actor.label, plan.actor.user_id, counter.id,
                        {"chosen": True, "reason": reason})
        audit.record(s, plan.actor, "ticket.call_chosen", "ticket", t.id, site.id,
                     {"status": picked.status.value, "counter": None},
                     {"status": status.value, "counter": counter.number, "reason": reason})
        if t.booking_id is not None:
            write_called_message(s, site, counter.number, t)
        on_commit(s, site_channel(site.id), ticket_event("called", site.code, t, counter))
    return views.ticket_view(db, t, site.code)


# ---------------------------------------------------------------- steps on the current ticket

def check_step(db: Database, actor: Actor, site_code: str, number: int, action: Action,
               expected: uuid.UUID | None = None) -> StepPlan:
    return StepPlan(check_counter(db, actor, site_code, number), action, expected)


def _step_refusal(number: int, t: store.TicketRow | None, expected: uuid.UUID | None,
                  action: Action) -> DomainError | None:
    """Why a step on the counter's current ticket cannot happen, checked before or after."""
    if t is None:
        return Conflict("no_current_ticket", f"Tidak ada nomor yang sedang dipanggil di loket {number}.", "ticket")
    if expected is not None and t.id != expected:
        return Conflict("stale_ticket", "Nomor di layar Anda sudah tidak aktif di loket ini; muat ulang.",
                        "ticket_id")
    if (t.status, action) not in policy.TRANSITIONS:
        return illegal(t, action)
    return None


def step_statement(plan: StepPlan) -> pgstatements.Prepared[pgstatements.StepOutcome]:
    """PostgreSQL: a step on the counter's current ticket as one statement (pgstatements.step)."""
    at = plan.at
    return pgstatements.step(counter_id=at.counter.id, action=plan.action, kind=STEP_KINDS[plan.action],
                             expected=plan.expected, now=utcnow(), actor_label=at.actor.label,
                             actor_id=at.actor.user_id, site_id=at.site.id, site_code=at.site.code,
                             counter_number=at.counter.number)


def _after_step(plan: StepPlan, before: store.TicketRow) -> store.TicketRow:
    recall_inc = 1 if plan.action is Action.recall else 0
    return before._replace(status=policy.transition(before.status, plan.action),
                           recall_count=before.recall_count + recall_inc)


def _step_event(plan: StepPlan, t: store.TicketRow) -> dict[str, Any]:
    return ticket_event(STEP_KINDS[plan.action], plan.at.site.code, t, plan.at.counter)


def stepped(db: Database, plan: StepPlan, outcome: pgstatements.StepOutcome) -> TicketView:
    """After the step statement committed: the refusal, or publish and the ticket's view."""
    before = outcome.before
    refusal = _step_refusal(plan.at.counter.number, before, plan.expected, plan.action)
    if refusal is not None:
        raise refusal
    assert before is not None, "a refusal is raised when the counter holds no ticket"
    if not outcome.changed:
        raise Conflict("stale_ticket", f"Nomor {before.number} baru saja berubah status; muat ulang.", "ticket_id")
    t = _after_step(plan, before)
    view = views.ticket_view(db, t, plan.at.site.code)  # first: in cache-only mode a miss must come before publishing
    db.publish(site_channel(plan.at.site.id), _step_event(plan, t))
    return view


def do_step(db: Database, plan: StepPlan) -> TicketView:
    """The step in its own `db.write()` transaction, the counter's state row locked."""
    counter, actor, action = plan.at.counter, plan.at.actor, plan.action
    with db.write() as s:
        conn = s.connection()
        state = store.lock_counter(conn, counter.id) or store.CounterRow(False, None, 0, None)
        before = state.current
        refusal = _step_refusal(counter.number, before, plan.expected, action)
        if refusal is not None:
            raise refusal
        assert before is not None, "a refusal is raised when the counter holds no ticket"
        status = policy.transition(before.status, action)
        now = utcnow()
        values: dict[str, Any] = {"status": status, "recall_count": before.recall_count + (action is Action.recall)}
        if action is Action.start:
            values["serving_at"] = now
        if action is Action.finish:
            values["finished_at"] = now
        if not store.update_ticket(conn, before.id, before.status, **values):
            raise Conflict("stale_ticket", f"Nomor {before.number} baru saja berubah status; muat ulang.", "ticket_id")
        if status not in policy.ACTIVE_AT_COUNTER:
            store.update_counter(conn, counter.id, now, current_ticket_id=None)
        store.add_event(conn, before.id, now, STEP_KINDS[action], status, actor.label, actor.user_id, counter.id)
        t = _after_step(plan, before)
        on_commit(s, site_channel(plan.at.site.id), _step_event(plan, t))
    return views.ticket_view(db, t, plan.at.site.code)


STEP = runner.Operation(check=check_step, statement=step_statement, done=stepped, perform=do_step)


def step(db: Database, actor: Actor, site_code: str, number: int, action: Action,
         expected: uuid.UUID | None = None) -> TicketView:
    """A step on the counter's current ticket (`expected`: the one the officer's screen shows)."""
    return runner.run(db, STEP, actor, site_code, number, action, expected)


async def step_async(db: Database, hot: HotPath | None, actor: Actor, site_code: str, number: int, action: Action,
                     expected: uuid.UUID | None = None) -> TicketView:
    """`step` for a route: on the hot path when there is one (runner.run_async)."""
    return await runner.run_async(db, hot, STEP, actor, site_code, number, action, expected)


def recall(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return step(db, actor, site_code, number, Action.recall, expected)


def mark_no_show(db: Database, actor: Actor, site_code: str, number: int,
                 expected: uuid.UUID | None = None) -> TicketView:
    return step(db, actor, site_code, number, Action.no_show, expected)


def start_serving(db: Database, actor: Actor, site_code: str, number: int,
                  expected: uuid.UUID | None = None) -> TicketView:
    return step(db, actor, site_code, number, Action.start, expected)


def finish(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return step(db, actor, site_code, number, Action.finish, expected)


def hold(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return step(db, actor, site_code, number, Action.hold, expected)


# ---------------------------------------------------------------- referral

def _current(s: Session, state: CounterState, counter: lookup.CounterInfo, expected: uuid.UUID | None) -> Ticket:
    if not state.current_ticket_id:
        raise Conflict("no_current_ticket", f"Tidak ada nomor yang sedang dipanggil di loket {counter.number}.",
                       "ticket")
    t = s.get(Ticket, state.current_ticket_id, with_for_update=True)
    assert t is not None, "the counter's current ticket is a foreign key"
    if expected is not None and t.id != expected:
        raise Conflict("stale_ticket", "Nomor di layar Anda sudah tidak aktif di loket ini; muat ulang.", "ticket_id")
    return t


def refer(db: Database, actor: Actor, site_code: str, number: int, to_service: str, note: str = "",
          position: str = "front", expected: uuid.UUID | None = None) -> TicketView:
    """Send the visitor being served to another service; the visit keeps its number and history.
    One `db.write()` transaction: the counter's state and its ticket locked."""
    with db.write() as s:
        site, counter, state = _lock_state(db, s, actor, site_code, number)
        t = _current(s, state, counter, expected)
        target = lookup.offered_service(db, site, to_service)
        if target.id == t.service_id:
            raise ValidationFailed([FieldError("service", "Rujukan harus ke layanan lain.")])
        apply(t, Action.refer)
        now = utcnow()
        t.finished_at, t.note = now, note
        state.current_ticket_id = None
        new = store.insert_ticket(s.connection(), site_id=site.id, visit_id=t.visit_id, service_id=target.id,
                                  prefix=t.prefix, day=t.local_date, seq=None, number=t.number,
                                  channel=Channel.referral, priority=t.priority, is_priority=t.is_priority,
                                  ready_at=t.issued_at if position == "front" else now, now=now,
                                  referred_from_id=t.id, note=note)
        conn = s.connection()  # both events in this order: the history lists the referral first
        store.add_event(conn, t.id, utcnow(), "referred", t.status, actor.label, actor.user_id, counter.id,
                        {"to_service": target.code, "to_ticket": str(new.id), "note": note})
        store.add_event(conn, new.id, utcnow(), "issued", Status.waiting, actor.label, actor.user_id, counter.id,
                        {"channel": "referral", "from_ticket": str(t.id), "position": position})
        on_commit(s, site_channel(site.id), ticket_event("referred", site.code, t, counter, to_ticket_id=str(new.id)))
        on_commit(s, site_channel(site.id), ticket_event("issued", site.code, new))
    return views.positioned(db, new.id, site.code)
