"""Tickets: issuing one (kiosk or reception), the events a ticket change publishes, and the
steps on a ticket away from a counter (a no-show rejoining, a held ticket resuming, a kiosk
withdrawing a number its printer failed to print).

A new ticket row comes from two places only: `store.insert_ticket` (portable; issue on
SQLite, check-in and referral everywhere) and `pgstatements.issue` (PostgreSQL's issue in one
statement). `new_numbered_ticket` gives a new visit its next number; check-in uses it too.

Check then do: `check_*` validates (from cached facts, writing nothing); `do_*` performs, in
the transaction its docstring names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..cache import require_io
from ..catalogue import service as catalogue
from ..catalogue.service import site_row
from ..db import Database, dialect_insert, on_commit
from ..errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_issue_tickets, can_operate_counter
from ..timeutil import utcnow
from . import daygate, lookup, pgstatements, policy, runner, store, views, voice
from .models import Ticket, TicketEvent, TicketSequence
from .policy import Action, Channel, Priority, Status
from .schemas import TicketView

if TYPE_CHECKING:
    from .hotpath import HotPath

ACTION_LABELS = {
    Action.call: "dipanggil", Action.recall: "dipanggil ulang", Action.no_show: "ditandai tidak hadir",
    Action.requeue: "dimasukkan kembali ke antrean", Action.start: "mulai dilayani", Action.finish: "diselesaikan",
    Action.refer: "dirujuk", Action.hold: "ditunda", Action.resume: "dilanjutkan", Action.close: "ditutup",
}
NO_SHOW_GRACE = timedelta(minutes=30)
VOID_WINDOW = timedelta(minutes=5)
IDEMPOTENCY_FIELD = "Idempotency-Key"


@dataclass
class Issuer:
    """Who issues a ticket: a kiosk (device token) or a staff member at reception."""

    label: str
    site_id: uuid.UUID
    actor: Actor | None = None
    device_id: uuid.UUID | None = None


class IdempotencyKeyReused(DomainError):
    """The client sent an Idempotency-Key it already used for a different ticket request."""

    status = 422

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused",
                         "Idempotency-Key ini sudah dipakai untuk permintaan nomor antrean yang lain.",
                         IDEMPOTENCY_FIELD)


# ---------------------------------------------------------------- shared by every ticket change

def site_channel(site_id: uuid.UUID) -> str:
    """The bus channel of a site's live queue events."""
    return f"site:{site_id}"


def ticket_event(kind: str, site_code: str, t: Any, counter: Any = None, **extra: Any) -> dict[str, Any]:
    """The live event of a ticket change (`t`: an ORM ticket or a store.TicketRow)."""
    event = {"type": f"ticket.{kind}", "site": site_code, "ticket_id": str(t.id), "number": t.number,
             "status": t.status.value, "service_id": str(t.service_id),
             "counter": counter.number if counter else None, "at": utcnow().isoformat(), **extra}
    if kind == "called" and t.ready_at is not None and t.called_at is not None:
        event["waited_seconds"] = max(0.0, (t.called_at - t.ready_at).total_seconds())  # metrics.py
    if kind in ("called", "recalled") and counter is not None:
        said = (t.number, counter.number, getattr(counter, "agency_short_name", ""), getattr(counter, "floor", ""),
                kind == "recalled")
        event["announcement"] = voice.call_announcement(*said)
        event["clips"] = voice.call_clips(*said)
    return event


def illegal(t: Any, action: Action) -> DomainError:
    """The refusal of a move the policy does not allow from the ticket's status."""
    label = policy.STATUS_LABELS[t.status][0].lower()
    return Conflict("illegal_transition",
                    f"Nomor {t.number} sedang berstatus '{label}', sehingga tidak dapat {ACTION_LABELS[action]}.",
                    "ticket")


def apply(t: Ticket, action: Action) -> None:
    """Move an ORM ticket by the policy, or refuse."""
    try:
        t.status = policy.transition(t.status, action)
    except policy.IllegalTransition:
        raise illegal(t, action) from None


def record(s: Session, ticket: Ticket, kind: str, who: str, actor_id: uuid.UUID | None,
           counter_id: uuid.UUID | None = None, data: dict[str, Any] | None = None) -> None:
    """The ticket's history entry for a change made through the ORM, with its new status."""
    s.add(TicketEvent(ticket_id=ticket.id, at=utcnow(), kind=kind, status=ticket.status.value, actor_label=who,
                      actor_id=actor_id, counter_id=counter_id, data=data))


def next_seq(s: Session, site_id: uuid.UUID, prefix: str, day: date) -> int:
    """The next number for this site, letter and day: one atomic statement on both backends."""
    stmt = dialect_insert(s, TicketSequence.__table__).values(site_id=site_id, prefix=prefix, local_date=day, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["site_id", "prefix", "local_date"],
        set_={"last": TicketSequence.__table__.c.last + 1},
    ).returning(TicketSequence.__table__.c.last)
    return int(s.execute(stmt).scalar_one())


def new_numbered_ticket(s: Session, *, site_id: uuid.UUID, service_id: uuid.UUID, prefix: str, day: date,
                        channel: Channel, priority: Priority, ready_at: datetime, now: datetime,
                        booking_id: uuid.UUID | None = None, idempotency_key: str | None = None,
                        daily_quota: int = 0) -> store.TicketRow:
    """A new visit and its first ticket with the next number of its letter and day. Inside the
    caller's `db.write()` transaction (the sequence row stays locked until it commits). With a
    daily quota, the service's tickets of the day are counted once that lock is held, and
    daygate.QuotaReached is raised (the caller's transaction rolls back) when none is left."""
    seq = next_seq(s, site_id, prefix, day)
    conn: Connection = s.connection()
    if daily_quota > 0 and store.issued_on_day(conn, site_id, service_id, day) >= daily_quota:
        raise daygate.QuotaReached()
    visit_id = store.insert_visit(conn, site_id, now, priority)
    return store.insert_ticket(conn, site_id=site_id, visit_id=visit_id, service_id=service_id, prefix=prefix,
                               day=day, seq=seq, number=policy.format_number(prefix, seq), channel=channel,
                               priority=priority, is_priority=priority is not Priority.none, ready_at=ready_at,
                               now=now, booking_id=booking_id, idempotency_key=idempotency_key)


# ---------------------------------------------------------------- issue

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


def check_issue(db: Database, issuer: Issuer, site_code: str, service_code: str,
                priority: Priority = Priority.none, channel: Channel = Channel.kiosk,
                idempotency_key: str | None = None) -> IssuePlan:
    """May this kiosk or staff member issue this service's ticket here? Staff of a mall may
    also issue at its mobile events. Writes nothing."""
    if idempotency_key is not None and not policy.valid_idempotency_key(idempotency_key):
        raise ValidationFailed([FieldError(IDEMPOTENCY_FIELD, "Idempotency-Key harus 8–64 karakter: huruf, angka, "
                                                              "'-' atau '_'.")])
    site = lookup.site(db, site_code)
    if issuer.actor is not None and site.id != issuer.site_id and site.parent_id == issuer.site_id:
        issuer = Issuer(label=issuer.label, site_id=site.id, actor=issuer.actor)
    if issuer.site_id != site.id:
        raise Forbidden("Perangkat atau akun ini bukan milik lokasi layanan tersebut.")
    if issuer.actor is not None and not can_issue_tickets(issuer.actor, site.ref):
        raise Forbidden()
    svc = lookup.offered_service(db, site, service_code)
    daygate.check_open(db, site, svc, utcnow())
    return IssuePlan(site, svc, issuer, priority, channel, views.service_pace(db, svc), idempotency_key)


def issue_in_transaction(plan: IssuePlan) -> bool:
    """A service with a daily quota is issued in a transaction on PostgreSQL too: the count
    must be read after the sequence row's lock is taken, which one statement cannot do (its
    snapshot is older than the lock). Services without a quota keep the single statement."""
    return plan.svc.daily_quota > 0


def issue_statement(plan: IssuePlan) -> pgstatements.Prepared[pgstatements.Issued]:
    """PostgreSQL: the whole issue as one statement (pgstatements.issue)."""
    now = utcnow()
    who = plan.issuer
    return pgstatements.issue(
        site_id=plan.site.id, service_id=plan.svc.id, prefix=plan.svc.prefix,
        day=policy.local_day(now, plan.site.timezone), channel=plan.channel, priority=plan.priority, now=now,
        actor_label=who.label, actor_id=who.actor.user_id if who.actor else None,
        data={"channel": plan.channel.value, "priority": plan.priority.value}, idempotency_key=plan.idempotency_key,
        site_code=plan.site.code)


def _replayed(db: Database, plan: IssuePlan, earlier: store.TicketRow) -> TicketView:
    """A retried issue: the ticket its key was first issued with, as it stands now (it may have
    been called meanwhile), if the retry asks for the same; nothing is published again."""
    if not policy.same_issue(earlier.service_id, earlier.priority, earlier.channel,
                             plan.svc.id, plan.priority, plan.channel):
        raise IdempotencyKeyReused()
    require_io()
    return views.positioned(db, earlier, plan.site.code)


def issued(db: Database, plan: IssuePlan, result: pgstatements.Issued) -> TicketView:
    """After the issue statement committed: publish, and the ticket's view with its position."""
    t = result.ticket
    if result.replayed or result.ahead is None:
        return _replayed(db, plan, t)
    view = views.ticket_view(db, t, plan.site.code)  # first: in cache-only mode a miss must come before publishing
    view.position = result.ahead
    avg, counters = plan.pace
    view.estimated_wait_minutes = int(policy.estimate_wait(result.ahead, avg, counters).total_seconds() // 60)
    db.publish(site_channel(plan.site.id), ticket_event("issued", plan.site.code, t))
    return view


def do_issue(db: Database, plan: IssuePlan) -> TicketView:
    """The issue in its own `db.write()` transaction: SQLite has one writer at a time, so the
    key is checked and taken together. On PostgreSQL (a service with a quota) two retries with
    one key may race: the later one fails on the key's unique index and, run again, finds the
    first one's ticket."""
    site, svc, key = plan.site, plan.svc, plan.idempotency_key
    now = utcnow()
    for attempt in (1, 2):
        try:
            with db.write() as s:
                earlier = store.ticket_by_key(s.connection(), site.id, key) if key is not None else None
                if earlier is None:
                    t = _issue_new(s, plan, now)
            break
        except daygate.QuotaReached:
            raise daygate.quota_refusal(db, site, svc, now) from None
        except IntegrityError:
            if key is None or attempt == 2:
                raise
    if earlier is not None:
        return _replayed(db, plan, earlier)
    return views.positioned(db, t, site.code)


def _issue_new(s: Session, plan: IssuePlan, now: datetime) -> store.TicketRow:
    """A new ticket and its 'issued' event, in the caller's transaction."""
    site, svc, issuer = plan.site, plan.svc, plan.issuer
    t = new_numbered_ticket(s, site_id=site.id, service_id=svc.id, prefix=svc.prefix,
                            day=policy.local_day(now, site.timezone), channel=plan.channel, priority=plan.priority,
                            ready_at=now, now=now, idempotency_key=plan.idempotency_key,
                            daily_quota=svc.daily_quota)
    store.add_event(s.connection(), t.id, now, "issued", t.status, issuer.label,
                    issuer.actor.user_id if issuer.actor else None,
                    data={"channel": plan.channel.value, "priority": plan.priority.value})
    on_commit(s, site_channel(site.id), ticket_event("issued", site.code, t))
    return t


ISSUE = runner.Operation(check=check_issue, statement=issue_statement, done=issued, perform=do_issue,
                         in_transaction=issue_in_transaction)


def issue_ticket(db: Database, issuer: Issuer, site_code: str, service_code: str,
                 priority: Priority = Priority.none, channel: Channel = Channel.kiosk,
                 idempotency_key: str | None = None) -> TicketView:
    """A new ticket; with an idempotency key the site has seen, the ticket issued with it."""
    return runner.run(db, ISSUE, issuer, site_code, service_code, priority, channel, idempotency_key)


async def issue_ticket_async(db: Database, hot: HotPath | None, issuer: Issuer, site_code: str,
                             service_code: str,
                             priority: Priority = Priority.none, channel: Channel = Channel.kiosk,
                             idempotency_key: str | None = None) -> TicketView:
    """`issue_ticket` for a route: on the hot path when there is one (runner.run_async)."""
    return await runner.run_async(db, hot, ISSUE, issuer, site_code, service_code, priority, channel,
                                  idempotency_key)


# ---------------------------------------------------------------- steps away from a counter

def _ticket_action(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID, action: Action) -> TicketView:
    with db.write() as s:
        site = site_row(s, site_code)
        t = s.get(Ticket, ticket_id, with_for_update=True)
        if t is None or t.site_id != site.id:
            raise NotFound("Tiket", "ticket")
        svc = catalogue.service(s, t.service_id)
        assert svc is not None, "a ticket's service is a foreign key"
        if not can_operate_counter(actor, site.ref, svc.agency_id):
            raise Forbidden()
        now = utcnow()
        if action is Action.requeue and t.status is Status.no_show:
            called = t.called_at or t.issued_at
            if now - called > NO_SHOW_GRACE:
                minutes = int(NO_SHOW_GRACE.total_seconds() // 60)
                raise Conflict("grace_expired", f"Nomor {t.number} sudah lewat {minutes} menit sejak dipanggil; "
                                                "silakan ambil nomor baru.", "ticket")
        apply(t, action)
        if action is Action.requeue:
            t.ready_at, t.counter_id = now, None  # back of the queue
        elif action is Action.resume:
            t.counter_id = None  # keeps its place (ready_at unchanged)
        kind = "requeued" if action is Action.requeue else "resumed"
        record(s, t, kind, actor.label, actor.user_id)
        on_commit(s, site_channel(site.id), ticket_event(kind, site.code, t))
    return views.positioned(db, t.id, site.code)


def requeue(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID) -> TicketView:
    """A no-show who comes back within the grace window rejoins the queue at the back."""
    return _ticket_action(db, actor, site_code, ticket_id, Action.requeue)


def resume(db: Database, actor: Actor, site_code: str, ticket_id: uuid.UUID) -> TicketView:
    """A ticket put on hold goes back to waiting, keeping its place."""
    return _ticket_action(db, actor, site_code, ticket_id, Action.resume)


def void_unprinted(db: Database, issuer: Issuer, ticket_id: uuid.UUID) -> TicketView:
    """The kiosk's printer failed: the number it just issued is withdrawn, so no number is
    left in the queue that nobody holds. Only the issuing kiosk, only while still waiting,
    only within five minutes."""
    with db.write() as s:
        t = s.get(Ticket, ticket_id, with_for_update=True)
        if t is None or t.site_id != issuer.site_id:
            raise NotFound("Tiket", "ticket")
        issued_by = s.scalar(select(TicketEvent.actor_label).where(TicketEvent.ticket_id == t.id,
                                                                   TicketEvent.kind == "issued"))
        if issued_by != issuer.label or utcnow() - t.issued_at > VOID_WINDOW:
            raise Forbidden("Nomor ini tidak dapat dibatalkan dari perangkat ini.")
        apply(t, Action.close)
        t.closed_reason = "Cetak tiket gagal"
        record(s, t, "voided", issuer.label, None, data={"reason": t.closed_reason})
        ticket_site = catalogue.site(s, t.site_id)
        assert ticket_site is not None, "a ticket's site is a foreign key"
        site_code = ticket_site.code
        view = views.ticket_view(db, t, site_code)
        on_commit(s, site_channel(t.site_id), ticket_event("voided", site_code, t))
    return view
