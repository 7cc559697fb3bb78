"""The recorded facts the measures read: one frozen record per ticket, counter span, booking,
survey response, complaint, application and staffing-plan cell. Pure, no I/O.

Each type mirrors what one query over the capability's tables supplies (ids may be UUIDs or
strings; every moment is timezone-aware UTC, as `db.UTCDateTime` returns it):

- `TicketFact`: `tickets` joined to `services.agency_id` and to the agency of `referred_from_id`'s
  service, with the first call, the last start and the end of service taken from `ticket_events`
  (`ticket_fact` folds a ticket's events into one).
- `CounterSpan`: an interval during which a counter was open with one officer, from the
  `counter.open` / `counter.close` audit entries (`counter_spans` folds them).
- `BookingFact` (`bookings`), `SurveyFact` (`survey_responses`), `ComplaintFact` (`complaints`,
  with the first triage step from `complaint_events`), `ApplicationFact` (`applications`),
  `PlanFact` (`staff_plans`).

Durations never go negative. A fact whose times are out of order (a call recorded before the
issue, as clock skew between two app servers can produce) is kept, its duration is clamped to 0,
and it is counted in the `inverted` count so a report can show how many there were. Rejecting it
would drop a real visitor from every count; hiding it would make the skew invisible.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeAlias

from ..feedback.complaints import State as ComplaintState
from ..queueing.policy import Channel, Priority, Status
from .periods import day_bounds, local_day, require_aware

Id: TypeAlias = Hashable


class Outcome(enum.StrEnum):
    """How a ticket ended; each ticket has exactly one."""

    served = "served"  # finished at the counter (status done)
    referred = "referred"  # served, then sent on to another service (its visit continues there)
    no_show = "no_show"  # called and did not come (still so when the day closed)
    withdrawn = "withdrawn"  # voided at the kiosk because the ticket did not print
    closed_unserved = "closed_unserved"  # closed at the end of the day without being served
    open = "open"  # still waiting, called, being served or on hold


@dataclass(frozen=True, slots=True)
class TicketFact:
    ticket_id: Id
    visit_id: Id
    site_id: Id
    agency_id: Id
    service_id: Id
    channel: Channel
    priority: Priority
    issued_at: datetime
    final_status: Status
    first_called_at: datetime | None = None  # the first call (recalls and later calls do not move it)
    serving_at: datetime | None = None  # the last start of service
    finished_at: datetime | None = None  # the end of service: finished or referred on
    counter_id: Id | None = None
    officer_id: Id | None = None  # the officer who served it (or last called it)
    referred_from_agency_id: Id | None = None  # for a referral: the agency that sent the visit
    no_show: bool = False  # ended as a no-show: its last step before closing was "no_show"
    withdrawn: bool = False  # voided at the kiosk
    booking_id: Id | None = None

    def __post_init__(self) -> None:
        for name in ("issued_at", "first_called_at", "serving_at", "finished_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)

    @property
    def is_new_visit(self) -> bool:
        """A visit's first ticket; its referrals are more tickets of the same visit."""
        return self.channel is not Channel.referral

    @property
    def is_priority(self) -> bool:
        return self.priority is not Priority.none

    @property
    def outcome(self) -> Outcome:
        if self.withdrawn:
            return Outcome.withdrawn
        if self.final_status is Status.done:
            return Outcome.served
        if self.final_status is Status.referred:
            return Outcome.referred
        if self.final_status is Status.no_show or (self.final_status is Status.closed and self.no_show):
            return Outcome.no_show
        if self.final_status is Status.closed:
            return Outcome.closed_unserved
        return Outcome.open

    def wait(self) -> tuple[timedelta, bool] | None:
        """Issued to first call, clamped at 0, and whether it had to be clamped; None if never called."""
        if self.first_called_at is None:
            return None
        return _clamped(self.first_called_at - self.issued_at)

    def service_time(self) -> tuple[timedelta, bool] | None:
        """Start to finish (or referral), clamped at 0; None unless the service started and ended."""
        if self.serving_at is None or self.finished_at is None:
            return None
        if self.final_status not in (Status.done, Status.referred):
            return None
        return _clamped(self.finished_at - self.serving_at)


def _clamped(delta: timedelta) -> tuple[timedelta, bool]:
    return (timedelta(0), True) if delta < timedelta(0) else (delta, False)


@dataclass(frozen=True, slots=True)
class CounterSpan:
    """A counter open from `opened_at` to `closed_at` (None: still open) with one officer."""

    counter_id: Id
    site_id: Id
    agency_id: Id
    opened_at: datetime
    closed_at: datetime | None = None
    officer_id: Id | None = None

    def __post_init__(self) -> None:
        require_aware(self.opened_at, "opened_at")
        if self.closed_at is not None:
            require_aware(self.closed_at, "closed_at")


class BookingOutcome(enum.StrEnum):
    checked_in = "checked_in"
    cancelled = "cancelled"
    no_show = "no_show"  # still booked when the slot and its grace period had passed
    pending = "pending"  # booked, slot not yet passed


@dataclass(frozen=True, slots=True)
class BookingFact:
    booking_id: Id
    site_id: Id
    agency_id: Id
    service_id: Id
    on_date: date  # the slot's local day: bookings are counted on the day they are for
    slot_start: datetime
    status: str  # booked | checked_in | cancelled, as stored
    created_at: datetime
    checked_in_at: datetime | None = None
    grace_minutes: int = 15  # the service's booking grace (queue settings)

    def __post_init__(self) -> None:
        require_aware(self.slot_start, "slot_start")
        require_aware(self.created_at, "created_at")
        if self.status not in ("booked", "checked_in", "cancelled"):
            raise ValueError(f"unknown booking status {self.status!r}")

    def outcome(self, as_of: datetime) -> BookingOutcome:
        if self.status == "checked_in":
            return BookingOutcome.checked_in
        if self.status == "cancelled":
            return BookingOutcome.cancelled
        if as_of > self.slot_start + timedelta(minutes=self.grace_minutes):
            return BookingOutcome.no_show
        return BookingOutcome.pending


SKM_REGULATION = "permenpanrb_14_2017"  # the regulation the rollups count; older responses are left out


@dataclass(frozen=True, slots=True)
class SurveyFact:
    ticket_id: Id
    site_id: Id
    agency_id: Id
    service_id: Id
    submitted_at: datetime  # its local day is the response's stored local_date
    answers: Mapping[str, int]  # {unsur key: 1..4}
    regulation: str = SKM_REGULATION
    counter_id: Id | None = None
    officer_id: Id | None = None

    def __post_init__(self) -> None:
        require_aware(self.submitted_at, "submitted_at")


@dataclass(frozen=True, slots=True)
class SurveyTallyFact:
    """A paper survey tally over a date range (it cannot be split into days)."""

    site_id: Id
    agency_id: Id
    service_id: Id
    starts_on: date
    ends_on: date
    respondents: int
    tally: Mapping[str, Mapping[int, int]]  # {unsur: {value: count}}
    regulation: str = SKM_REGULATION


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    complaint_id: Id
    site_id: Id
    state: str  # feedback.complaints.State value
    received_at: datetime
    verify_due_at: datetime
    agency_id: Id | None = None  # None until assigned
    service_id: Id | None = None
    verified_at: datetime | None = None  # the first triage step: verified, rejected or not our authority
    due_at: datetime | None = None  # the follow-up deadline, set at verification
    answered_at: datetime | None = None

    def __post_init__(self) -> None:
        ComplaintState(self.state)  # raises ValueError on an unknown state
        for name in ("received_at", "verify_due_at", "verified_at", "due_at", "answered_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)

    @property
    def open(self) -> bool:
        return ComplaintState(self.state) in _OPEN_COMPLAINT

    def verify_overdue(self, as_of: datetime) -> bool:
        """Still not triaged and past its verification deadline."""
        return self.verified_at is None and self.open and as_of >= self.verify_due_at

    def answer_overdue(self, as_of: datetime) -> bool:
        """Triaged, still open, and past its follow-up deadline."""
        return (self.verified_at is not None and self.open and self.due_at is not None
                and as_of >= self.due_at)


_OPEN_COMPLAINT = {ComplaintState.received, ComplaintState.verified, ComplaintState.assigned,
                   ComplaintState.in_follow_up}


@dataclass(frozen=True, slots=True)
class ApplicationFact:
    application_id: Id
    site_id: Id
    agency_id: Id
    service_id: Id
    received_at: datetime
    due_at: datetime | None = None  # None: no time standard, or the clock is paused
    finished_at: datetime | None = None  # reached a finished state (ready or rejected)

    def __post_init__(self) -> None:
        for name in ("received_at", "due_at", "finished_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)

    def on_time(self) -> bool | None:
        """Finished by its deadline; None when unfinished or without a deadline (applications.deadline)."""
        if self.finished_at is None or self.due_at is None:
            return None
        return self.finished_at <= self.due_at

    def open_overdue(self, as_of: datetime) -> bool:
        return self.finished_at is None and self.due_at is not None and as_of > self.due_at


@dataclass(frozen=True, slots=True)
class PlanFact:
    """The roster's plan: counters of an agency to keep open on a weekday in one local hour."""

    site_id: Id
    agency_id: Id
    weekday: int  # 0 = Monday (Senin)
    hour: int
    counters: int


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything one site (or sites sharing a zone) recorded, as handed to `rollup.rollup`."""

    tickets: Sequence[TicketFact] = ()
    spans: Sequence[CounterSpan] = ()
    bookings: Sequence[BookingFact] = ()
    surveys: Sequence[SurveyFact] = ()
    complaints: Sequence[ComplaintFact] = ()
    applications: Sequence[ApplicationFact] = ()


# --- From raw events --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TicketEventRecord:
    """One row of `ticket_events`: the kind of step, the status it led to, the counter and actor."""

    at: datetime
    kind: str  # issued | called | recalled | no_show | serving | finished | held | referred |
    # requeued | resumed | closed | voided
    status: str
    counter_id: Id | None = None
    actor_id: Id | None = None


def ticket_fact(*, ticket_id: Id, visit_id: Id, site_id: Id, agency_id: Id, service_id: Id,
                channel: Channel, priority: Priority, events: Iterable[TicketEventRecord],
                referred_from_agency_id: Id | None = None, booking_id: Id | None = None) -> TicketFact:
    """A ticket's fact recomputed from its events alone (the stored row only says who it is for).

    issued_at: the "issued" event; first_called_at: the earliest "called"; serving_at: the last
    "serving"; finished_at: the last "finished" or "referred"; final status: the last event's;
    no_show: the status before a "closed" (or the final status) is no_show; withdrawn: a "voided"
    event; counter: the last event at a counter; officer: who started the service, else who last
    called it.
    """
    ordered = sorted(events, key=lambda e: e.at)
    if not ordered or ordered[0].kind != "issued":
        raise ValueError("a ticket's events start with 'issued'")
    issued = ordered[0].at
    first_called = next((e.at for e in ordered if e.kind == "called"), None)
    serving = [e for e in ordered if e.kind == "serving"]
    ends = [e for e in ordered if e.kind in ("finished", "referred")]
    calls = [e for e in ordered if e.kind == "called"]
    at_counter = [e for e in ordered if e.counter_id is not None and e.kind != "issued"]
    final = Status(ordered[-1].status)
    before_close = ordered[-2].status if final is Status.closed and len(ordered) > 1 else ordered[-1].status
    officer = serving[-1].actor_id if serving else (calls[-1].actor_id if calls else None)
    return TicketFact(
        ticket_id=ticket_id, visit_id=visit_id, site_id=site_id, agency_id=agency_id, service_id=service_id,
        channel=channel, priority=priority, issued_at=issued, final_status=final,
        first_called_at=first_called, serving_at=serving[-1].at if serving else None,
        finished_at=ends[-1].at if ends else None,
        counter_id=at_counter[-1].counter_id if at_counter else None, officer_id=officer,
        referred_from_agency_id=referred_from_agency_id, no_show=before_close == Status.no_show.value,
        withdrawn=any(e.kind == "voided" for e in ordered), booking_id=booking_id)


@dataclass(frozen=True, slots=True)
class CounterLogEntry:
    """A `counter.open` or `counter.close` audit entry."""

    counter_id: Id
    site_id: Id
    agency_id: Id
    at: datetime
    action: str  # open | close
    officer_id: Id | None = None


def counter_spans(entries: Iterable[CounterLogEntry], tz_name: str, as_of: datetime) -> list[CounterSpan]:
    """Open intervals from the open/close log. An open ends at the next close of that counter, at a
    new open (another officer took it over), or at the end of its local day when nothing closed it
    (the end-of-day close shuts counters without a log entry), and never after `as_of`."""
    by_counter: dict[Id, list[CounterLogEntry]] = {}
    for e in entries:
        by_counter.setdefault(e.counter_id, []).append(e)
    spans: list[CounterSpan] = []
    for log in by_counter.values():
        log.sort(key=lambda e: e.at)
        current: CounterLogEntry | None = None
        for e in log:
            if current is not None:
                spans.append(_span(current, e.at, tz_name, as_of))
                current = None
            if e.action == "open":
                current = e
        if current is not None:
            spans.append(_span(current, None, tz_name, as_of))
    return [s for s in spans if s.closed_at is None or s.closed_at > s.opened_at]


def _span(opened: CounterLogEntry, until: datetime | None, tz_name: str, as_of: datetime) -> CounterSpan:
    _, day_end = day_bounds(local_day(opened.at, tz_name), tz_name)
    end = min(day_end, as_of) if until is None else min(until, day_end, as_of)
    return CounterSpan(opened.counter_id, opened.site_id, opened.agency_id, opened.at, max(end, opened.at),
                       opened.officer_id)
