"""The queue's public face: the use cases routes and other capabilities call. Nothing else
in `queueing/` is for them.

Each use case owns its transaction and publishes its events only after commit: inside a
`db.write()` block with `db.on_commit`, after a PostgreSQL autocommit statement with
`db.publish`. Where they live:
- tickets.py: issue (kiosk, reception), requeue, resume, void a number the printer failed;
- counters.py: open and close a counter, call next, the steps on the ticket at the counter,
  referral;
- views.py: a ticket, a visit's history, the waiting list, counter states, the board;
- screens.py: what each front-of-house page shows, in one call;
- day.py: the end of a site's day; configure.py: a service's queue settings;
- bookings.py: online booking and check-in; cancelling.py: a citizen cancels by the code;
- runner.py: the one place that decides between PostgreSQL's single statement and the
  portable path for issue, call and the counter steps (the `*_async` forms are the hot
  routes': the statement in the event loop when the app has a hot path).
"""

from __future__ import annotations

from ..db import Database
from . import lookup, queries
from .boardtext import BoardTextView, board_text, check_board_text, set_board_text
from .bookings import book, bookable_services, check_in, forget_past_contacts, get_booking, slots
from .cancelling import cancel_booking
from .configure import (
    check_queue_settings,
    configure,
    configure_service_queue,
    service_queue_settings,
    site_queue_settings,
)
from .counters import (
    POLICY,
    call_next,
    call_next_async,
    call_ticket,
    check_counter,
    close_counter,
    close_refusal,
    finish,
    hold,
    mark_no_show,
    open_counter,
    recall,
    refer,
    start_serving,
    step,
    step_async,
)
from .day import close_day
from .landing import CounterChoice, last_opened_counter, usable_counters
from .live import AttendanceFacts, attendance_between
from .queries import *  # noqa: F403  named read queries for other capabilities
from .retention import count_ticket_events_before, forget_ticket_events_before
from .screens import (
    board_screen,
    booking_done_screen,
    booking_retry_screen,
    booking_screen,
    console_screen,
    kiosk_screen,
    overview_screen,
    ticket_screen,
)
from .tickets import (
    IdempotencyKeyReused,
    Issuer,
    issue_ticket,
    issue_ticket_async,
    requeue,
    resume,
    site_channel,
    void_unprinted,
)
from .views import board_state, counter_status, get_ticket, site_counters, visit_history, waiting


def live_channel(db: Database, site_code: str) -> str:
    """The bus channel a site's live screens subscribe to (unknown site: NotFound)."""
    return site_channel(lookup.site(db, site_code).id)


__all__ = [
    "POLICY", "IdempotencyKeyReused", "Issuer",
    # tickets
    "issue_ticket", "issue_ticket_async", "requeue", "resume", "void_unprinted",
    # counters
    "AttendanceFacts", "attendance_between",
    "check_counter", "open_counter", "close_counter", "close_refusal", "call_next", "call_next_async", "call_ticket",
    "step", "step_async",
    "recall", "mark_no_show", "start_serving", "finish", "hold", "refer",
    # views
    "get_ticket", "visit_history", "waiting", "counter_status", "site_counters", "board_state", "live_channel",
    # what each front-of-house page shows
    "kiosk_screen", "ticket_screen", "board_screen", "console_screen", "overview_screen", "booking_screen",
    "booking_retry_screen", "booking_done_screen",
    # the officer's "my counter"
    "CounterChoice", "last_opened_counter", "usable_counters",
    # the boards' running text
    "BoardTextView", "board_text", "check_board_text", "set_board_text",
    # the day, settings
    "close_day", "check_queue_settings", "configure_service_queue", "configure", "site_queue_settings",
    "service_queue_settings",
    # bookings
    "slots", "book", "get_booking", "cancel_booking", "check_in", "bookable_services", "forget_past_contacts",
    # retention
    "count_ticket_events_before", "forget_ticket_events_before",
    # named read queries for other capabilities (queries.py)
    *queries.__all__,
]
