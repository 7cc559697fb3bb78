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
from datetime import date, datetime
from typing import Any

from ..catalogue import service as catalogue
from ..catalogue.service import (  # its published output shapes
    AgencyOut,
    CounterOut,
    ServiceOut,
    ServiceSummary,
    SiteOut,
)
from ..db import Database
from ..errors import DomainError
from ..scope import Actor
from ..timeutil import to_local, utcnow, zone_label
from . import bookings, daygate, live, lookup, views
from .daygate import IssuingClosed
from .policy import EVENT_LABELS, PRIORITY_LABELS, STATUS_LABELS, ConsoleButtons, Priority, Status, console_buttons
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
    agency: AgencyOut | None = None  # the agency chosen (its services are listed)
    chosen: ServiceSummary | None = None  # the service chosen (the priority step), if a counter serves it
    layanan: str = ""
    layanan_name: str = ""  # the chosen service's name, served or not (to say which one has no counter)


def kiosk_screen(db: Database, site_code: str, instansi: str = "", q: str = "",
                 errors: dict[str, str] | None = None, layanan: str = "") -> KioskScreen:
    """The kiosk: agencies, and the services matching the chosen agency or the search; only
    services a counter here serves (no ticket nobody would call). With `layanan`, that service
    when a counter serves it (`chosen` stays None when none does)."""
    agencies = catalogue.list_agencies(db, site_code, served_only=True)
    services = (catalogue.list_services(db, site_code, q or None, instansi or None, served_only=True)
                if (instansi or q) else [])
    chosen, layanan_name = None, ""
    if layanan:
        served = catalogue.list_services(db, site_code, None, None, served_only=True)
        chosen = next((svc for svc in served if svc.code.upper() == layanan.upper()), None)
        listed = [chosen] if chosen else catalogue.list_services(db, site_code)
        layanan_name = next((svc.name for svc in listed if svc.code.upper() == layanan.upper()), "")
    agency = next((a for a in agencies if instansi and a.code.upper() == instansi.upper()), None)
    closed = daygate.site_refusal(db, lookup.site(db, site_code), utcnow())
    zone = zone_label(str(closed.come_back_at.tzinfo)) if closed and closed.come_back_at else ""
    return KioskScreen(catalogue.get_site(db, site_code), agencies, services, instansi, q, PRIORITY_LABELS,
                       errors or {}, closed, zone, agency, chosen, layanan, layanan_name)


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
    agency_names: list[str]  # the agencies a board paired for some shows (short names), for its header


def board_screen(db: Database, site_code: str, agencies: Collection[str] = (), floor: str = "") -> BoardScreen:
    """The hall board; a board paired for some agencies, or for one floor, shows only theirs."""
    names = sorted({a.short_name or a.name for a in catalogue.list_agencies(db, site_code)
                    if a.code in set(agencies)}) if agencies else []
    return BoardScreen(catalogue.get_site(db, site_code), views.board_state(db, site_code, agencies, floor), names)


@dataclass
class ConsoleScreen:
    site: SiteOut
    state: CounterStateView
    services: list[ServiceSummary]
    current_service: ServiceOut | None
    history: list[dict[str, Any]]
    number: int
    counter: CounterOut | None = None  # agency name, floor and location for the title
    waiting_count: int = 0
    waiting: list[views.WaitingHere] = field(default_factory=list)
    buttons: ConsoleButtons = field(default_factory=lambda: console_buttons(False, None))
    service_ids: list[str] = field(default_factory=list)  # for the live list: events of these services
    status_labels: dict[Status, tuple[str, str]] = field(default_factory=lambda: STATUS_LABELS)
    priority_labels: dict[Priority, tuple[str, str]] = field(default_factory=lambda: PRIORITY_LABELS)


def _history_entry(h: dict[str, Any], tz_name: str) -> dict[str, Any]:
    """A visit's event with its Indonesian and English label, and the reason of a chosen call."""
    data = h.get("data") or {}
    chosen = h["kind"] == "called" and bool(data.get("chosen"))
    label = ("dipanggil di luar urutan", "called out of order") if chosen else \
        EVENT_LABELS.get(h["kind"], (h["kind"], h["kind"]))
    return {**h, "label": label, "reason": data.get("reason", "") if chosen else "",
            "clock": f"{to_local(h['at'], tz_name):%H:%M}"}


def console_screen(db: Database, actor: Actor, site_code: str, number: int) -> ConsoleScreen:
    """The officer's console: the counter (agency, floor), who waits for its services, the
    ticket there and its visit's history, and which controls the state allows."""
    state = views.counter_status(db, actor, site_code, number)
    services = catalogue.list_services(db, site_code, served_only=True)  # a referral needs a counter to call it
    current_service = None
    history: list[dict[str, Any]] = []
    if state.current:
        current_service = catalogue.get_service(db, site_code, state.current.service_code)
        try:
            tz_name = lookup.site(db, site_code).timezone
            history = [_history_entry(h, tz_name) for h in views.visit_history(db, actor, state.current.id)]
        except DomainError:  # the console still works without the history
            history = []
    counter = next((c for c in catalogue.list_counters(db, site_code) if c.number == number), None)
    count, waiting = views.counter_queue(db, actor, site_code, number)
    buttons = console_buttons(state.is_open, state.current.status if state.current else None)
    served = lookup.counter(db, lookup.site(db, site_code), number).service_ids
    return ConsoleScreen(catalogue.get_site(db, site_code), state, services, current_service, history, number,
                         counter, count, waiting, buttons, [str(i) for i in served])


@dataclass
class OverviewScreen:
    site: SiteOut
    counters: list[CounterStateView]
    waiting: list[TicketView]
    live: live.LiveOverview


def overview_screen(db: Database, actor: Actor, site_code: str) -> OverviewScreen:
    """The site manager's live view of every counter and the waiting list."""
    return OverviewScreen(catalogue.get_site(db, site_code), views.site_counters(db, actor, site_code),
                          views.waiting(db, actor, site_code), live.live_overview(db, actor, site_code))


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
    site = catalogue.get_site(db, site_code)
    tanggal = slot[:10]
    with suppress(ValueError):  # the slot's day in the site's zone (its UTC date can be the day before)
        moment = datetime.fromisoformat(slot)
        if moment.tzinfo is not None:
            tanggal = to_local(moment, site.timezone).date().isoformat()
    day_slots = []
    with suppress(ValueError, DomainError):  # the form shows the refusal; no slots to offer
        day_slots = [sl for sl in bookings.slots(db, site_code, layanan, date.fromisoformat(tanggal)) if sl.available]
    return BookingScreen(site, bookings.bookable_services(db, site_code), day_slots, layanan, tanggal, errors,
                         values)


@dataclass
class BookingDoneScreen:
    b: BookingView
    site: SiteOut


def booking_done_screen(db: Database, code: str) -> BookingDoneScreen:
    b = bookings.get_booking(db, code)
    return BookingDoneScreen(b, catalogue.get_site(db, b.site))
