"""Queue tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..secretbox import EncryptedText
from ..timeutil import utcnow
from .policy import Channel, Priority, Status

WAITING_ONLY = "status = 'waiting'"  # the partial calling index's condition (migration 0032)


def _enum(cls: type, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, validate_strings=True)


class QueueSettings(Base):
    """How a service queues: its ticket letter and its online booking slots."""

    __tablename__ = "queue_settings"

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    slot_quota: Mapped[int] = mapped_column(Integer, default=0)  # 0: no online booking
    booking_grace_minutes: Mapped[int] = mapped_column(Integer, default=15)
    booking_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    daily_quota: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # tickets per day; 0: no limit
    last_issue_time: Mapped[time | None] = mapped_column(Time)  # the service stops issuing at this clock time


class DayClose(Base):
    """A site's closed queue day. The primary key makes closing happen once, whichever
    process (or manager) gets there first."""

    __tablename__ = "queue_day_closes"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_by: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    closed_tickets: Mapped[int] = mapped_column(Integer, default=0)


class BoardText(Base):
    """The running text a site's boards show along their foot, set by the site's manager."""

    __tablename__ = "board_texts"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class TicketSequence(Base):
    """The last number given per site, letter and local day. Incremented atomically."""

    __tablename__ = "ticket_sequences"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Visit(IdMixin, Base):
    """One citizen's visit: the tickets it holds across agencies when referred."""

    __tablename__ = "visits"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"), default=Priority.none)


class Ticket(IdMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("site_id", "prefix", "local_date", "seq"),
        # The calling query: waiting tickets of a service, by class, of the day, in ready_at then id
        # order. Only waiting tickets are in it (a partial index): the called, served and closed
        # ones, most of a day's rows and all of the past days', are never read by it.
        Index("ix_tickets_waiting", "service_id", "is_priority", "local_date", "ready_at", "id",
              postgresql_where=text(WAITING_ONLY), sqlite_where=text(WAITING_ONLY)),
        Index("ix_tickets_site_day", "site_id", "local_date", "status"),
        # A retried issue (the answer was lost) finds the ticket its first attempt made.
        Index("ix_tickets_idempotency", "site_id", "idempotency_key", unique=True),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"), index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    prefix: Mapped[str] = mapped_column(String(3))
    local_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int | None] = mapped_column(Integer)  # None for a referral: it keeps the visit's number
    number: Mapped[str] = mapped_column(String(12))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"), default=Priority.none)
    is_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[Status] = mapped_column(_enum(Status, "ticket_status"), default=Status.waiting)
    ready_at: Mapped[datetime] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column()
    serving_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counters.id"))
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    booking_id: Mapped[uuid.UUID | None] = mapped_column()
    referred_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    # The issuing client's Idempotency-Key, unique per site; None for tickets issued without one.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))


class TicketEvent(IdMixin, Base):
    """Every state change of a ticket, with the time and the actor."""

    __tablename__ = "ticket_events"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    counter_id: Mapped[uuid.UUID | None] = mapped_column()
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class CounterState(Base):
    """Whether a counter is open, who staffs it and what it is doing now."""

    __tablename__ = "counter_states"

    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_id: Mapped[uuid.UUID | None] = mapped_column()
    officer_label: Mapped[str] = mapped_column(String(100), default="")
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime | None] = mapped_column()  # since when the counter is closed
    current_ticket_id: Mapped[uuid.UUID | None] = mapped_column()
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CounterAttendance(IdMixin, Base):
    """One officer's stretch at a counter: opened by an account, closed with a reason; a close
    a supervisor confirmed (the last open counter of a service with people waiting) names them."""

    __tablename__ = "counter_attendance"
    __table_args__ = (Index("ix_counter_attendance_site_opened", "site_id", "opened_at"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counters.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    officer_label: Mapped[str] = mapped_column(String(100), default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    closed_by: Mapped[str] = mapped_column(String(100), default="")
    confirmed_by: Mapped[str] = mapped_column(String(100), default="")  # the supervisor's username
    confirm_reason: Mapped[str] = mapped_column(String(300), default="")


class Booking(IdMixin, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One booking per person, service and day, whether they give their NIK or phone.
        UniqueConstraint("service_id", "on_date", "nik_hash"),
        UniqueConstraint("service_id", "on_date", "phone_hash"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    on_date: Mapped[date] = mapped_column(Date)
    slot_start: Mapped[datetime] = mapped_column()
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Keyed hashes for the one-per-person check; cleared on cancel (bookings.cancel_booking), so
    # the person may book that day again, with the name and the masks.
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    nik_masked: Mapped[str] = mapped_column(String(20), default="")
    phone_masked: Mapped[str] = mapped_column(String(20), default="")
    # Only when the citizen asked for a reminder: where to send it and the call message.
    # Encrypted at rest; cleared once the booking's day is over (bookings.forget_past_contacts).
    notify_to: Mapped[str] = mapped_column(EncryptedText, default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | checked_in | cancelled
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    ticket_id: Mapped[uuid.UUID | None] = mapped_column()


class BookingSlot(Base):
    """Seats taken in one slot; raised only while below the quota, so never overbooked."""

    __tablename__ = "booking_slots"

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)
