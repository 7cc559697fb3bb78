"""A citizen cancels a booking by its code: the seat goes back to the slot, the contact data
is erased, the reminder is withdrawn.

Who may cancel: whoever holds the code. It is the booking's secret, printed on the booking
page and sent by SMS: 8 characters of a 32-letter alphabet (about 10^12 codes), and the routes
that take a code are rate-limited per address, so guessing a live one is impractical.

The rule: a booking can be cancelled while it is still `booked` and its slot has not started
(the slot's start time, in UTC, is the deadline). Once checked in it has become a ticket, and
from the slot's start the seat can no longer be used by anyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, select, update

from .. import audit, domain_events
from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import Conflict, NotFound
from ..notify import service as notify
from ..notify.templates import Kind
from ..scope import Actor
from ..timeutil import utcnow
from .models import Booking, BookingSlot
from .schemas import BookingCancelled

# Who acts when a citizen cancels with a booking code (no account): the audit log's label.
CITIZEN = Actor(user_id=None, username="warga (kode pemesanan)", role=None)


def cancel_booking(db: Database, code: str, now: datetime | None = None) -> BookingCancelled:
    """Cancel the booking with this code. One write transaction: the booking row locked, its
    seat given back to the slot, its name, NIK hash, phone hash, masks and phone number erased
    (so the person may book that service and day again), its unsent reminder withdrawn from
    the outbox, an audit entry. Cancelling a cancelled booking changes nothing and answers with
    `already_cancelled`. Refused (Conflict, field `code`) when checked in or once the slot has
    started; NotFound for an unknown code."""
    now = now or utcnow()
    with db.write() as s:
        b = s.scalar(select(Booking).where(Booking.code == code.strip().upper()).with_for_update())
        if b is None:
            raise NotFound("Pemesanan", "code")
        site, svc = catalogue.site(s, b.site_id), catalogue.service(s, b.service_id)
        assert site is not None and svc is not None, "a booking's site and service are foreign keys"
        if b.status == "cancelled":
            return _cancelled(b, site, svc, already=True)
        if b.status == "checked_in":
            raise Conflict("booking_checked_in", "Pemesanan ini sudah dipakai untuk mengambil nomor antrean, jadi "
                                                 "tidak dapat dibatalkan.", "code")
        if now >= b.slot_start:
            raise Conflict("slot_started", "Jadwal pemesanan ini sudah dimulai; pemesanan hanya dapat dibatalkan "
                                           "sebelum jadwalnya.", "code")
        # The seat goes back: slots() offers quota minus this counter.
        table = cast(Table, BookingSlot.__table__)  # a mapped class's __table__ is a Table
        freed = cast(CursorResult[Any], s.execute(
            update(table).where(table.c.service_id == b.service_id, table.c.slot_start == b.slot_start,
                                table.c.booked > 0).values(booked=table.c.booked - 1)))
        assert freed.rowcount == 1, "a booked booking holds a seat in its slot"
        b.status, b.cancelled_at = "cancelled", now
        b.name, b.nik_hash, b.phone_hash, b.nik_masked, b.phone_masked, b.notify_to = "", None, None, "", "", ""
        notify.cancel_unsent(s, reference=b.code, kind=Kind.booking_reminder.value)
        audit.record(s, CITIZEN, "booking.cancel", "booking", b.id, site.id, {"status": "booked"},
                     {"status": "cancelled", "cancelled_at": now.isoformat()})
        domain_events.record(s, "booking.cancelled", site_id=site.id, entity=f"booking:{b.id}", agency_id=svc.agency_id,
                             data={"site": site.code, "booking_id": str(b.id), "service": svc.code,
                                   "slot_start": b.slot_start.isoformat(), "status": b.status})
        return _cancelled(b, site, svc, already=False)


def _cancelled(b: Booking, site: catalogue.SiteFacts, svc: catalogue.ServiceFacts, *,
               already: bool) -> BookingCancelled:
    return BookingCancelled(code=b.code, site=site.code, service_code=svc.code, service_name=svc.name,
                            on_date=b.on_date, slot_start=b.slot_start, status=b.status, name=b.name,
                            nik_masked=b.nik_masked, phone_masked=b.phone_masked, ticket_id=b.ticket_id,
                            cancelled_at=b.cancelled_at, already_cancelled=already)
