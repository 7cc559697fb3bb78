"""Queue use cases. Each owns its transaction; events are published only after commit.

Concurrency: on PostgreSQL the calling query locks its candidate rows with
FOR UPDATE SKIP LOCKED, so two counters never take the same ticket, and a counter's state
row is locked so one counter never calls twice at once. On SQLite every write transaction
starts with BEGIN IMMEDIATE (see db.py), which serialises writers. Numbers come from one
atomic upsert per (site, letter, local day).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from ..accounts import audit
from ..accounts.scope import (
    Actor,
    SiteRef,
    can_issue_tickets,
    can_manage_site,
    can_operate_counter,
    can_read_site,
)
from ..cache import require_io
from ..catalogue.models import Agency, Counter, Service, Site, counter_services
from ..catalogue.service import site_row
from ..db import Database, dialect_insert
from ..errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from ..events import LocalBus
from ..timeutil import utcnow
from . import lookup, pgstatements, policy, store, voice
from .models import (
    Booking,
    CounterState,
    QueueSettings,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from .policy import Action, Channel, Priority, Status
from .schemas import (
    BoardCall,
    BoardCounter,
    BoardState,
    CloseDayResult,
    CounterStateView,
    TicketView,
)

POLICY = policy.PolicyConfig()
NO_SHOW_GRACE = timedelta(minutes=30)
DEFAULT_SERVICE_TIME = timedelta(minutes=10)
ACTION_LABELS = {
    Action.call: "dipanggil", Action.recall: "dipanggil ulang", Action.no_show: "ditandai tidak hadir",
    Action.requeue: "dimasukkan kembali ke antrian", Action.start: "mulai dilayani", Action.finish: "diselesaikan",
    Action.refer: "dirujuk", Action.hold: "ditunda", Action.resume: "dilanjutkan", Action.close: "ditutup",
}


@dataclass
class Issuer:
    """Who issues a ticket: a kiosk (device token) or a staff member at reception."""

    label: str
    site_id: uuid.UUID
    actor: Actor | None = None
    device_id: uuid.UUID | None = None


@dataclass
class _Outbox:
    """Events to publish once the transaction has committed."""

    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, site_id: uuid.UUID, event: dict[str, Any]) -> None:
        self.items.append((f"site:{site_id}", event))

    def flush(self, bus: LocalBus | None) -> None:
        if bus is not None:
            for channel, event in self.items:
                bus.publish(channel, event)


_bus: LocalBus | None = None


def set_bus(bus: LocalBus | None) -> None:
    global _bus
    _bus = bus


def get_bus() -> LocalBus | None:
    return _bus


# ---------------------------------------------------------------- helpers

def _ref(site: Site) -> SiteRef:
    return SiteRef(site.id, site.parent_site_id)


def _next_seq(s: Session, site_id: uuid.UUID, prefix: str, day: date) -> int:
    """The next number for this site, letter and day: one atomic statement on both backends."""
    stmt = dialect_insert(s, TicketSequence.__table__).values(site_id=site_id, prefix=prefix, local_date=day, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["site_id", "prefix", "local_date"],
        set_={"last": TicketSequence.__table__.c.last + 1},
    ).returning(TicketSequence.__table__.c.last)
    return int(s.execute(stmt).scalar_one())


def _event(s: Session, ticket: Ticket, kind: str, who: str, actor_id: uuid.UUID | None,
           counter_id: uuid.UUID | None = None, data: dict[str, Any] | None = None) -> None:
    s.add(TicketEvent(ticket_id=ticket.id, at=utcnow(), kind=kind, status=ticket.status.value, actor_label=who,
                      actor_id=actor_id, counter_id=counter_id, data=data))


def _view(db: Database, t: Any, site_code: str, ahead: int | None = None) -> TicketView:
    """A ticket's view from cached catalogue facts; with `ahead` (tickets before it in the
    calling order), a waiting ticket also shows its position and estimated wait."""
    svc = lookup.service_by_id(db, t.service_id)
    view = TicketView(
        id=t.id, visit_id=t.visit_id, number=t.number, status=t.status, site=site_code, service_code=svc.code,
        service_name=svc.name, agency_code=svc.agency_code, priority=t.priority, channel=t.channel,
        counter_number=lookup.counter_number(db, t.counter_id) if t.counter_id else None, issued_at=t.issued_at,
        called_at=t.called_at, recall_count=t.recall_count,
    )
    if ahead is not None and t.status is Status.waiting:
        view.position = ahead
        avg, counters = _service_pace(db, svc)
        view.estimated_wait_minutes = int(policy.estimate_wait(ahead, avg, counters).total_seconds() // 60)
    return view


def _positioned(db: Database, ticket: Any, site_code: str) -> TicketView:
    """A waiting ticket's view with position and estimate, read after the write has committed,
    so the counting query does not lengthen the write transaction (SQLite has one writer).
    `ticket` is a ticket id, or the row just written (then it is not read again)."""
    with db.read() as s:
        t = ticket if isinstance(ticket, store.TicketRow) else s.get(Ticket, ticket)
        return _view(db, t, site_code, _ahead(s, t) if t.status is Status.waiting else None)


def _service_pace(db: Database, svc: lookup.ServiceInfo) -> tuple[timedelta, int]:
    """Recent mean service time and open counters of a service, refreshed every few seconds."""
    def load() -> tuple[timedelta, int]:
        with db.read() as s:
            return _avg_service_time(s, svc), _open_counters(s, svc.id)

    return lookup._cache(db).get(("pace", svc.id), load)


def _ahead(s: Session, t: Any) -> int:
    """Waiting tickets of the same service that the calling order puts first."""
    return store.count_ahead(s.connection(), t.service_id, t.id, t.ready_at, t.is_priority)


def _avg_service_time(s: Session, svc: lookup.ServiceInfo) -> timedelta:
    """Mean of the last 20 service durations of the past week, else the standard, else 10 minutes."""
    since = utcnow() - timedelta(days=7)
    rows = s.execute(select(Ticket.serving_at, Ticket.finished_at).where(
        Ticket.service_id == svc.id, Ticket.status == Status.done, Ticket.finished_at >= since,
        Ticket.serving_at.is_not(None)).order_by(Ticket.finished_at.desc()).limit(20)).all()
    if rows:
        return sum((f - st for st, f in rows), timedelta()) / len(rows)
    if svc.standard_minutes:
        return timedelta(minutes=min(svc.standard_minutes, 60))
    return DEFAULT_SERVICE_TIME


def _open_counters(s: Session, service_id: uuid.UUID) -> int:
    return int(s.scalar(select(func.count()).select_from(CounterState).join(
        counter_services, counter_services.c.counter_id == CounterState.counter_id).where(
        counter_services.c.service_id == service_id, CounterState.is_open.is_(True))) or 0)


def _illegal(t: Ticket, action: Action) -> DomainError:
    label = policy.STATUS_LABELS[t.status][0].lower()
    return Conflict("illegal_transition",
                       f"Nomor {t.number} sedang berstatus '{label}', sehingga tidak dapat {ACTION_LABELS[action]}.",
                       "ticket")


def _apply(t: Ticket, action: Action) -> None:
    try:
        t.status = policy.transition(t.status, action)
    except policy.IllegalTransition:
        raise _illegal(t, action) from None


def _ticket_event(kind: str, site_code: str, t: Ticket, counter: Any = None, **extra: Any) -> dict[str, Any]:
    event = {"type": f"ticket.{kind}", "site": site_code, "ticket_id": str(t.id), "number": t.number,
             "status": t.status.value, "service_id": str(t.service_id),
             "counter": counter.number if counter else None, "at": utcnow().isoformat(), **extra}
    if kind in ("called", "recalled") and counter is not None:
        event["announcement"] = voice.call_announcement(t.number, counter.number)
    return event


# ---------------------------------------------------------------- tickets

IDEMPOTENCY_FIELD = "Idempotency-Key"


class IdempotencyKeyReused(DomainError):
    """The client sent an Idempotency-Key it already used for a different ticket request."""

    status = 422

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused",
                         "Idempotency-Key ini sudah dipakai untuk permintaan nomor antrean yang lain.", IDEMPOTENCY_FIELD)


@dataclass(frozen=True)
class IssuePlan:
    """What issuing needs to know before it writes: checked, from cached catalogue facts."""

    site: lookup.SiteInfo
    svc: lookup.ServiceInfo
    issuer: Issuer
    priority: Priority
    channel: Channel
    pace: tuple[timedelta, int]  # recent service time and open counters: the estimate's inputs
    idempotency_key: str | None = None  # a retry with the same key gets the same ticket


def plan_issue(db: Database, issuer: Issuer, site_code: str, service_code: str,
               priority: Priority = Priority.none, channel: Channel = Channel.kiosk,
               idempotency_key: str | None = None) -> IssuePlan:
    if idempotency_key is not None and not policy.valid_idempotency_key(idempotency_key):
        raise ValidationFailed([FieldError(IDEMPOTENCY_FIELD, "Idempotency-Key harus 8–64 karakter: huruf, angka, "
                                                              "'-' atau '_'.")])
    site = lookup.site(db, site_code)
    if issuer.site_id != site.id:
        raise Forbidden("Perangkat atau akun ini bukan milik lokasi layanan tersebut.")
    if issuer.actor is not None and not can_issue_tickets(issuer.actor, SiteRef(site.id, site.parent_id)):
        raise Forbidden()
    svc = lookup.offered_service(db, site, service_code)
    return IssuePlan(site, svc, issuer, priority, channel, _service_pace(db, svc), idempotency_key)


def issue_statement(plan: IssuePlan) -> pgstatements.Prepared[pgstatements.Issued]:
    """PostgreSQL: the whole issue as one statement (pgstatements.issue)."""
    now = utcnow()
    who = plan.issuer
    return pgstatements.issue(
        site_id=plan.site.id, service_id=plan.svc.id, prefix=plan.svc.prefix,
        day=policy.local_day(now, plan.site.timezone), channel=plan.channel, priority=plan.priority, now=now,
        actor_label=who.label, actor_id=who.actor.user_id if who.actor else None,
        data={"channel": plan.channel.value, "priority": plan.priority.value}, idempotency_key=plan.idempotency_key)


def _replayed(db: Database, plan: IssuePlan, earlier: store.TicketRow) -> TicketView:
    """A retried issue: the ticket its key was first issued with, as it stands now (it may have
    been called meanwhile), if the retry asks for the same; nothing is published again."""
    if not policy.same_issue(earlier.service_id, earlier.priority, earlier.channel,
                             plan.svc.id, plan.priority, plan.channel):
        raise IdempotencyKeyReused()
    require_io()
    return _positioned(db, earlier, plan.site.code)


def issued(db: Database, plan: IssuePlan, result: pgstatements.Issued) -> TicketView:
    """After the issue statement committed: publish, and the ticket's view with its position."""
    t = result.ticket
    if result.replayed or result.ahead is None:
        return _replayed(db, plan, t)
    view = _view(db, t, plan.site.code)  # first: in cache-only mode a miss must come before publishing
    view.position = result.ahead
    avg, counters = plan.pace
    view.estimated_wait_minutes = int(policy.estimate_wait(result.ahead, avg, counters).total_seconds() // 60)
    out = _Outbox()
    out.add(plan.site.id, _ticket_event("issued", plan.site.code, t))
    out.flush(_bus)
    return view


def issue_ticket(db: Database, issuer: Issuer, site_code: str, service_code: str,
                 priority: Priority = Priority.none, channel: Channel = Channel.kiosk,
                 idempotency_key: str | None = None) -> TicketView:
    """A new ticket; with an idempotency key the site has seen, the ticket issued with it."""
    plan = plan_issue(db, issuer, site_code, service_code, priority, channel, idempotency_key)
    if db.dialect == "postgresql":
        with db.autocommit() as conn:
            return issued(db, plan, pgstatements.execute(conn, issue_statement(plan)))
    site, svc = plan.site, plan.svc
    out = _Outbox()
    actor_id = issuer.actor.user_id if issuer.actor else None
    data = {"channel": channel.value, "priority": priority.value}
    with db.write() as s:  # SQLite: one writer at a time, so the key is checked and taken together
        conn = s.connection()
        earlier = store.ticket_by_key(conn, site.id, idempotency_key) if idempotency_key is not None else None
        if earlier is None:
            now = utcnow()
            day = policy.local_day(now, site.timezone)
            seq = _next_seq(s, site.id, svc.prefix, day)
            t = store.insert_visit_and_ticket(conn, site_id=site.id, service_id=svc.id, prefix=svc.prefix, day=day,
                                              seq=seq, number=policy.format_number(svc.prefix, seq), channel=channel,
                                              priority=priority, now=now, idempotency_key=idempotency_key)
            store.add_event(conn, t.id, now, "issued", t.status, issuer.label, actor_id, data=data)
            out.add(site.id, _ticket_event("issued", site.code, t))
    if earlier is not None:
        return _replayed(db, plan, earlier)
    out.flush(_bus)
    return _positioned(db, t, site.code)


def get_ticket(db: Database, ticket_id: uuid.UUID) -> TicketView:
    """A ticket's public state (the citizen's page): position and estimated wait, no personal data."""
    with db.read() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        site = s.get(Site, t.site_id)
        return _view(db, t, site.code, _ahead(s, t) if t.status is Status.waiting else None)


def visit_history(db: Database, actor: Actor, ticket_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every event of every ticket of this visit, for the officer serving it."""
    with db.read() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        site = s.get(Site, t.site_id)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        rows = s.execute(select(TicketEvent, Ticket.number, Service.code).join(Ticket, Ticket.id == TicketEvent.ticket_id)
                         .join(Service, Service.id == Ticket.service_id).where(Ticket.visit_id == t.visit_id)
                         .order_by(TicketEvent.at, TicketEvent.id)).all()
        return [{"at": e.at, "kind": e.kind, "status": e.status, "by": e.actor_label, "number": number,
                 "service": code, "data": e.data} for e, number, code in rows]


# ---------------------------------------------------------------- counters

def _counter(s: Session, site: Site, number: int) -> Counter:
    counter = s.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == number))
    if counter is None:
        raise NotFound(f"Loket {number}", "counter")
    return counter


def _operate(db: Database, s: Session, actor: Actor, site_code: str,
             number: int) -> tuple[lookup.SiteInfo, lookup.CounterInfo, CounterState]:
    site = lookup.site(db, site_code)
    counter = lookup.counter(db, site, number)
    if not can_operate_counter(actor, SiteRef(site.id, site.parent_id), counter.agency_id):
        raise Forbidden("Anda tidak bertugas di loket ini.")
    state = s.scalar(select(CounterState).where(CounterState.counter_id == counter.id).with_for_update())
    if state is None:
        state = CounterState(counter_id=counter.id, site_id=site.id, is_open=False, priority_streak=0,
                             officer_label="", closed_reason="")
        s.add(state)
        s.flush()
    return site, counter, state


def _counter_view(db: Database, s: Session, site_code: str, counter_id: uuid.UUID,
                  state: CounterState | None) -> CounterStateView:
    counter = s.get(Counter, counter_id)
    current = None
    if state and state.current_ticket_id:
        t = s.get(Ticket, state.current_ticket_id)
        if t is not None and t.status in policy.ACTIVE_AT_COUNTER:
            current = _view(db, t, site_code)
    agency_code = s.scalar(select(Agency.code).where(Agency.id == counter.agency_id)) or ""
    return CounterStateView(number=counter.number, name=counter.name, agency_code=agency_code,
                            is_open=bool(state and state.is_open), officer=state.officer_label if state else "",
                            current=current)


def open_counter(db: Database, actor: Actor, site_code: str, number: int) -> CounterStateView:
    out = _Outbox()
    with db.write() as s:
        site, counter, state = _operate(db, s, actor, site_code, number)
        before = audit.snapshot(state)
        state.is_open, state.officer_id, state.officer_label = True, actor.user_id, actor.label
        state.opened_at, state.closed_reason = utcnow(), ""
        s.flush()
        audit.record(s, actor, "counter.open", "counter", counter.id, site.id, before, audit.snapshot(state))
        out.add(site.id, {"type": "counter.opened", "site": site.code, "counter": counter.number,
                          "officer": actor.label, "at": utcnow().isoformat()})
        view = _counter_view(db, s, site.code, counter.id, state)
    out.flush(_bus)
    return view


def close_counter(db: Database, actor: Actor, site_code: str, number: int, reason: str) -> CounterStateView:
    out = _Outbox()
    with db.write() as s:
        site, counter, state = _operate(db, s, actor, site_code, number)
        if state.current_ticket_id:
            t = s.get(Ticket, state.current_ticket_id)
            if t is not None and t.status in policy.ACTIVE_AT_COUNTER:
                raise Conflict("counter_busy", f"Selesaikan, tunda, atau tandai tidak hadir nomor {t.number} "
                                               "sebelum menutup loket.", "counter")
        before = audit.snapshot(state)
        state.is_open, state.closed_reason, state.current_ticket_id, state.priority_streak = False, reason, None, 0
        s.flush()
        audit.record(s, actor, "counter.close", "counter", counter.id, site.id, before, audit.snapshot(state))
        out.add(site.id, {"type": "counter.closed", "site": site.code, "counter": counter.number, "reason": reason,
                          "at": utcnow().isoformat()})
        view = _counter_view(db, s, site.code, counter.id, state)
    out.flush(_bus)
    return view


def counter_status(db: Database, actor: Actor, site_code: str, number: int) -> CounterStateView:
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        counter = _counter(s, site, number)
        return _counter_view(db, s, site.code, counter.id, s.get(CounterState, counter.id))


def site_counters(db: Database, actor: Actor, site_code: str) -> list[CounterStateView]:
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        counters = s.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)).all()
        return [_counter_view(db, s, site.code, c.id, s.get(CounterState, c.id)) for c in counters]


def notify_called(db: Database, site: lookup.SiteInfo, counter_number: int, t: store.TicketRow) -> None:
    """A citizen who booked and asked for messages hears by phone that their number is called
    (written to the outbox here, sent by the notification worker)."""
    with db.write() as s:
        _notify_called(s, site, counter_number, t)


def _notify_called(s: Session, site: lookup.SiteInfo, counter_number: int, t: store.TicketRow) -> None:
    from ..notify import service as notify
    from ..notify.templates import Kind, render

    to = s.scalar(select(Booking.notify_to).where(Booking.id == t.booking_id))
    if not to:
        return
    name = s.scalar(select(Site.name).where(Site.id == site.id)) or site.code
    message = render(Kind.ticket_called, "id", number=t.number, counter=counter_number, site=name)
    notify.enqueue(s, kind=Kind.ticket_called.value, channel="sms", recipient=to, subject=message.subject,
                   body=message.body, reference=t.number, site_id=site.id)


@dataclass(frozen=True)
class CounterPlan:
    """An officer acting at a counter: checked, from cached catalogue facts."""

    site: lookup.SiteInfo
    counter: lookup.CounterInfo
    actor: Actor


def plan_counter(db: Database, actor: Actor, site_code: str, number: int) -> CounterPlan:
    site = lookup.site(db, site_code)
    counter = lookup.counter(db, site, number)
    if not can_operate_counter(actor, SiteRef(site.id, site.parent_id), counter.agency_id):
        raise Forbidden("Anda tidak bertugas di loket ini.")
    return CounterPlan(site, counter, actor)


def plan_call(db: Database, actor: Actor, site_code: str, number: int) -> CounterPlan:
    plan = plan_counter(db, actor, site_code, number)
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
    return pgstatements.call(counter_id=plan.counter.id, service_ids=plan.counter.service_ids,
                             max_streak=POLICY.max_priority_streak, now=utcnow(), actor_label=plan.actor.label,
                             actor_id=plan.actor.user_id)


def called(db: Database, plan: CounterPlan, outcome: pgstatements.CallOutcome) -> TicketView | None:
    """After the call statement committed: the refusal, None (nobody waits), or publish and
    the called ticket's view. A booked visitor's message is the caller's next step
    (notify_called): at worst, after a crash in between, that one message is not sent."""
    refusal = _call_refusal(plan.counter.number, outcome.counter_open, outcome.busy_with)
    if refusal is not None:
        raise refusal
    t = outcome.ticket
    if t is None:
        return None
    view = _view(db, t, plan.site.code)  # first: in cache-only mode a miss must come before publishing
    out = _Outbox()
    out.add(plan.site.id, _ticket_event("called", plan.site.code, t, plan.counter))
    out.flush(_bus)
    return view


def call_next(db: Database, actor: Actor, site_code: str, number: int) -> TicketView | None:
    """Call the next visitor for this counter's services; None when nobody is waiting."""
    plan = plan_call(db, actor, site_code, number)
    site, counter = plan.site, plan.counter
    if db.dialect == "postgresql":  # one atomic statement, no BEGIN/COMMIT round trips
        with db.autocommit() as conn:
            outcome = pgstatements.execute(conn, call_statement(plan))
        view = called(db, plan, outcome)
        if outcome.ticket is not None and outcome.ticket.booking_id is not None:
            notify_called(db, site, counter.number, outcome.ticket)
        return view
    out = _Outbox()
    with db.write() as s:
        conn = s.connection()
        state = store.lock_counter(conn, counter.id) or store.CounterRow(False, None, 0, None)
        busy = state.current.number if (state.current is not None
                                        and state.current.status in policy.ACTIVE_AT_COUNTER) else None
        refusal = _call_refusal(number, state.is_open, busy)
        if refusal is not None:
            raise refusal
        now = utcnow()
        first = policy.prefers_priority(state.priority_streak, POLICY)
        picked = None
        for flag in (first, not first):
            picked = store.pick_waiting(conn, counter.service_ids, flag, now)
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
            _notify_called(s, site, counter.number, t)
        out.add(site.id, _ticket_event("called", site.code, t, counter))
    out.flush(_bus)
    return _view(db, t, site.code)


def _current(s: Session, state: CounterState, counter: Counter, expected: uuid.UUID | None) -> Ticket:
    if not state.current_ticket_id:
        raise Conflict("no_current_ticket", f"Tidak ada nomor yang sedang dipanggil di loket {counter.number}.",
                       "ticket")
    t = s.get(Ticket, state.current_ticket_id, with_for_update=True)
    if expected is not None and t.id != expected:
        raise Conflict("stale_ticket", "Nomor di layar Anda sudah tidak aktif di loket ini; muat ulang.", "ticket_id")
    return t


_ACTION_KIND = {Action.recall: "recalled", Action.no_show: "no_show", Action.start: "serving",
                Action.finish: "finished", Action.hold: "held"}


def _step_refusal(number: int, t: store.TicketRow | None, expected: uuid.UUID | None,
                  action: Action) -> DomainError | None:
    """Why a step on the counter's current ticket cannot happen, checked before or after."""
    if t is None:
        return Conflict("no_current_ticket", f"Tidak ada nomor yang sedang dipanggil di loket {number}.", "ticket")
    if expected is not None and t.id != expected:
        return Conflict("stale_ticket", "Nomor di layar Anda sudah tidak aktif di loket ini; muat ulang.",
                        "ticket_id")
    if (t.status, action) not in policy.TRANSITIONS:
        return _illegal(t, action)  # type: ignore[arg-type]
    return None


def step_statement(plan: CounterPlan, action: Action,
                   expected: uuid.UUID | None) -> pgstatements.Prepared[pgstatements.StepOutcome]:
    """PostgreSQL: a step on the counter's current ticket as one statement (pgstatements.step)."""
    return pgstatements.step(counter_id=plan.counter.id, action=action, kind=_ACTION_KIND[action],
                             expected=expected, now=utcnow(), actor_label=plan.actor.label,
                             actor_id=plan.actor.user_id)


def stepped(db: Database, plan: CounterPlan, action: Action, expected: uuid.UUID | None,
            outcome: pgstatements.StepOutcome) -> TicketView:
    """After the step statement committed: the refusal, or publish and the ticket's view."""
    before = outcome.before
    refusal = _step_refusal(plan.counter.number, before, expected, action)
    if refusal is not None:
        raise refusal
    assert before is not None
    if not outcome.changed:
        raise Conflict("stale_ticket", f"Nomor {before.number} baru saja berubah status; muat ulang.", "ticket_id")
    return _stepped_view(db, plan, action, before)


def _stepped_view(db: Database, plan: CounterPlan, action: Action, before: store.TicketRow) -> TicketView:
    recall_inc = 1 if action is Action.recall else 0
    t = before._replace(status=policy.transition(before.status, action), recall_count=before.recall_count + recall_inc)
    view = _view(db, t, plan.site.code)  # first: in cache-only mode a miss must come before publishing
    out = _Outbox()
    out.add(plan.site.id, _ticket_event(_ACTION_KIND[action], plan.site.code, t, plan.counter))
    out.flush(_bus)
    return view


def _counter_action(db: Database, actor: Actor, site_code: str, number: int, action: Action,
                    expected: uuid.UUID | None = None) -> TicketView:
    plan = plan_counter(db, actor, site_code, number)
    if db.dialect == "postgresql":
        with db.autocommit() as conn:
            outcome = pgstatements.execute(conn, step_statement(plan, action, expected))
        return stepped(db, plan, action, expected, outcome)
    counter = plan.counter
    with db.write() as s:
        conn = s.connection()
        state = store.lock_counter(conn, counter.id) or store.CounterRow(False, None, 0, None)
        t = state.current
        refusal = _step_refusal(number, t, expected, action)
        if refusal is not None:
            raise refusal
        assert t is not None
        status = policy.transition(t.status, action)
        now = utcnow()
        values: dict[str, Any] = {"status": status, "recall_count": t.recall_count + (action is Action.recall)}
        if action is Action.start:
            values["serving_at"] = now
        if action is Action.finish:
            values["finished_at"] = now
        if not store.update_ticket(conn, t.id, t.status, **values):
            raise Conflict("stale_ticket", f"Nomor {t.number} baru saja berubah status; muat ulang.", "ticket_id")
        if status not in policy.ACTIVE_AT_COUNTER:
            store.update_counter(conn, counter.id, now, current_ticket_id=None)
        store.add_event(conn, t.id, now, _ACTION_KIND[action], status, actor.label, actor.user_id, counter.id)
    # published after commit, like every other operation
    return _stepped_view(db, plan, action, t)


def recall(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return _counter_action(db, actor, site_code, number, Action.recall, expected)


def mark_no_show(db: Database, actor: Actor, site_code: str, number: int,
                 expected: uuid.UUID | None = None) -> TicketView:
    return _counter_action(db, actor, site_code, number, Action.no_show, expected)


def start_serving(db: Database, actor: Actor, site_code: str, number: int,
                  expected: uuid.UUID | None = None) -> TicketView:
    return _counter_action(db, actor, site_code, number, Action.start, expected)


def finish(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return _counter_action(db, actor, site_code, number, Action.finish, expected)


def hold(db: Database, actor: Actor, site_code: str, number: int, expected: uuid.UUID | None = None) -> TicketView:
    return _counter_action(db, actor, site_code, number, Action.hold, expected)


def refer(db: Database, actor: Actor, site_code: str, number: int, to_service: str, note: str = "",
          position: str = "front", expected: uuid.UUID | None = None) -> TicketView:
    """Send the visitor being served to another service; the visit keeps its number and history."""
    out = _Outbox()
    with db.write() as s:
        site, counter, state = _operate(db, s, actor, site_code, number)
        t = _current(s, state, counter, expected)
        target = lookup.offered_service(db, site, to_service)
        if target.id == t.service_id:
            raise ValidationFailed([FieldError("service", "Rujukan harus ke layanan lain.")])
        _apply(t, Action.refer)
        now = utcnow()
        t.finished_at, t.note = now, note
        state.current_ticket_id = None
        new = Ticket(site_id=site.id, visit_id=t.visit_id, service_id=target.id, prefix=t.prefix,
                     local_date=t.local_date, seq=None, number=t.number, channel=Channel.referral,
                     priority=t.priority, is_priority=t.is_priority, status=Status.waiting,
                     ready_at=t.issued_at if position == "front" else now, issued_at=now, referred_from_id=t.id,
                     note=note)
        s.add(new)
        s.flush()
        _event(s, t, "referred", actor.label, actor.user_id, counter.id,
               {"to_service": target.code, "to_ticket": str(new.id), "note": note})
        _event(s, new, "issued", actor.label, actor.user_id, counter.id,
               {"channel": "referral", "from_ticket": str(t.id), "position": position})
        out.add(site.id, _ticket_event("referred", site.code, t, counter, to_ticket_id=str(new.id)))
        out.add(site.id, _ticket_event("issued", site.code, new))
    out.flush(_bus)
    return _positioned(db, new.id, site.code)


def _ticket_action(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID, action: Action) -> TicketView:
    out = _Outbox()
    with db.write() as s:
        site = site_row(s, site_code)
        t = s.get(Ticket, ticket_id, with_for_update=True)
        if t is None or t.site_id != site.id:
            raise NotFound("Tiket", "ticket")
        agency_id = s.scalar(select(Service.agency_id).where(Service.id == t.service_id))
        if not can_operate_counter(actor, _ref(site), agency_id):
            raise Forbidden()
        now = utcnow()
        if action is Action.requeue and t.status is Status.no_show:
            called = t.called_at or t.issued_at
            if now - called > NO_SHOW_GRACE:
                raise Conflict("grace_expired", f"Nomor {t.number} sudah lewat {int(NO_SHOW_GRACE.total_seconds() // 60)}"
                                                " menit sejak dipanggil; silakan ambil nomor baru.", "ticket")
        _apply(t, action)
        if action is Action.requeue:
            t.ready_at, t.counter_id = now, None  # back of the queue
        elif action is Action.resume:
            t.counter_id = None  # keeps its place (ready_at unchanged)
        kind = "requeued" if action is Action.requeue else "resumed"
        _event(s, t, kind, actor.label, actor.user_id)
        out.add(site.id, _ticket_event(kind, site.code, t))
    out.flush(_bus)
    return _positioned(db, t.id, site.code)


def requeue(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID) -> TicketView:
    """A no-show who comes back within the grace window rejoins the queue at the back."""
    return _ticket_action(db, actor, site_code, ticket_id, Action.requeue)


def resume(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID) -> TicketView:
    """A ticket put on hold goes back to waiting, keeping its place."""
    return _ticket_action(db, actor, site_code, ticket_id, Action.resume)


def waiting(db: Database, actor: Actor, site_code: str) -> list[TicketView]:
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        tickets = s.scalars(select(Ticket).where(Ticket.site_id == site.id, Ticket.status == Status.waiting)
                            .order_by(Ticket.is_priority.desc(), Ticket.ready_at, Ticket.id)).all()
        return [_view(db, t, site.code) for t in tickets]


def close_day(db: Database, actor: Actor, site_code: str, day: date, reason: str) -> CloseDayResult:
    """End of day: unserved tickets close with a reason (statistics keep them), counters close."""
    out = _Outbox()
    with db.write() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, _ref(site)):
            raise Forbidden()
        open_statuses = [st for st in Status if (st, Action.close) in policy.TRANSITIONS]
        tickets = s.scalars(select(Ticket).where(Ticket.site_id == site.id, Ticket.local_date <= day,
                                                 Ticket.status.in_(open_statuses))).all()
        for t in tickets:
            _apply(t, Action.close)
            t.closed_reason = reason
            _event(s, t, "closed", actor.label, actor.user_id, data={"reason": reason})
        states = s.scalars(select(CounterState).where(CounterState.site_id == site.id,
                                                      CounterState.is_open.is_(True))).all()
        for state in states:
            state.is_open, state.current_ticket_id, state.closed_reason, state.priority_streak = False, None, reason, 0
        out.add(site.id, {"type": "day.closed", "site": site.code, "date": day.isoformat(),
                          "at": utcnow().isoformat()})
        result = CloseDayResult(closed_tickets=len(tickets), closed_counters=len(states))
    out.flush(_bus)
    return result


def configure_service_queue(db: Database, actor: Actor, site_code: str, service_code: str, prefix: str,
                            slot_minutes: int = 30, slot_quota: int = 0, booking_grace_minutes: int = 15) -> None:
    """Set a service's ticket letter (services sharing a letter share one numbering) and booking slots."""
    errors = []
    if not re.fullmatch(r"[A-Z]{1,3}", prefix):
        errors.append(FieldError("prefix", "Huruf antrian harus 1-3 huruf kapital, misalnya A."))
    if not 5 <= slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", "Lama slot harus antara 5 dan 240 menit."))
    if not 0 <= slot_quota <= 500:
        errors.append(FieldError("slot_quota", "Kuota slot harus antara 0 dan 500."))
    if not 0 <= booking_grace_minutes <= 120:
        errors.append(FieldError("booking_grace_minutes", "Toleransi keterlambatan harus antara 0 dan 120 menit."))
    if errors:
        raise ValidationFailed(errors)
    with db.write() as s:
        site = site_row(s, site_code)
        svc = s.scalar(select(Service).where(Service.site_id == site.id, Service.code == service_code.upper()))
        if svc is None:
            raise NotFound(f"Layanan '{service_code}'", "service")
        from ..accounts.scope import can_manage_agency

        if not can_manage_agency(actor, _ref(site), svc.agency_id):
            raise Forbidden()
        qs = s.get(QueueSettings, svc.id)
        before = audit.snapshot(qs) if qs else None
        if qs is None:
            qs = QueueSettings(service_id=svc.id)
            s.add(qs)
        qs.prefix, qs.slot_minutes, qs.slot_quota, qs.booking_grace_minutes = (
            prefix, slot_minutes, slot_quota, booking_grace_minutes)
        s.flush()
        audit.record(s, actor, "service.queue", "service", svc.id, site.id, before, audit.snapshot(qs))


def board_state(db: Database, site_code: str, agencies: Collection[str] = ()) -> BoardState:
    """What a display board shows (public: numbers and counters only, no personal data); with
    `agencies` (codes) only their counters, calls and waiting tickets, for a board that shows
    part of the hall."""
    site = lookup.site(db, site_code)
    only = Agency.code.in_(list(agencies)) if agencies else true()
    day = policy.local_day(utcnow(), site.timezone)
    with db.read() as s:
        counters = s.execute(select(Counter.id, Counter.number, Counter.name, Agency.short_name)
                             .join(Agency, Agency.id == Counter.agency_id)
                             .where(Counter.site_id == site.id, only).order_by(Counter.number)).all()
        states = {st.counter_id: st for st in s.scalars(select(CounterState).where(CounterState.site_id == site.id))}
        current_ids = [st.current_ticket_id for st in states.values() if st.current_ticket_id]
        current = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(current_ids)))} if current_ids else {}
        rows = []
        for cid, number, name, agency in counters:
            st = states.get(cid)
            t = current.get(st.current_ticket_id) if st and st.current_ticket_id else None
            active = t is not None and t.status in policy.ACTIVE_AT_COUNTER
            rows.append(BoardCounter(number=number, name=name, agency=agency or "", is_open=bool(st and st.is_open),
                                     ticket=t.number if active else None, status=t.status.value if active else None))
        calls = s.execute(select(Ticket.number, Counter.number, TicketEvent.at)
                          .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                          .join(Counter, Counter.id == TicketEvent.counter_id)
                          .join(Agency, Agency.id == Counter.agency_id)
                          .where(Ticket.site_id == site.id, Ticket.local_date == day, only,
                                 TicketEvent.kind.in_(["called", "recalled"]))
                          .order_by(TicketEvent.at.desc()).limit(8)).all()
        waiting = s.execute(select(Agency.short_name, func.count()).select_from(Ticket)
                            .join(Service, Service.id == Ticket.service_id).join(Agency, Agency.id == Service.agency_id)
                            .where(Ticket.site_id == site.id, Ticket.local_date == day, only,
                                   Ticket.status == Status.waiting)
                            .group_by(Agency.short_name).order_by(Agency.short_name)).all()
    return BoardState(site=site.code, timezone=site.timezone, counters=rows,
                      recent_calls=[BoardCall(number=n, counter=c, at=at, announcement=voice.call_announcement(n, c))
                                    for n, c, at in calls],
                      waiting={name or "-": int(count) for name, count in waiting})


VOID_WINDOW = timedelta(minutes=5)


def void_unprinted(db: Database, issuer: Issuer, ticket_id: uuid.UUID) -> TicketView:
    """The kiosk's printer failed: the number it just issued is withdrawn, so no number is
    left in the queue that nobody holds. Only the issuing kiosk, only while still waiting,
    only within five minutes."""
    out = _Outbox()
    with db.write() as s:
        t = s.get(Ticket, ticket_id, with_for_update=True)
        if t is None or t.site_id != issuer.site_id:
            raise NotFound("Tiket", "ticket")
        issued_by = s.scalar(select(TicketEvent.actor_label).where(TicketEvent.ticket_id == t.id,
                                                                   TicketEvent.kind == "issued"))
        if issued_by != issuer.label or utcnow() - t.issued_at > VOID_WINDOW:
            raise Forbidden("Nomor ini tidak dapat dibatalkan dari perangkat ini.")
        _apply(t, Action.close)
        t.closed_reason = "Cetak tiket gagal"
        _event(s, t, "voided", issuer.label, None, data={"reason": t.closed_reason})
        site_code = s.scalar(select(Site.code).where(Site.id == t.site_id))
        view = _view(db, t, site_code)
        out.add(t.site_id, _ticket_event("voided", site_code, t))
    out.flush(_bus)
    return view
