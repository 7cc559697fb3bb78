"""When a site's queue day runs: issuing window, daily quota, and when the day closes itself.

Pure rules, no I/O. Every time here is the site's local wall-clock time (a naive or aware
datetime already in the site's zone); the caller converts from UTC with the site's zone, so one
rule serves WIB, WITA and WIT alike.

- A ticket may be issued from opening until the issuing cut-off: the site's closing time minus
  its cut-off, or the service's own last-issue clock (Dukcapil stops at 14:00) if that is earlier.
- A service's daily quota counts the tickets it issued that local day; 0 means no quota.
- A refusal says why and when to come back (the next moment issuing opens), so the kiosk can
  explain it and offer a booking instead.
- The day closes itself at closing time plus the site's grace; `days_to_close` lists every open
  day whose close is due, oldest first, so a server that was down closes what it missed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

Hours = Mapping[int, tuple[time, time]]  # weekday (Monday 0) -> (opens, closes), as catalogue.hours
SEARCH_DAYS = 31  # how far ahead the next opening is looked for (a month of closures is plenty)


class Refusal(str, enum.Enum):
    closed_today = "closed_today"  # not a working day here: weekend, holiday, closure, outside event dates
    before_opening = "before_opening"
    after_cutoff = "after_cutoff"  # issuing has stopped for today
    quota_full = "quota_full"


@dataclass(frozen=True)
class Calendar:
    """What decides whether a site works on a day."""

    hours: Hours
    closed: frozenset[date] = frozenset()
    starts_on: date | None = None  # a mobile service event works only within its dates
    ends_on: date | None = None

    def span(self, day: date) -> tuple[time, time] | None:
        """Opening and closing time on this day, or None when the site does not work then."""
        if day in self.closed:
            return None
        if (self.starts_on and day < self.starts_on) or (self.ends_on and day > self.ends_on):
            return None
        return self.hours.get(day.weekday())


@dataclass(frozen=True)
class IssueRules:
    """How issuing is limited: the site's cut-off before closing, and the service's own limits."""

    site_cutoff_minutes: int = 0  # stop issuing this long before closing
    service_last_issue: time | None = None  # the service stops issuing at this clock time
    daily_quota: int = 0  # tickets per local day for the service; 0: unlimited


@dataclass(frozen=True)
class Window:
    """One day's issuing window, local times."""

    day: date
    opens: datetime
    last_issue: datetime  # issuing is allowed while now < last_issue
    closes: datetime


@dataclass(frozen=True)
class Decision:
    """The answer to "may a ticket be issued now?"; `come_back_at` is set on a refusal when
    issuing opens again within the search horizon."""

    refusal: Refusal | None
    come_back_at: datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def window(calendar: Calendar, rules: IssueRules, day: date, tz: tzinfo | None = None) -> Window | None:
    """The issuing window of `day`, or None when the site does not work that day (or the
    cut-off leaves no time to issue at all)."""
    span = calendar.span(day)
    if span is None:
        return None
    opens = datetime.combine(day, span[0], tz)
    closes = datetime.combine(day, span[1], tz)
    last = closes - timedelta(minutes=max(rules.site_cutoff_minutes, 0))
    if rules.service_last_issue is not None:
        last = min(last, datetime.combine(day, rules.service_last_issue, tz))
    if last <= opens:
        return None
    return Window(day, opens, last, closes)


def next_issue_opening(calendar: Calendar, rules: IssueRules, now: datetime) -> datetime | None:
    """The first moment after `now` at which issuing opens (today's opening if still ahead)."""
    for offset in range(SEARCH_DAYS + 1):
        w = window(calendar, rules, now.date() + timedelta(days=offset), now.tzinfo)
        if w is not None and w.opens > now:
            return w.opens
    return None


def may_issue(calendar: Calendar, rules: IssueRules, now: datetime, issued_today: int) -> Decision:
    """Whether a ticket for this service may be issued at local time `now`, given how many
    it has issued today; a quota is checked only inside the window."""
    w = window(calendar, rules, now.date(), now.tzinfo)
    if w is None:
        return Decision(Refusal.closed_today, next_issue_opening(calendar, rules, now))
    if now < w.opens:
        return Decision(Refusal.before_opening, w.opens)
    if now >= w.last_issue:
        return Decision(Refusal.after_cutoff, next_issue_opening(calendar, rules, now))
    if rules.daily_quota > 0 and issued_today >= rules.daily_quota:
        return Decision(Refusal.quota_full, next_issue_opening(calendar, rules, now))
    return Decision(None)


def close_due_at(calendar: Calendar, day: date, grace_minutes: int, tz: tzinfo | None = None) -> datetime | None:
    """When `day` closes itself: closing time plus grace; None when the site did not work."""
    span = calendar.span(day)
    if span is None:
        return None
    return datetime.combine(day, span[1], tz) + timedelta(minutes=max(grace_minutes, 0))


def days_to_close(calendar: Calendar, open_days: Iterable[date], now: datetime, grace_minutes: int) -> list[date]:
    """Of the days that still hold unfinished tickets, those whose close is due at `now`,
    oldest first. A day the site did not work (tickets left from a changed timetable) is due
    once it is over."""
    due = []
    for day in sorted(set(open_days)):
        at = close_due_at(calendar, day, grace_minutes, now.tzinfo)
        if at is None:
            at = datetime.combine(day + timedelta(days=1), time(0), now.tzinfo)
        if now >= at:
            due.append(day)
    return due
