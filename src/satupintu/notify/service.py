"""Notification use cases: enqueue inside the caller's transaction, claim due messages for
a worker, record what happened, and list what the development outbox received.

Concurrency: claim_due runs in a write transaction. On PostgreSQL the due rows are locked
with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint batches without waiting on
each other; on SQLite the write transaction starts with BEGIN IMMEDIATE behind the
Database's writer lock (see db.py), so claims are serialised. Either way a claimed row is
marked `sending` with a lease (next_attempt_at) and a fresh lease_token before commit; a
worker that dies leaves the row to be claimed again once the lease ends, and a result
reported under a lease that was since taken over is ignored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..db import Database
from ..ids import new_id
from ..logs import mask
from ..secretbox import blind_index
from ..timeutil import utcnow
from .backoff import Backoff, next_attempt_at
from .channels import OutgoingMessage
from .models import Notification, NotifyStatus, mask_recipient

CHANNELS = ("email", "whatsapp", "sms", "outbox")
MAX_ERROR = 500
LEASE_EXPIRED = "worker stopped while sending (lease expired)"


def _check(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"{field} is longer than {limit} characters")
    return value


def enqueue(session: Session, *, kind: str, channel: str, recipient: str, subject: str, body: str,
            reference: str = "", site_id: uuid.UUID | None = None, not_before: datetime | None = None,
            now: datetime | None = None) -> uuid.UUID:
    """Store a message to send, in the caller's open write transaction.

    Nothing is sent here and no provider is contacted: the message exists only if the
    caller's transaction commits, and a worker sends it afterwards. `not_before` schedules
    it (e.g. a booking reminder the day before).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    to = recipient.strip()
    if not to:
        raise ValueError("empty recipient")
    now = now or utcnow()
    row = Notification(
        id=new_id(), site_id=site_id, kind=_check(kind, "kind", 40), channel=channel,
        recipient=_check(to, "recipient", 320), recipient_hash=_recipient_hash(to),
        recipient_masked=mask_recipient(to),
        subject=_check(" ".join(subject.split()), "subject", 200), body=body,
        reference=_check(reference, "reference", 100), status=NotifyStatus.pending.value, attempts=0,
        next_attempt_at=not_before or now, created_at=now)
    session.add(row)
    return row.id


def cancel_unsent(session: Session, *, reference: str, kind: str) -> int:
    """Withdraw, in the caller's open write transaction, the messages of `kind` for `reference`
    not sent yet (e.g. a booking's reminder when the booking is cancelled): they become
    `cancelled` and their address is erased. One a worker is sending at this moment is
    withdrawn too; the worker's result is then ignored (its lease no longer holds), so it is
    never retried. Returns how many were withdrawn."""
    rows = session.scalars(
        select(Notification).where(Notification.reference == reference, Notification.kind == kind,
                                   Notification.status.in_((NotifyStatus.pending.value, NotifyStatus.sending.value)))
        .with_for_update()).all()
    for row in rows:
        _settle(row, NotifyStatus.cancelled)
    return len(rows)


def _recipient_hash(recipient: str) -> str:
    return blind_index("recipient", recipient.strip())


def _settle(row: Notification, status: NotifyStatus) -> None:
    """A message reaches its last state: nothing more will be sent, so its address is erased
    (the masked form stays for the lists, the keyed hash for finding it)."""
    row.status, row.lease_token = status.value, None
    row.recipient = ""


def _message(row: Notification) -> OutgoingMessage:
    assert row.lease_token is not None
    return OutgoingMessage(id=row.id, kind=row.kind, channel=row.channel, recipient=row.recipient,
                           recipient_masked=row.recipient_masked, subject=row.subject, body=row.body,
                           reference=row.reference, lease_token=row.lease_token, attempt=row.attempts)


def claim_due(db: Database, now: datetime, limit: int, *, lease_seconds: float = 120.0,
              max_attempts: int | None = None) -> list[OutgoingMessage]:
    """Take up to `limit` messages that are due (pending and due, or sending with an expired
    lease), mark them sending under a new lease, and return them to send.

    A message whose lease expired after its last allowed attempt is marked failed instead.
    """
    if limit <= 0:
        return []
    due = or_(Notification.status == NotifyStatus.pending.value, Notification.status == NotifyStatus.sending.value)
    claimed: list[OutgoingMessage] = []
    with db.write() as s:
        rows = s.scalars(
            select(Notification).where(due, Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)
            .with_for_update(skip_locked=True)).all()
        for row in rows:
            if row.status == NotifyStatus.sending.value:
                row.last_error = LEASE_EXPIRED
                if max_attempts is not None and row.attempts >= max_attempts:
                    _settle(row, NotifyStatus.failed)
                    continue
            row.status = NotifyStatus.sending.value
            row.attempts += 1
            row.lease_token = uuid.uuid4()
            row.next_attempt_at = now + timedelta(seconds=lease_seconds)
            claimed.append(_message(row))
    return claimed


def scrub(text: str, recipient: str, recipient_masked: str) -> str:
    """An error text safe to store and log: the recipient, in any spelling, replaced by its
    masked form; long digit runs masked; cut to MAX_ERROR characters."""
    out = text
    if recipient:
        out = re.sub(re.escape(recipient), recipient_masked, out, flags=re.IGNORECASE)
        digits = re.sub(r"\D", "", recipient)
        if "@" not in recipient and len(digits) >= 6:
            # '+62 812-3456-7890' may come back as '6281234567890', '081234567890', '81234567890'.
            national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
            for variant in sorted({digits, "62" + national, "0" + national, national}, key=len, reverse=True):
                if len(variant) >= 6:
                    out = out.replace(variant, recipient_masked)
        elif "@" in recipient:
            local = recipient.split("@", 1)[0]
            if len(local) >= 3:
                out = re.sub(re.escape(local), "***", out, flags=re.IGNORECASE)
    return mask(out)[:MAX_ERROR]


@dataclass(frozen=True)
class Outcome:
    """What a worker reports for one claimed message."""

    error: str | None = None  # None: sent
    permanent: bool = False
    delivered_via: str | None = None


SENT = Outcome()


def record_result(db: Database, message: OutgoingMessage, outcome: Outcome, *, now: datetime,
                  policy: Backoff) -> str | None:
    """Store the result of one attempt; returns the new status, or None when this worker's
    lease was lost (the message was claimed again by another worker after the lease ended,
    or settled already): then nothing is changed."""
    with db.write() as s:
        row = s.get(Notification, message.id, with_for_update=True)
        if (row is None or row.status != NotifyStatus.sending.value
                or row.lease_token != message.lease_token):
            return None
        row.lease_token = None
        if outcome.error is None:
            _settle(row, NotifyStatus.sent)
            row.sent_at = now
            row.delivered_via = outcome.delivered_via
            return row.status
        row.last_error = scrub(outcome.error, row.recipient, row.recipient_masked)
        retry_at = None if outcome.permanent else next_attempt_at(row.attempts, now, policy, seed=str(row.id))
        if retry_at is None:
            _settle(row, NotifyStatus.failed)
        else:
            row.status = NotifyStatus.pending.value
            row.next_attempt_at = retry_at
        return row.status


def release(db: Database, messages: list[OutgoingMessage], *, now: datetime) -> int:
    """Give claimed, unattempted messages back (a worker stopping): due again at once, and
    the claim does not count as an attempt. Returns how many were released."""
    released = 0
    with db.write() as s:
        for message in messages:
            row = s.get(Notification, message.id, with_for_update=True)
            if row is None or row.status != NotifyStatus.sending.value or row.lease_token != message.lease_token:
                continue
            row.status, row.lease_token = NotifyStatus.pending.value, None
            row.attempts = max(0, row.attempts - 1)
            row.next_attempt_at = now
            released += 1
    return released


@dataclass(frozen=True)
class NotificationView:
    """A notification as lists and pages show it: the recipient masked."""

    id: uuid.UUID
    site_id: uuid.UUID | None
    kind: str
    channel: str
    recipient: str  # masked
    subject: str
    body: str
    reference: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_via: str | None
    created_at: datetime
    sent_at: datetime | None


def _view(row: Notification) -> NotificationView:
    return NotificationView(id=row.id, site_id=row.site_id, kind=row.kind, channel=row.channel,
                            recipient=row.recipient_masked, subject=row.subject, body=row.body,
                            reference=row.reference, status=row.status, attempts=row.attempts,
                            next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                            delivered_via=row.delivered_via, created_at=row.created_at, sent_at=row.sent_at)


def get_notification(db: Database, notification_id: uuid.UUID) -> NotificationView | None:
    with db.read() as s:
        row = s.get(Notification, notification_id)
        return _view(row) if row else None


def list_notifications(db: Database, *, site_id: uuid.UUID | None = None, reference: str | None = None,
                       status: str | None = None, recipient: str | None = None,
                       limit: int = 100) -> list[NotificationView]:
    """Newest first. `recipient` filters by the full address (as typed) without showing it."""
    q = select(Notification)
    if site_id is not None:
        q = q.where(Notification.site_id == site_id)
    if reference is not None:
        q = q.where(Notification.reference == reference)
    if status is not None:
        q = q.where(Notification.status == status)
    if recipient is not None:
        q = q.where(Notification.recipient_hash == _recipient_hash(recipient))
    with db.read() as s:
        rows = s.scalars(q.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()
        return [_view(r) for r in rows]


def outbox_messages(db: Database, *, site_id: uuid.UUID | None = None, reference: str | None = None,
                    recipient: str | None = None, kind: str | None = None,
                    limit: int = 100) -> list[NotificationView]:
    """What the development outbox received (delivered_via == "outbox"), newest first, for a
    page or API where developers and testers read the messages citizens would have got."""
    q = select(Notification).where(Notification.delivered_via == "outbox",
                                   Notification.status == NotifyStatus.sent.value)
    if site_id is not None:
        q = q.where(Notification.site_id == site_id)
    if reference is not None:
        q = q.where(Notification.reference == reference)
    if recipient is not None:
        q = q.where(Notification.recipient_hash == _recipient_hash(recipient))
    if kind is not None:
        q = q.where(Notification.kind == kind)
    with db.read() as s:
        rows = s.scalars(q.order_by(Notification.sent_at.desc(), Notification.id.desc()).limit(limit)).all()
        return [_view(r) for r in rows]


BACKLOG_STATUSES = (NotifyStatus.pending.value, NotifyStatus.sending.value)


def backlog(db: Database) -> dict[str, tuple[int, datetime | None]]:
    """The outbox not settled yet, for /metrics: per status (pending, sending) how many
    messages and when the oldest of them was queued (None when there is none).

    One grouped query, filtered on the leading column of ix_notifications_due (status): it
    reads the unsent rows only, never the sent history."""
    with db.read() as s:
        rows = s.execute(select(Notification.status, func.count(), func.min(Notification.created_at))
                         .where(Notification.status.in_(BACKLOG_STATUSES))
                         .group_by(Notification.status)).all()
    found = {str(status): (int(n), oldest) for status, n, oldest in rows}
    return {status: found.get(status, (0, None)) for status in BACKLOG_STATUSES}
