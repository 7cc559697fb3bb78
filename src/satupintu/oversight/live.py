"""The live dashboard's rules (`/kelola/{site}/dasbor`): what is waiting now per agency, the
longest current wait, the counters open / closed / idle, and the alerts. Pure, no I/O: the
service hands in the present moment's facts and the clock.

A wait is never negative: a ticket issued "after" now (clock skew between two app servers) has
waited 0 minutes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .periods import require_aware


@dataclass(frozen=True, slots=True)
class Waiting:
    """A ticket waiting to be called now."""

    number: str
    agency: Hashable
    service: str
    issued_at: datetime

    def __post_init__(self) -> None:
        require_aware(self.issued_at, "issued_at")


@dataclass(frozen=True, slots=True)
class Counter:
    """A counter now: its number and agency, open or not, serving someone, with an officer present."""

    number: int
    agency: Hashable
    is_open: bool
    serving: bool
    has_officer: bool


@dataclass(frozen=True, slots=True)
class AgencyWaiting:
    agency: Hashable
    waiting: int
    oldest_minutes: int | None  # the longest current wait of the agency; None with nobody waiting


@dataclass(frozen=True, slots=True)
class LongestWait:
    number: str
    agency: Hashable
    service: str
    minutes: int


@dataclass(frozen=True, slots=True)
class CounterTally:
    open: int
    closed: int
    idle: int  # open with nobody being served (counted among the open ones)


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # "long_wait" (an agency's longest wait passed the threshold) or "no_officer"
    agency: Hashable
    counter: int | None  # the counter of a "no_officer" alert
    minutes: int | None  # the wait of a "long_wait" alert


def waited_minutes(issued_at: datetime, now: datetime) -> int:
    """Whole minutes since the ticket was issued, never below 0."""
    require_aware(now, "now")
    return max(0, int((now - issued_at).total_seconds() // 60))


def per_agency(waiting: Iterable[Waiting], agencies: Sequence[Hashable], now: datetime) -> list[AgencyWaiting]:
    """One row per agency in the given order (those with nobody waiting too), then any agency of a
    waiting ticket that was not listed; the rows' counts sum to the tickets waiting."""
    counts: dict[Hashable, int] = {a: 0 for a in agencies}
    oldest: dict[Hashable, int] = {}
    for w in waiting:
        counts[w.agency] = counts.get(w.agency, 0) + 1
        minutes = waited_minutes(w.issued_at, now)
        oldest[w.agency] = max(oldest.get(w.agency, 0), minutes)
    return [AgencyWaiting(a, n, oldest.get(a)) for a, n in counts.items()]


def longest(waiting: Iterable[Waiting], now: datetime) -> LongestWait | None:
    """The ticket waiting longest now (the earliest issued; ties by number), or None."""
    first = min(waiting, key=lambda w: (w.issued_at, w.number), default=None)
    if first is None:
        return None
    return LongestWait(first.number, first.agency, first.service, waited_minutes(first.issued_at, now))


def tally(counters: Iterable[Counter]) -> CounterTally:
    open_ = closed = idle = 0
    for c in counters:
        if c.is_open:
            open_ += 1
            idle += not c.serving
        else:
            closed += 1
    return CounterTally(open_, closed, idle)


def alerts(counters: Iterable[Counter], rows: Iterable[AgencyWaiting], threshold_minutes: int) -> list[Alert]:
    """Open counters without an officer (by number), then agencies whose longest wait is past the
    threshold (longest first): the same two alerts as the counters' overview."""
    out = [Alert("no_officer", c.agency, c.number, None)
           for c in sorted(counters, key=lambda c: c.number) if c.is_open and not c.has_officer]
    late = [r for r in rows if r.oldest_minutes is not None and r.oldest_minutes > threshold_minutes]
    out += [Alert("long_wait", r.agency, None, r.oldest_minutes)
            for r in sorted(late, key=lambda r: -(r.oldest_minutes or 0))]
    return out
