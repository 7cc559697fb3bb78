"""Queue input and output shapes."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import Strict  # one base: strict fields, no NUL characters
from .policy import Channel, Priority, Status


class IssueIn(Strict):
    service: str = Field(min_length=1, max_length=32)
    priority: Priority = Priority.none
    channel: Literal["kiosk", "reception", "mobile"] = "kiosk"


class TicketView(BaseModel):
    """What anyone holding the ticket may see: no personal data."""

    id: uuid.UUID
    visit_id: uuid.UUID
    number: str
    status: Status
    site: str
    service_code: str
    service_name: str
    agency_code: str
    priority: Priority
    channel: Channel
    counter_number: int | None
    issued_at: datetime
    called_at: datetime | None
    recall_count: int
    position: int | None = None  # people ahead, while waiting
    estimated_wait_minutes: int | None = None


class CounterStateView(BaseModel):
    number: int
    name: str
    agency_code: str
    is_open: bool
    officer: str
    current: TicketView | None


class CloseIn(Strict):
    reason: str = Field(min_length=2, max_length=200)
    # A supervisor (the site's manager, the counter's agency admin) closing the last open
    # counter of a service with people waiting confirms with a reason.
    confirm_reason: str = Field(default="", max_length=300)


class ReferIn(Strict):
    service: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=500)
    position: Literal["front", "back"] = "front"


class CallTicketIn(Strict):
    """Call this waiting number out of the calling order; the reason is recorded."""

    ticket_id: uuid.UUID
    reason: str = Field(default="", max_length=200)


class ActIn(Strict):
    """Optional guard: act only if this is still the counter's ticket (a stale screen is refused)."""

    ticket_id: uuid.UUID | None = None


class SlotView(BaseModel):
    start: datetime
    end: datetime
    quota: int
    booked: int
    available: int


class BookingIn(Strict):
    service: str = Field(min_length=1, max_length=32)
    slot_start: datetime
    name: str = Field(min_length=2, max_length=200)
    nik: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, max_length=32)
    remind: bool = Field(default=False, description="Send a reminder (and a message when called) to the phone")


class BookingView(BaseModel):
    code: str
    site: str
    service_code: str
    service_name: str
    on_date: date
    slot_start: datetime
    status: str
    name: str
    nik_masked: str
    phone_masked: str
    ticket_id: uuid.UUID | None
    cancelled_at: datetime | None = None


class BookingCancelled(BookingView):
    """A cancelled booking, its contact data erased; `already_cancelled` when it was cancelled
    by an earlier request (cancelling is idempotent)."""

    already_cancelled: bool

class CloseDayIn(Strict):
    date: date
    reason: str = Field(default="Layanan hari ini telah berakhir", min_length=2, max_length=200)


class CloseDayResult(BaseModel):
    closed_tickets: int
    closed_counters: int


class BoardCounter(BaseModel):
    number: int
    name: str
    agency: str
    is_open: bool
    ticket: str | None
    status: str | None
    floor: str = ""  # the counter's floor, e.g. "Lantai 2" ("" when not set)
    location: str = ""  # where on the floor, e.g. "sayap timur"


class BoardCall(BaseModel):
    number: str
    counter: int
    at: datetime
    announcement: str  # what the board says aloud, so a board that missed the call can still say it
    agency: str = ""  # the counter's agency (short name), floor and location, for the highlight
    floor: str = ""
    location: str = ""
    clips: list[str] = []  # the same call as recorded clip keys, in order (voice.call_clips)


class BoardState(BaseModel):
    site: str
    timezone: str
    counters: list[BoardCounter]
    recent_calls: list[BoardCall]
    waiting: dict[str, int]  # waiting tickets per agency
    running_text: str = ""  # the line the manager set for the site's boards
    floor: str = ""  # the floor this board shows ("" for every floor)


class QueueSettingsIn(Strict):
    """A service's queue settings; bounds are checked by configure.check_queue_settings,
    which names every refused field at once."""

    prefix: str = Field(min_length=1, max_length=3)
    slot_minutes: int = 30
    slot_quota: int = 0  # seats per booking slot; 0: no online booking
    booking_grace_minutes: int = 15
    booking_enabled: bool = True
    daily_quota: int = 0  # tickets per day; 0: no limit
    last_issue_time: time | None = None  # the service stops issuing at this clock time


class QueueSettingsOut(QueueSettingsIn):
    service: str
    service_name: str
    agency: str
    configured: bool  # False: never set; the letter shown is the agency's default


class QueueGroup(BaseModel):
    """Services sharing a ticket letter share one numbering per site and day."""

    prefix: str
    services: list[str]
    agencies: list[str]
    shared_across_agencies: bool
