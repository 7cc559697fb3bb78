"""Online booking use cases: slots from opening hours, quotas never overbooked, one booking
per person, service and day, check-in that turns a booking into a ticket."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import domain_events
from ..catalogue import service as catalogue
from ..config import get_settings
from ..db import Database, dialect_insert, on_commit
from ..errors import Conflict, DomainError, Errors, FieldError, Forbidden, NotFound, ValidationFailed
from ..nik import normalize_nik, parse_nik  # a shared pure rule: no I/O
from ..notify import service as notify
from ..notify.templates import Kind, render
from ..phone import normalise_phone
from ..timeutil import utcnow
from . import lookup, policy, store, views
from .models import Booking, BookingSlot, QueueSettings
from .policy import Channel, Priority
from .schemas import BookingIn, BookingView, SlotView, TicketView
from .tickets import Issuer, new_numbered_ticket, site_channel, ticket_event

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
BOOKING_DAYS_AHEAD = 30


def _identity_hash(kind: str, value: str) -> str:
    settings = get_settings()
    key = (settings.identity_key or settings.secret_key).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    return "*" * 12 + nik[-4:]


def mask_phone(phone: str) -> str:
    return phone[:4] + "*" * max(0, len(phone) - 7) + phone[-3:]


def _dml(s: Session, stmt: Any) -> CursorResult[Any]:
    """An UPDATE in the session's transaction; its result has the row count."""
    return cast(CursorResult[Any], s.execute(stmt))


def _settings(s: Session, svc: lookup.ServiceInfo) -> QueueSettings:
    qs = s.get(QueueSettings, svc.id)
    if qs is None or qs.slot_quota <= 0 or not qs.booking_enabled:
        raise Conflict("booking_disabled", f"Layanan '{svc.name}' tidak melayani pemesanan daring.", "service")
    return qs


def _refuse_lapsed(s: Session, site: catalogue.SiteFacts, svc: lookup.ServiceInfo) -> None:
    """A service whose agency's agreements have all ended takes no online booking, from the first
    day after the last one ended in the site's zone until one is renewed or extended."""
    today = policy.local_day(utcnow(), site.timezone)
    if svc.agency_id in catalogue.lapsed_agency_ids(s, site.home_id, today):
        raise Conflict("agreement_expired", f"Layanan '{svc.name}' tidak dapat dipesan daring: perjanjian kerja sama "
                                            f"instansinya dengan MPP sudah berakhir dan belum diperpanjang.",
                       "service")


def _day_slots(s: Session, site: catalogue.SiteFacts, qs: QueueSettings, day: date) -> list[policy.Slot]:
    """The booking slots of a day: none on a closure, outside an event's dates, or on a weekday
    the site does not open (its own hours)."""
    if day in catalogue.closed_dates(s, [site.id]):
        return []
    if site.is_event and site.starts_on and site.ends_on and not site.starts_on <= day <= site.ends_on:
        return []
    hours = catalogue.opening_hours(s, site.id).get(day.weekday())
    if hours is None:
        return []
    opens, closes = hours
    return policy.day_slots(day, opens, closes, qs.slot_minutes, site.timezone)


def slots(db: Database, site_code: str, service_code: str, day: date) -> list[SlotView]:
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        svc = lookup.offered_service(db, lookup.site(db, site_code), service_code)
        _refuse_lapsed(s, site, svc)
        qs = _settings(s, svc)
        day_slots = _day_slots(s, site, qs, day)
        if not day_slots:
            return []
        booked = dict(s.execute(select(BookingSlot.slot_start, BookingSlot.booked).where(
            BookingSlot.service_id == svc.id, BookingSlot.slot_start >= day_slots[0].start,
            BookingSlot.slot_start <= day_slots[-1].start)).all())
        now = utcnow()
        return [SlotView(start=sl.start, end=sl.end, quota=qs.slot_quota, booked=booked.get(sl.start, 0),
                         available=0 if sl.start <= now else max(0, qs.slot_quota - booked.get(sl.start, 0)))
                for sl in day_slots]


def _booking_view(b: Booking, site: catalogue.SiteFacts,
                  svc: catalogue.ServiceFacts | lookup.ServiceInfo) -> BookingView:
    return BookingView(code=b.code, site=site.code, service_code=svc.code, service_name=svc.name, on_date=b.on_date,
                       slot_start=b.slot_start, status=b.status, name=b.name, nik_masked=b.nik_masked,
                       phone_masked=b.phone_masked, ticket_id=b.ticket_id, cancelled_at=b.cancelled_at)


def _slot_full() -> Conflict:
    """The refusal when a slot has no seat left (from the plain read or the guarded update)."""
    return Conflict("slot_full", "Kuota slot ini sudah penuh; pilih slot lain.", "slot_start")


def book(db: Database, site_code: str, data: BookingIn) -> BookingView:
    errors = Errors()
    nik = (data.nik or "").strip() or None
    phone = normalise_phone(data.phone) if data.phone else None
    if nik is not None:
        try:
            parse_nik(nik)
            nik = normalize_nik(nik)
        except DomainError as exc:
            errors.add("nik", exc.message, exc.code)
    if data.phone and phone is None:
        errors.add("phone", "Nomor ponsel tidak valid; contoh: 081234567890.")
    if nik is None and not data.phone:
        errors.add("nik", "Isi NIK atau nomor ponsel agar pemesanan dapat dicek.", "required")
    if data.remind and phone is None and not data.phone:
        errors.add("phone", "Isi nomor ponsel untuk menerima pengingat.", "required")
    slot_start = data.slot_start
    if slot_start.tzinfo is None:
        errors.add("slot_start", "Waktu slot harus menyertakan zona waktu.")
    errors.raise_if_any()
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        svc = lookup.offered_service(db, lookup.site(db, site_code), data.service)
        _refuse_lapsed(s, site, svc)
        qs = _settings(s, svc)
        day = policy.local_day(slot_start, site.timezone)
        now = utcnow()
        valid = {sl.start for sl in _day_slots(s, site, qs, day)}
        if slot_start not in valid:
            raise ValidationFailed([FieldError("slot_start", "Slot waktu tidak tersedia untuk layanan ini.")])
        if slot_start <= now or day > policy.local_day(now, site.timezone) + timedelta(days=BOOKING_DAYS_AHEAD):
            raise ValidationFailed([FieldError("slot_start", f"Pemesanan hanya untuk slot yang belum lewat, paling "
                                                             f"lama {BOOKING_DAYS_AHEAD} hari ke depan.")])
        nik_hash = _identity_hash("nik", nik) if nik else None
        phone_hash = _identity_hash("phone", phone) if phone else None
        same_person = [c for c in ((Booking.nik_hash == nik_hash) if nik_hash else None,
                                   (Booking.phone_hash == phone_hash) if phone_hash else None) if c is not None]
        duplicate = s.scalar(select(Booking.id).where(Booking.service_id == svc.id, Booking.on_date == day,
                                                      or_(*same_person)))
        if duplicate:
            raise Conflict("duplicate_booking", "Anda sudah memesan layanan ini pada hari yang sama.",
                           "nik" if nik_hash else "phone")
        table = cast(Table, BookingSlot.__table__)  # a mapped class's __table__ is a Table
        # A full slot is refused from a plain read, without queueing for the slot's row lock behind
        # every booking in flight (a quota opening: hundreds of refusals would wait in line).
        booked = s.scalar(select(table.c.booked).where(table.c.service_id == svc.id, table.c.slot_start == slot_start))
        if booked is not None and booked >= qs.slot_quota:
            raise _slot_full()
        # Take a seat only while seats remain: one guarded UPDATE, safe under concurrency.
        s.execute(dialect_insert(s, table).values(service_id=svc.id, slot_start=slot_start, booked=0)
                  .on_conflict_do_nothing(index_elements=["service_id", "slot_start"]))
        taken = _dml(s, update(table).where(table.c.service_id == svc.id, table.c.slot_start == slot_start,
                                           table.c.booked < qs.slot_quota).values(booked=table.c.booked + 1))
        if taken.rowcount != 1:
            raise _slot_full()
        booking = Booking(site_id=site.id, service_id=svc.id, on_date=day, slot_start=slot_start,
                          code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)), name=data.name,
                          nik_hash=nik_hash, phone_hash=phone_hash, nik_masked=mask_nik(nik) if nik else "",
                          phone_masked=mask_phone(phone) if phone else "", status="booked", created_at=now,
                          notify_to=phone if (data.remind and phone) else "")
        s.add(booking)
        try:
            s.flush()
        except IntegrityError as exc:  # a concurrent booking by the same person won the race
            raise Conflict("duplicate_booking", "Anda sudah memesan layanan ini pada hari yang sama.",
                           "nik" if nik_hash else "phone") from exc
        if booking.notify_to:
            _queue_reminder(s, site, svc, booking, now)
        domain_events.record(s, "booking.made", site_id=site.id, entity=f"booking:{booking.id}",
                             agency_id=svc.agency_id,
                             data={"site": site.code, "booking_id": str(booking.id), "service": svc.code,
                                   "slot_start": slot_start.isoformat(), "status": booking.status})
        return _booking_view(booking, site, svc)


def _queue_reminder(s: Session, site: catalogue.SiteFacts, svc: lookup.ServiceInfo, booking: Booking,
                    now: datetime) -> None:
    """The reminder is written with the booking (same transaction) and sent when it is due."""
    when = policy.reminder_at(booking.slot_start, now, site.timezone)
    if when is None:
        return
    local = booking.slot_start.astimezone(ZoneInfo(site.timezone))
    message = render(Kind.booking_reminder, "id", service=svc.name, site=site.name, date=f"{local:%d-%m-%Y}",
                     time=f"{local:%H:%M}", code=booking.code, cancel_link=cancel_link(booking.code))
    notify.enqueue(s, kind=Kind.booking_reminder.value, channel="sms", recipient=booking.notify_to,
                   subject=message.subject, body=message.body, reference=booking.code, site_id=site.id,
                   not_before=when)


def cancel_link(code: str) -> str:
    """Where the citizen cancels a booking: the page that asks before cancelling, on the
    deployment's public address (setting `public_url`)."""
    return f"{get_settings().public_url.rstrip('/')}/pesan/{code}/batal"


def get_booking(db: Database, code: str) -> BookingView:
    with db.read() as s:
        b = s.scalar(select(Booking).where(Booking.code == code.upper()))
        if b is None:
            raise NotFound("Pemesanan", "code")
        site, svc = catalogue.site(s, b.site_id), catalogue.service(s, b.service_id)
        assert site is not None and svc is not None, "a booking's site and service are foreign keys"
        return _booking_view(b, site, svc)


def check_in(db: Database, issuer: Issuer, site_code: str, code: str) -> TicketView:
    """At the kiosk: the booking becomes a ticket called near its slot time. One `db.write()`
    transaction: the booking row locked, the ticket numbered like any other."""
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if issuer.site_id != site.id:
            raise Forbidden("Perangkat atau akun ini bukan milik lokasi layanan tersebut.")
        b = s.scalar(select(Booking).where(Booking.code == code.strip().upper()).with_for_update())
        if b is None or b.site_id != site.id:
            raise NotFound("Kode pemesanan", "code")
        if b.status != "booked":
            raise Conflict("already_checked_in", "Pemesanan ini sudah digunakan.", "code")
        now = utcnow()
        if b.on_date != policy.local_day(now, site.timezone):
            raise Conflict("wrong_day", f"Pemesanan ini untuk tanggal {b.on_date:%d-%m-%Y}.", "code")
        qs = s.get(QueueSettings, b.service_id)
        grace = timedelta(minutes=qs.booking_grace_minutes if qs else 15)
        svc = lookup.service_by_id(db, b.service_id)
        t = new_numbered_ticket(s, site_id=site.id, service_id=svc.id, prefix=svc.prefix, day=b.on_date,
                                channel=Channel.booking, priority=Priority.none,
                                ready_at=policy.booking_ready_at(b.slot_start, now, grace), now=now, booking_id=b.id)
        b.status, b.checked_in_at, b.ticket_id = "checked_in", now, t.id
        store.add_event(s.connection(), t.id, utcnow(), "issued", t.status, issuer.label,
                        issuer.actor.user_id if issuer.actor else None,
                        data={"channel": "booking", "slot_start": b.slot_start.isoformat(),
                              "late": t.ready_at != b.slot_start})
        on_commit(s, site_channel(site.id), ticket_event("issued", site.code, t))
    return views.positioned(db, t.id, site.code)


def forget_past_contacts(db: Database, now: datetime | None = None) -> int:
    """Retention: a booking's phone number serves its reminder and the "your number is called"
    message of its day. Once that day is over in the site's zone no message can follow, so the
    number is erased (the keyed hash and the mask stay for the duplicate check and the lists).
    Run by the notification worker's loop; returns how many bookings were cleared."""
    now = now or utcnow()
    cleared = 0
    with db.write() as s:
        for site_id, tz in catalogue.site_timezones(s):
            today = policy.local_day(now, tz)
            result = _dml(s, update(Booking).where(Booking.site_id == site_id, Booking.on_date < today,
                                                   Booking.notify_to != "").values(notify_to=""))
            cleared += result.rowcount or 0
    return cleared


def bookable_services(db: Database, site_code: str) -> list[lookup.ServiceInfo]:
    """Published services of the site that take online bookings: booking switched on, a seat
    quota, and a counter here that serves them."""
    site = lookup.site(db, site_code)
    out = []
    with db.read() as s:
        quotas = dict(s.execute(select(QueueSettings.service_id, QueueSettings.slot_quota)
                                .where(QueueSettings.booking_enabled)).all())
    for summary in catalogue.list_services(db, site_code, served_only=True):
        if quotas.get(summary.id, 0) > 0:
            out.append(lookup.offered_service(db, site, summary.code))
    return out
