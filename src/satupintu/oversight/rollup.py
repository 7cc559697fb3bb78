"""Mergeable daily (or hourly) rollups of recorded facts. Pure, no I/O.

`rollup(facts, tz, as_of=...)` turns one site's facts into one `Rollup` per local day (or day and
hour) and combination of agency, service, counter and officer that occurred; `merge(rollups)`
adds them into one `Totals`. Everything in a rollup is a count, an exact integer sum or a minute
histogram (`distribution.Distribution`), so merging the daily rollups of any split of a range
gives exactly the rollup of the whole range, in any order, and percentiles of a merged range
are within one minute of the exact ones.

Which day a fact counts on (local day in the site's zone):

- a ticket: the day it was issued (its wait, service time and outcome go with it);
- counter open and busy time: the hours and days they fall in, cut at local hour boundaries;
- a booking: the day of its slot; a survey response: the day it was submitted;
- a complaint: the day it was received (its triage and answer figures go with it);
- an application: received and open-overdue on the day it was received; finished and on time on
  the day it finished.

What a day's rollup holds about tickets and counters is final once the day is closed. Bookings,
complaints and applications are judged `as_of` a moment (a booking becomes a no-show once its
slot and grace pass; a complaint becomes overdue; an application finishes days later), so stored
rollups must refresh those parts, or the service computes them live: they are small tables.

Busy time is service time (start to finish, or to `as_of` while still serving) at a counter,
counted only while the counter is open; utilisation = busy / open.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from ..queueing.policy import Status
from .distribution import Dense, Distribution, micros
from .facts import SKM_REGULATION, CounterSpan, Facts, Id, TicketFact
from .periods import Grain, hour_pieces, local_day_hour, require_aware

HOURS = 24
_ZERO_HOURS: tuple[int, ...] = (0,) * HOURS

# Count names. Every count is additive over rollups.
TICKETS = "tickets"
VISITORS = "visitors"  # a visit's first ticket: one per visit, referrals are not new visitors
REFERRED_IN = "referred_in"  # tickets that came by referral from another service
PRIORITY_TICKETS = "priority_tickets"
INVERTED = "inverted"  # facts whose times were out of order (durations clamped to 0)
BOOKINGS_MADE = "bookings.made"
RESPONDENTS = "survey.respondents"
COMPLAINTS_RECEIVED = "complaints.received"
COMPLAINTS_TRIAGED = "complaints.triaged"
COMPLAINTS_VERIFIED_ON_TIME = "complaints.verified_on_time"
COMPLAINTS_VERIFY_OVERDUE = "complaints.verify_overdue"
COMPLAINTS_ANSWERED = "complaints.answered"
COMPLAINTS_ANSWERED_DUE = "complaints.answered_with_due"
COMPLAINTS_ANSWERED_ON_TIME = "complaints.answered_on_time"
COMPLAINTS_ANSWER_OVERDUE = "complaints.answer_overdue"
APPS_RECEIVED = "applications.received"
APPS_OPEN_OVERDUE = "applications.open_overdue"
APPS_FINISHED = "applications.finished"
APPS_FINISHED_DUE = "applications.finished_with_due"
APPS_ON_TIME = "applications.on_time"


def channel_count(channel: str) -> str:
    return f"channel.{channel}"


def priority_count(priority: str) -> str:
    return f"priority.{priority}"


def outcome_count(outcome: str) -> str:
    return f"outcome.{outcome}"


def booking_count(outcome: str) -> str:
    return f"bookings.{outcome}"


@dataclass(frozen=True, slots=True)
class RollupKey:
    day: date
    site_id: Id
    agency_id: Id | None = None  # None: a complaint not yet assigned to an agency
    service_id: Id | None = None  # None for counter time, and complaints without a service
    counter_id: Id | None = None
    officer_id: Id | None = None
    hour: int | None = None  # set in hourly rollups only


@dataclass(frozen=True, slots=True)
class Totals:
    """The additive content of one or more rollups. Never mutated: `+` builds a new one."""

    counts: Mapping[str, int] = field(default_factory=dict)  # non-zero counts only
    wait: Distribution = Distribution()  # issued to first call
    service: Distribution = Distribution()  # start to finish
    arrivals_by_hour: tuple[int, ...] = _ZERO_HOURS  # new visitors by local hour of issue
    open_us_by_hour: tuple[int, ...] = _ZERO_HOURS  # counter-open microseconds by local hour
    busy_us_by_hour: tuple[int, ...] = _ZERO_HOURS
    referrals_from: Mapping[Id, int] = field(default_factory=dict)  # sending agency -> referred-in tickets
    skm: Mapping[str, Mapping[int, int]] = field(default_factory=dict)  # unsur -> answer value -> count

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def open_us(self) -> int:
        return sum(self.open_us_by_hour)

    @property
    def busy_us(self) -> int:
        return sum(self.busy_us_by_hour)

    def __add__(self, other: Totals) -> Totals:
        return merge_totals((self, other))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for a stored daily rollup (ids of sending agencies as strings)."""
        return {"counts": dict(sorted(self.counts.items())), "wait": self.wait.as_dict(),
                "service": self.service.as_dict(), "arrivals_by_hour": list(self.arrivals_by_hour),
                "open_us_by_hour": list(self.open_us_by_hour), "busy_us_by_hour": list(self.busy_us_by_hour),
                "referrals_from": {str(k): v for k, v in self.referrals_from.items()},
                "skm": {u: {str(v): n for v, n in per.items()} for u, per in self.skm.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], parse_id: Callable[[str], Id] = str) -> Totals:
        if _plain_ints(data):  # as json.loads gives it back: no conversion per value
            return cls(counts=data["counts"], wait=Distribution.from_dict(data["wait"]),
                       service=Distribution.from_dict(data["service"]),
                       arrivals_by_hour=_hours_of(data["arrivals_by_hour"]),
                       open_us_by_hour=_hours_of(data["open_us_by_hour"]),
                       busy_us_by_hour=_hours_of(data["busy_us_by_hour"]),
                       referrals_from={parse_id(k): v for k, v in data["referrals_from"].items()},
                       skm={u: {int(v): n for v, n in per.items()} for u, per in data["skm"].items()})
        return cls(counts={str(k): int(v) for k, v in data["counts"].items()},
                   wait=Distribution.from_dict(data["wait"]), service=Distribution.from_dict(data["service"]),
                   arrivals_by_hour=tuple(int(x) for x in data["arrivals_by_hour"]),
                   open_us_by_hour=tuple(int(x) for x in data["open_us_by_hour"]),
                   busy_us_by_hour=tuple(int(x) for x in data["busy_us_by_hour"]),
                   referrals_from={parse_id(k): int(v) for k, v in data["referrals_from"].items()},
                   skm={u: {int(v): int(n) for v, n in per.items()} for u, per in data["skm"].items()})


def _plain_ints(data: Mapping[str, Any]) -> bool:
    counts = data["counts"]
    return (isinstance(counts, dict) and all(type(v) is int for v in counts.values())
            and all(type(x) is int for k in ("arrivals_by_hour", "open_us_by_hour", "busy_us_by_hour")
                    for x in data[k]))


def _hours_of(values: list[int]) -> tuple[int, ...]:
    return tuple(values) if any(values) else _ZERO_HOURS


@dataclass(frozen=True, slots=True)
class Rollup:
    key: RollupKey
    totals: Totals


def merge_totals(parts: Iterable[Totals]) -> Totals:
    counts: Counter[str] = Counter()
    referrals: Counter[Id] = Counter()
    skm: dict[str, Counter[int]] = {}
    waits, services = [], []
    arrivals, opened, busy = [_ZERO_HOURS], [_ZERO_HOURS], [_ZERO_HOURS]
    for t in parts:
        counts.update(t.counts)
        if t.referrals_from:
            referrals.update(t.referrals_from)
        for unsur, per_value in t.skm.items():
            skm.setdefault(unsur, Counter()).update(per_value)
        waits.append(t.wait)
        services.append(t.service)
        arrivals.append(t.arrivals_by_hour)
        if t.open_us_by_hour is not _ZERO_HOURS or t.busy_us_by_hour is not _ZERO_HOURS:
            opened.append(t.open_us_by_hour)
            busy.append(t.busy_us_by_hour)
    return Totals(counts=_nonzero(counts), wait=Distribution.merge_all(waits),
                  service=Distribution.merge_all(services), arrivals_by_hour=_sum_hours(arrivals),
                  open_us_by_hour=_sum_hours(opened), busy_us_by_hour=_sum_hours(busy),
                  referrals_from=_nonzero(referrals),
                  skm={u: _nonzero(c) for u, c in sorted(skm.items()) if any(c.values())})


def _sum_hours(rows: list[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(map(sum, zip(*rows, strict=True)))


def merge(rollups: Iterable[Rollup]) -> Totals:
    """All the rollups added into one `Totals` (order does not matter)."""
    return merge_totals(r.totals for r in rollups)


def fold(rollups: Iterable[Rollup]) -> list[Rollup]:
    """The rollups merged per day, hour, site, agency and service (counter and officer folded in):
    what the figures of a site, an agency or a service need, in far fewer rows."""
    parts: dict[RollupKey, list[Totals]] = {}
    for r in rollups:
        k = r.key
        parts.setdefault(RollupKey(k.day, k.site_id, k.agency_id, k.service_id, hour=k.hour), []).append(r.totals)
    return [Rollup(k, v[0] if len(v) == 1 else merge_totals(v)) for k, v in parts.items()]


@dataclass(frozen=True, slots=True)
class Headline:
    """Rollups merged whole, with the service-time histogram of each service kept apart (the
    share served within each service's standard needs it): one site's day or month at a glance."""

    totals: Totals = Totals()
    service_by_service: Mapping[Id, Distribution] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"totals": self.totals.as_dict(),
                "service_by_service": {str(k): d.as_dict() for k, d in self.service_by_service.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], parse_id: Callable[[str], Id] = str) -> Headline:
        return cls(Totals.from_dict(data["totals"], parse_id),
                   {parse_id(k): Distribution.from_dict(d) for k, d in data["service_by_service"].items()})


def headline(rollups: Iterable[Rollup]) -> Headline:
    rollups = list(rollups)
    per: dict[Id, list[Distribution]] = {}
    for r in rollups:
        if r.key.service_id is not None and r.totals.service.count:
            per.setdefault(r.key.service_id, []).append(r.totals.service)
    return Headline(merge(rollups), {k: Distribution.merge_all(v) for k, v in per.items()})


def merge_headlines(parts: Iterable[Headline]) -> Headline:
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    per: dict[Id, list[Distribution]] = {}
    for h in parts:
        for k, d in h.service_by_service.items():
            per.setdefault(k, []).append(d)
    return Headline(merge_totals(h.totals for h in parts), {k: Distribution.merge_all(v) for k, v in per.items()})


SKM_KEY_SEP = "|"


def standards_basis(minutes: Mapping[str, int]) -> str:
    """A short fingerprint of a site's service standards (service id as text -> minutes): a kept
    glance counted against them is valid while it is the same."""
    text = ",".join(f"{k}:{v}" for k, v in sorted(minutes.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Glance:
    """A headline as the national view reads it: the additive parts of the site's figures (its
    histograms as `Dense` runs, the SKM answers flat as "unsur|value" -> count), and of the
    service times of services with a minute standard how many were measured and how many lasted
    at most the standard, so parts add up without merging a histogram per service. `basis` is
    the `standards_basis` of the site's standards the counts were taken against."""

    counts: Mapping[str, int] = field(default_factory=dict)
    wait: Dense = Dense()
    service: Dense = Dense()
    open_us: int = 0
    busy_us: int = 0
    skm: Mapping[str, int] = field(default_factory=dict)
    referrals_from: Mapping[Id, int] = field(default_factory=dict)
    with_standard: int = 0
    within_standard: int = 0
    basis: str = ""

    @classmethod
    def of(cls, h: Headline, standard: Mapping[str, int], basis: str = "") -> Glance:
        """`standard`: service id as text -> minutes (at least the site's); `basis` its fingerprint."""
        measured = within = 0
        for service_id, d in h.service_by_service.items():
            minutes = standard.get(str(service_id))
            if minutes is not None:
                measured += d.count
                within += d.count_within(minutes)
        t = h.totals
        skm = {f"{u}{SKM_KEY_SEP}{v}": n for u, per in t.skm.items() for v, n in per.items() if n}
        return cls(dict(t.counts), Dense.of(t.wait), Dense.of(t.service), t.open_us, t.busy_us,
                   skm, t.referrals_from, measured, within, basis)

    def skm_tally(self) -> dict[str, dict[int, int]]:
        """The SKM answers as `Totals.skm` holds them: unsur (sorted) -> answer value -> count."""
        out: dict[str, dict[int, int]] = {}
        for key, n in self.skm.items():
            if n:
                unsur, _, value = key.rpartition(SKM_KEY_SEP)
                out.setdefault(unsur, {})[int(value)] = n
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "wait": self.wait.as_list(),
                "service": self.service.as_list(), "open_us": self.open_us, "busy_us": self.busy_us,
                "skm": dict(sorted(self.skm.items())),
                "referrals_from": {str(k): v for k, v in self.referrals_from.items()},
                "with_standard": self.with_standard, "within_standard": self.within_standard, "basis": self.basis}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], parse_id: Callable[[str], Id] = str) -> Glance:
        refs = data["referrals_from"]
        return cls(data["counts"], Dense.from_list(data["wait"]), Dense.from_list(data["service"]),
                   data["open_us"], data["busy_us"], data["skm"],
                   {parse_id(k): v for k, v in refs.items()} if refs else {},
                   data["with_standard"], data["within_standard"], data["basis"])


def merge_glances(parts: Iterable[Glance]) -> Glance:
    """Glances added into one (order does not matter; the basis is not carried over)."""
    parts = list(parts)
    counts: Counter[str] = Counter()
    skm: Counter[str] = Counter()
    referrals: Counter[Id] = Counter()
    for g in parts:
        counts.update(g.counts)
        skm.update(g.skm)
        if g.referrals_from:
            referrals.update(g.referrals_from)
    return Glance(_nonzero(counts), Dense.merge_all(g.wait for g in parts),
                  Dense.merge_all(g.service for g in parts), sum(g.open_us for g in parts),
                  sum(g.busy_us for g in parts), _nonzero(skm), _nonzero(referrals),
                  sum(g.with_standard for g in parts), sum(g.within_standard for g in parts))


_K = TypeVar("_K", bound=Hashable)


def _nonzero(counter: Mapping[_K, int]) -> dict[_K, int]:
    return {k: v for k, v in counter.items() if v}


class _Acc:
    """A rollup while it is being built."""

    __slots__ = ("counts", "waits", "services", "arrivals", "opened", "busy", "referrals", "skm")

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.waits: list[int] = []
        self.services: list[int] = []
        self.arrivals = [0] * HOURS
        self.opened = [0] * HOURS
        self.busy = [0] * HOURS
        self.referrals: Counter[Id] = Counter()
        self.skm: dict[str, Counter[int]] = {}

    def freeze(self) -> Totals:
        return Totals(counts=_nonzero(self.counts), wait=Distribution.of(self.waits),
                      service=Distribution.of(self.services), arrivals_by_hour=_hours(self.arrivals),
                      open_us_by_hour=_hours(self.opened), busy_us_by_hour=_hours(self.busy),
                      referrals_from=_nonzero(self.referrals),
                      skm={u: _nonzero(c) for u, c in sorted(self.skm.items()) if any(c.values())})


def _hours(values: list[int]) -> tuple[int, ...]:
    return tuple(values) if any(values) else _ZERO_HOURS


class _Builder:
    def __init__(self, tz_name: str, grain: Grain) -> None:
        if grain not in (Grain.day, Grain.hour):
            raise ValueError("rollups are daily or hourly")
        self.tz, self.hourly = tz_name, grain is Grain.hour
        self.accs: dict[RollupKey, _Acc] = {}

    def at(self, moment: datetime, site: Id, agency: Id | None, service: Id | None = None,
           counter: Id | None = None, officer: Id | None = None) -> tuple[_Acc, int]:
        day, hour = local_day_hour(moment, self.tz)
        return self.on(day, hour, site, agency, service, counter, officer), hour

    def on(self, day: date, hour: int, site: Id, agency: Id | None, service: Id | None = None,
           counter: Id | None = None, officer: Id | None = None) -> _Acc:
        key = RollupKey(day, site, agency, service, counter, officer, hour if self.hourly else None)
        acc = self.accs.get(key)
        if acc is None:
            acc = self.accs[key] = _Acc()
        return acc

    def result(self) -> list[Rollup]:
        return [Rollup(k, a.freeze()) for k, a in self.accs.items()]


def rollup(facts: Facts, tz_name: str, *, as_of: datetime, grain: Grain = Grain.day) -> list[Rollup]:
    """One site's facts as rollups per local day (or hour) and agency/service/counter/officer."""
    require_aware(as_of, "as_of")
    b = _Builder(tz_name, grain)
    for t in facts.tickets:
        _add_ticket(b, t)
    _add_spans(b, facts.spans, facts.tickets, as_of)
    for bk in facts.bookings:
        _, slot_hour = local_day_hour(bk.slot_start, tz_name)
        acc = b.on(bk.on_date, slot_hour, bk.site_id, bk.agency_id, bk.service_id)
        acc.counts[BOOKINGS_MADE] += 1
        acc.counts[booking_count(bk.outcome(as_of).value)] += 1
    for sv in facts.surveys:
        if sv.regulation != SKM_REGULATION:
            continue
        acc, _ = b.at(sv.submitted_at, sv.site_id, sv.agency_id, sv.service_id, sv.counter_id, sv.officer_id)
        acc.counts[RESPONDENTS] += 1
        for unsur, value in sv.answers.items():
            acc.skm.setdefault(unsur, Counter())[value] += 1
    for c in facts.complaints:
        acc, _ = b.at(c.received_at, c.site_id, c.agency_id, c.service_id)
        n = acc.counts
        n[COMPLAINTS_RECEIVED] += 1
        if c.verified_at is not None:
            n[COMPLAINTS_TRIAGED] += 1
            n[COMPLAINTS_VERIFIED_ON_TIME] += c.verified_at <= c.verify_due_at
        n[COMPLAINTS_VERIFY_OVERDUE] += c.verify_overdue(as_of)
        if c.answered_at is not None:
            n[COMPLAINTS_ANSWERED] += 1
            if c.due_at is not None:
                n[COMPLAINTS_ANSWERED_DUE] += 1
                n[COMPLAINTS_ANSWERED_ON_TIME] += c.answered_at <= c.due_at
        n[COMPLAINTS_ANSWER_OVERDUE] += c.answer_overdue(as_of)
    for a in facts.applications:
        acc, _ = b.at(a.received_at, a.site_id, a.agency_id, a.service_id)
        acc.counts[APPS_RECEIVED] += 1
        acc.counts[APPS_OPEN_OVERDUE] += a.open_overdue(as_of)
        if a.finished_at is not None:
            acc, _ = b.at(a.finished_at, a.site_id, a.agency_id, a.service_id)
            acc.counts[APPS_FINISHED] += 1
            on_time = a.on_time()
            if on_time is not None:
                acc.counts[APPS_FINISHED_DUE] += 1
                acc.counts[APPS_ON_TIME] += on_time
    return b.result()


def _add_ticket(b: _Builder, t: TicketFact) -> None:
    acc, hour = b.at(t.issued_at, t.site_id, t.agency_id, t.service_id, t.counter_id, t.officer_id)
    n = acc.counts
    n[TICKETS] += 1
    if t.is_new_visit:
        n[VISITORS] += 1
        acc.arrivals[hour] += 1
    else:
        n[REFERRED_IN] += 1
        if t.referred_from_agency_id is not None:
            acc.referrals[t.referred_from_agency_id] += 1
    n[channel_count(t.channel.value)] += 1
    n[priority_count(t.priority.value)] += 1
    n[PRIORITY_TICKETS] += t.is_priority
    n[outcome_count(t.outcome.value)] += 1
    inverted = False
    wait = t.wait()
    if wait is not None:
        acc.waits.append(micros(wait[0]))
        inverted |= wait[1]
    service = t.service_time()
    if service is not None:
        acc.services.append(micros(service[0]))
        inverted |= service[1]
    n[INVERTED] += inverted


def busy_intervals(tickets: Iterable[TicketFact], as_of: datetime) -> dict[Id, list[tuple[datetime, datetime]]]:
    """Per counter, the merged intervals in which it was serving someone."""
    raw: dict[Id, list[tuple[datetime, datetime]]] = {}
    for t in tickets:
        if t.counter_id is None or t.serving_at is None:
            continue
        if t.final_status in (Status.done, Status.referred) and t.finished_at is not None:
            end = t.finished_at
        elif t.final_status is Status.serving:
            end = as_of
        else:
            continue
        if end > t.serving_at:
            raw.setdefault(t.counter_id, []).append((t.serving_at, end))
    return {c: _union(v) for c, v in raw.items()}


def _union(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    intervals.sort()
    out: list[tuple[datetime, datetime]] = []
    for s, e in intervals:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def overlap_us(merged: Sequence[tuple[datetime, datetime]], starts: Sequence[datetime],
               a: datetime, b: datetime) -> int:
    """Microseconds of [a, b) covered by sorted, disjoint intervals (`starts` are their starts)."""
    total = 0
    i = max(0, bisect_right(starts, a) - 1)
    while i < len(merged) and merged[i][0] < b:
        s, e = merged[i]
        lo, hi = max(s, a), min(e, b)
        if hi > lo:
            total += micros(hi - lo)
        i += 1
    return total


def _add_spans(b: _Builder, spans: Iterable[CounterSpan], tickets: Iterable[TicketFact], as_of: datetime) -> None:
    busy = busy_intervals(tickets, as_of)
    starts = {c: [s for s, _ in v] for c, v in busy.items()}
    for span in spans:
        end = min(span.closed_at or as_of, as_of)
        merged, first = busy.get(span.counter_id, []), starts.get(span.counter_id, [])
        for day, hour, lo, hi in hour_pieces(span.opened_at, end, b.tz):
            acc = b.on(day, hour, span.site_id, span.agency_id, None, span.counter_id, span.officer_id)
            acc.opened[hour] += micros(hi - lo)
            acc.busy[hour] += overlap_us(merged, first, lo, hi)
