"""The notifications table: a transactional outbox of messages to citizens.

A row is written in the same transaction as the business change that causes it (a ticket
called, a booking made, a permohonan moving on), so a message exists exactly when the
change committed. Workers then send it in the background and record the result here.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class NotifyStatus(StrEnum):
    pending = "pending"  # waiting for its (next) attempt at next_attempt_at
    sending = "sending"  # claimed by a worker until next_attempt_at (the lease)
    sent = "sent"
    failed = "failed"  # dead: permanent error or attempts exhausted; never retried
    cancelled = "cancelled"  # withdrawn before it was sent (e.g. the booking it reminds of was cancelled)


class Notification(IdMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_reference", "reference"),
    )

    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # ticket_called | booking_reminder | ...
    channel: Mapped[str] = mapped_column(String(16))  # email | whatsapp | sms | outbox
    # The full address, encrypted at rest, needed to send; never logged; erased ("") once the
    # message is sent or failed. recipient_hash finds messages by address without it.
    recipient: Mapped[str] = mapped_column(EncryptedText)
    recipient_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    recipient_masked: Mapped[str] = mapped_column(String(320))  # for lists, logs and errors
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100), default="")  # e.g. ticket id, booking code
    status: Mapped[str] = mapped_column(String(12), default=NotifyStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts started (claims)
    # pending: not before this time; sending: the claim's lease ends at this time.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_token: Mapped[uuid.UUID | None] = mapped_column()  # the current claim; results of older claims are ignored
    last_error: Mapped[str | None] = mapped_column(Text)  # latest failure, kept after a later success; scrubbed
    delivered_via: Mapped[str | None] = mapped_column(String(16))  # the channel that took it, e.g. "outbox"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


_NON_DIGIT = re.compile(r"\D")


def mask_recipient(recipient: str) -> str:
    """'budi.santoso@example.co.id' -> 'bu***@e***.co.id'; '+6281234567890' -> '+628*******890'."""
    value = recipient.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        head, dot, tail = domain.partition(".")
        masked_domain = (head[:1] + "***" + dot + tail) if dot else (head[:1] + "***")
        return local[:2 if len(local) > 5 else 1] + "***@" + masked_domain
    digits = _NON_DIGIT.sub("", value)
    prefix = "+" if value.startswith("+") else ""
    if len(digits) >= 8:
        return prefix + digits[:3 if prefix else 4] + "*" * (len(digits) - (6 if prefix else 7)) + digits[-3:]
    if len(digits) >= 3:
        return prefix + "*" * (len(digits) - 2) + digits[-2:]
    return "***"
