"""What each front-of-house page shows (kiosk, ticket, board, console, the manager's overview,
booking), gathered in one call so a page route parses, calls one function and renders. Each
screen's fields are the names its template reads. Reads only; the survey code a ticket page
may carry is the feedback capability's, added by the page itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..catalogue import service as catalogue
from ..catalogue.service import AgencyOut, ServiceOut, ServiceSummary, SiteOut  # its published output shapes
from ..db import Database
from ..errors import DomainError
from ..scope import Actor
from ..timeutil import utcnow, zone_label
from . import bookings, daygate, lookup, views
from .daygate import IssuingClosed
from .policy import PRIORITY_LABELS, STATUS_LABELS, Priority, Status
from .schemas import BoardState, BookingView, CounterStateView, SlotView, TicketView


@dataclass
class KioskScreen:
    site: SiteOut
    agencies: list[AgencyOut]
    services: list[ServiceSummary]
    instansi: str
    q: str
    priorities: dict[Priority, tuple[str, str]]
    errors: dict[str, str]
    closed: IssuingClosed | None = None  # the site issues no number now: why, and when again
    zone: str = ""


def kiosk_screen(db: Database, site_code: str, instansi: str = "", q: str = "",
                 errors: dict[str, str] | None = None) -> KioskScreen:
    """The kiosk: agencies, and the services matching the chosen agency or the search; only
    services a counter here serves (no ticket nobody would call)."""
    agencies = catalogue.list_agencies(db, site_code, served_only=True)
    services = (catalogue.list_services(db, site_code, q or None, instansi or None, served_only=True)
                if (instansi or q) else [])
    closed = daygate.site_refusal(db, lookup.site(db, site_code), utcnow())
    zone = zone_label(str(closed.come_back_at.tzinfo)) if closed and closed.come_back_at else ""
    return KioskScreen(catalogue.get_site(db, site_code), agencies, services, instansi, q, PRIORITY_LABELS,
                       errors or {}, closed, zone)


@dataclass
class TicketScreen:
    t: TicketView
    site: SiteOut
    svc: ServiceOut
    status_labels: dict[Status, tuple[str, str]] = field(default_factory=lambda: STATUS_LABELS)
    priority_labels: dict[Priority, tuple[str, str]] = field(default_factory=lambda: PRIORITY_LABELS)


def ticket_screen(db: Database, ticket_id: uuid.UUID) -> TicketScreen:
    """A ticket as printed and as the citizen's page shows it (no personal data)."""
    t = views.get_ticket(db, ticket_id)
    return TicketScreen(t, catalogue.get_site(db, t.site), catalogue.get_service(db, t.site, t.service_code))


@dataclass
class BoardScreen:
    site: SiteOut
    state: BoardState


def board_screen(db: Database, site_code: str, agencies: Collection[str] = ()) -> BoardScreen:
    """The hall board; a board paired for some agencies shows only theirs."""
    return BoardScreen(catalogue.get_site(db, site_code), views.board_state(db, site_code, agencies))


@dataclass
class ConsoleScreen:
    site: SiteOut
    state: CounterStateView
    services: list[ServiceSummary]
    current_service: ServiceOut | None
    history: list[dict[str, Any]]
    number: int
    status_labels: dict[Status, tuple[str, str]] = field(default_factory=lambda: STATUS_LABELS)


def console_screen(db: Database, actor: Actor, site_code: str, number: int) -> ConsoleScreen:
    """The officer's console: the counter, the ticket there and its visit's history."""
    state = views.counter_status(db, actor, site_code, number)
    services = catalogue.list_services(db, site_code, served_only=True)  # a referral needs a counter to call it
    current_service = None
    history: list[dict[str, Any]] = []
    if state.current:
        current_service = catalogue.get_service(db, site_code, state.current.service_code)
        try:
            history = views.visit_history(db, actor, state.current.id)
        except DomainError:  # the console still works without the history
            history = []
    return ConsoleScreen(catalogue.get_site(db, site_code), state, services, current_service, history, number)


@dataclass
class OverviewScreen:
    site: SiteOut
    counters: list[CounterStateView]
    waiting: list[TicketView]


def overview_screen(db: Database, actor: Actor, site_code: str) -> OverviewScreen:
    """The site manager's live view of every counter and the waiting list."""
    return OverviewScreen(catalogue.get_site(db, site_code), views.site_counters(db, actor, site_code),
                          views.waiting(db, actor, site_code))


@dataclass
class BookingScreen:
    site: SiteOut
    choices: list[lookup.ServiceInfo]
    slots: list[SlotView]
    layanan: str
    tanggal: str
    errors: dict[str, str]
    values: dict[str, Any]


def booking_screen(db: Database, site_code: str, layanan: str = "", tanggal: str = "") -> BookingScreen:
    """Book a visit: a bookable service, a working day, a slot with seats left; what cannot be
    offered is said beside its field."""
    choices = bookings.bookable_services(db, site_code)
    slots = []
    errors: dict[str, str] = {}
    if layanan and tanggal:
        try:
            day = date.fromisoformat(tanggal)
            slots = [sl for sl in bookings.slots(db, site_code, layanan, day) if sl.available > 0]
            if not slots:
                errors["tanggal"] = "Tidak ada slot tersisa pada tanggal itu; pilih tanggal lain."
        except ValueError:
            errors["tanggal"] = "Tanggal tidak valid."
        except DomainError as exc:
            errors[exc.field or "layanan"] = exc.message
    return BookingScreen(catalogue.get_site(db, site_code), choices, slots, layanan, tanggal, errors, {})


def booking_retry_screen(db: Database, site_code: str, layanan: str, slot: str, errors: dict[str, str],
                         values: dict[str, Any]) -> BookingScreen:
    """The booking form again after a refused booking: the citizen's values and the refusals,
    with the day's slots that still have seats (none if the day cannot be read)."""
    tanggal = slot[:10]
    day_slots = []
    with suppress(ValueError, DomainError):  # the form shows the refusal; no slots to offer
        day_slots = [sl for sl in bookings.slots(db, site_code, layanan, date.fromisoformat(tanggal)) if sl.available]
    return BookingScreen(catalogue.get_site(db, site_code), bookings.bookable_services(db, site_code), day_slots,
                         layanan, tanggal, errors, values)


@dataclass
class BookingDoneScreen:
    b: BookingView
    site: SiteOut


def booking_done_screen(db: Database, code: str) -> BookingDoneScreen:
    b = bookings.get_booking(db, code)
    return BookingDoneScreen(b, catalogue.get_site(db, b.site))
