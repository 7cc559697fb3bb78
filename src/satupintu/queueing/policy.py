"""Queue rules with no I/O: numbering, the calling order, the ticket state machine, waiting estimates.

Priority visitors (kelompok rentan) are called first, but never more than
`max_priority_streak` times in a row while regular visitors wait, so nobody starves.
Within each class the order is `ready_at` then id (UUIDv7 ids are issue-ordered).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class Priority(str, enum.Enum):
    none = "none"
    elderly = "elderly"  # lansia
    disabled = "disabled"  # penyandang disabilitas
    pregnant = "pregnant"  # ibu hamil
    infant = "infant"  # membawa balita


PRIORITY_LABELS = {
    Priority.none: ("Umum", "General"),
    Priority.elderly: ("Lansia", "Elderly"),
    Priority.disabled: ("Penyandang disabilitas", "Person with disability"),
    Priority.pregnant: ("Ibu hamil", "Pregnant woman"),
    Priority.infant: ("Membawa balita", "With an infant"),
}


class Channel(str, enum.Enum):
    kiosk = "kiosk"
    reception = "reception"
    booking = "booking"
    mobile = "mobile"
    referral = "referral"


class Status(str, enum.Enum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    on_hold = "on_hold"
    no_show = "no_show"
    done = "done"
    referred = "referred"
    closed = "closed"  # closed unserved at the end of the day


class Action(str, enum.Enum):
    call = "call"
    recall = "recall"
    no_show = "no_show"
    requeue = "requeue"
    start = "start"
    finish = "finish"
    refer = "refer"
    hold = "hold"
    resume = "resume"
    close = "close"


# The state machine: which action is legal in which state, and where it leads.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.waiting, Action.call): Status.called,
    (Status.called, Action.recall): Status.called,
    (Status.called, Action.no_show): Status.no_show,
    (Status.no_show, Action.requeue): Status.waiting,
    (Status.called, Action.start): Status.serving,
    (Status.serving, Action.finish): Status.done,
    (Status.serving, Action.refer): Status.referred,
    (Status.called, Action.hold): Status.on_hold,
    (Status.serving, Action.hold): Status.on_hold,
    (Status.on_hold, Action.resume): Status.waiting,
    (Status.waiting, Action.close): Status.closed,
    (Status.called, Action.close): Status.closed,
    (Status.on_hold, Action.close): Status.closed,
    (Status.no_show, Action.close): Status.closed,
    (Status.serving, Action.close): Status.closed,
}
FINAL = {Status.done, Status.referred, Status.closed}
ACTIVE_AT_COUNTER = {Status.called, Status.serving}

STATUS_LABELS = {
    Status.waiting: ("Menunggu", "Waiting"), Status.called: ("Dipanggil", "Called"),
    Status.serving: ("Sedang dilayani", "Being served"), Status.on_hold: ("Ditunda", "On hold"),
    Status.no_show: ("Tidak hadir", "No-show"), Status.done: ("Selesai", "Done"),
    Status.referred: ("Dirujuk", "Referred"), Status.closed: ("Ditutup", "Closed"),
}


# A ticket event's kind as the officer reads it in a visit's history.
EVENT_LABELS = {
    "issued": ("nomor diambil", "number taken"), "called": ("dipanggil", "called"),
    "recalled": ("dipanggil ulang", "called again"), "serving": ("dilayani", "being served"),
    "finished": ("selesai", "done"), "no_show": ("tidak hadir", "did not come"), "held": ("ditunda", "on hold"),
    "referred": ("dialihkan ke layanan lain", "referred to another service"),
    "requeued": ("masuk antrean lagi", "back in the queue"), "resumed": ("dilanjutkan", "resumed"),
    "closed": ("ditutup akhir hari", "closed at the end of the day"),
    "voided": ("dibatalkan (gagal cetak)", "withdrawn (printing failed)"),
}

# The console's buttons: the steps an officer takes on the counter's current ticket.
CONSOLE_STEPS = (Action.start, Action.finish, Action.recall, Action.no_show, Action.hold, Action.refer)
# The step an officer most likely takes next, by the current ticket's status.
LIKELY_STEP = {Status.called: Action.start, Status.serving: Action.finish}


@dataclass(frozen=True)
class ConsoleButtons:
    """Which of the console's controls are enabled, and the one to make prominent.
    `call`: call next or a chosen number; `close`: the close-counter page; `open`: open it."""

    open: bool
    call: bool
    close: bool
    steps: frozenset[Action]
    primary: str  # "open", "call", or a step's value


def console_buttons(counter_open: bool, current: Status | None) -> ConsoleButtons:
    """Only the allowed steps: a closed counter can only be opened; an open, free one can call
    or be closed; with a visitor at the counter, the ticket's legal moves (the state machine)."""
    if not counter_open:
        return ConsoleButtons(True, False, False, frozenset(), "open")
    active = current if current in ACTIVE_AT_COUNTER else None
    if active is None:
        return ConsoleButtons(False, True, True, frozenset(), "call")
    steps = frozenset(a for a in CONSOLE_STEPS if (active, a) in TRANSITIONS)
    return ConsoleButtons(False, False, False, steps, LIKELY_STEP[active].value)


class IllegalTransition(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"{action.value} not allowed from {status.value}")
        self.status = status
        self.action = action


def transition(status: Status, action: Action) -> Status:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def format_number(prefix: str, seq: int) -> str:
    """'A', 12 -> 'A-012'; four digits once a day passes 999 tickets."""
    return f"{prefix}-{seq:03d}"


# Idempotency-Key of a ticket issue: what a client generates per citizen action (a UUID).
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def valid_idempotency_key(key: str) -> bool:
    return IDEMPOTENCY_KEY.fullmatch(key) is not None


def same_issue(ticket_service_id: object, ticket_priority: Priority, ticket_channel: Channel,
               service_id: object, priority: Priority, channel: Channel) -> bool:
    """Whether a retried issue asks for what the key's ticket was issued for."""
    return (ticket_service_id, ticket_priority, ticket_channel) == (service_id, priority, channel)


def local_day(moment: datetime, tz_name: str) -> date:
    """The site's calendar day of a UTC moment: numbering restarts at local midnight."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


@dataclass(frozen=True)
class Candidate:
    key: object
    priority: bool
    ready_at: datetime
    tiebreak: object = 0


@dataclass(frozen=True)
class PolicyConfig:
    max_priority_streak: int = 3  # priority calls in a row while regular visitors wait


def _order(c: Candidate) -> tuple[datetime, object]:
    return (c.ready_at, c.tiebreak)


CALL_REASON_MIN, CALL_REASON_MAX = 3, 200


def chosen_call_refusal(status: Status, served_here: bool, of_today: bool, ready: bool) -> str | None:
    """Why an officer may not call this particular ticket at their counter (a code), or None.

    The same guarantees as calling the next one: only a waiting ticket (never one already
    called), of a service this counter serves, of the site's day, and once it is ready (a booked
    visitor who checked in early waits for the slot time)."""
    if not served_here:
        return "service_not_served"
    if (status, Action.call) not in TRANSITIONS:
        return "ticket_not_waiting"
    if not of_today:
        return "ticket_not_today"
    if not ready:
        return "ticket_not_ready"
    return None


def choose_next(candidates: Sequence[Candidate], streak: int, cfg: PolicyConfig) -> Candidate | None:
    """The next visitor to call, given how many priority calls this counter made in a row."""
    best_priority = min((c for c in candidates if c.priority), key=_order, default=None)
    best_regular = min((c for c in candidates if not c.priority), key=_order, default=None)
    if best_priority is not None and (best_regular is None or streak < cfg.max_priority_streak):
        return best_priority
    return best_regular


def prefers_priority(streak: int, cfg: PolicyConfig) -> bool:
    """Which class to look in first. If that class has a ready visitor, choose_next would pick
    them whatever the other class holds, so the caller can stop after one query."""
    return streak < cfg.max_priority_streak


def next_streak(streak: int, called_priority: bool) -> int:
    return streak + 1 if called_priority else 0


def booking_ready_at(slot_start: datetime, checked_in_at: datetime, grace: timedelta) -> datetime:
    """When a checked-in booking joins the calling order.

    Early or on time: at its slot time (ahead of walk-ins who came after that). Late but within
    the grace period: still at its slot time. Later than that: like a walk-in, from check-in.
    """
    if checked_in_at <= slot_start + grace:
        return slot_start
    return checked_in_at


REMINDER_LOCAL_TIME = time(16, 0)
LATE_REMINDER = timedelta(hours=2)


def reminder_at(slot_start: datetime, now: datetime, tz_name: str) -> datetime | None:
    """When to remind a citizen of a booking: 16:00 local the day before; if that has passed,
    two hours before the slot; None when even that has passed (they just booked it)."""
    zone = ZoneInfo(tz_name)
    local_day = slot_start.astimezone(zone).date()
    day_before = datetime.combine(local_day - timedelta(days=1), REMINDER_LOCAL_TIME, zone).astimezone(UTC)
    for candidate in (day_before, slot_start - LATE_REMINDER):
        if now < candidate < slot_start:
            return candidate
    return None


def estimate_wait(ahead: int, avg_service: timedelta, open_counters: int) -> timedelta:
    """Estimated wait for a visitor with `ahead` people before them."""
    if ahead <= 0:
        return timedelta(0)
    rounds = math.ceil(ahead / max(1, open_counters))
    return avg_service * rounds


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime


def day_slots(day: date, opens: time, closes: time, minutes: int, tz_name: str) -> list[Slot]:
    """Booking slots of a day from opening hours, in UTC; the last slot ends by closing time."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day, opens, zone)
    end = datetime.combine(day, closes, zone)
    out = []
    step = timedelta(minutes=minutes)
    while start + step <= end:
        out.append(Slot(start.astimezone(UTC), (start + step).astimezone(UTC)))
        start += step
    return out
