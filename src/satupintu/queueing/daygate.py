"""Whether a ticket may be issued now: the site's hours, cut-off and closed days, a mobile
event's dates and status, the service's last-issue clock and daily quota (daywindow.py's
rules over the cached calendar, lookup.calendar). A refusal is one error a kiosk and an API
client both read: the reason, the field at fault and when to come back.

The quota is counted where the number is taken (tickets.new_numbered_ticket), inside the
transaction that holds the letter's sequence row: every issue of a service takes that row's
lock first, so the count it reads after the lock includes every ticket committed before, and
two kiosks racing cannot both take the last place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import Conflict
from ..timeutil import long_date, zone_label
from . import daywindow, lookup
from .daywindow import Decision, Refusal

BOOKING_HINT = "Anda juga dapat memesan antrean secara online."

MESSAGES = {
    Refusal.closed_today: "Hari ini tidak ada layanan antrean di sini.",
    Refusal.before_opening: "Pengambilan nomor antrean belum dibuka.",
    Refusal.after_cutoff: "Pengambilan nomor antrean untuk hari ini sudah ditutup.",
    Refusal.quota_full: "Kuota nomor antrean layanan ini untuk hari ini sudah habis.",
}
EVENT_NOT_OPEN = "event_not_open"


class QuotaReached(Exception):
    """Raised inside the issuing transaction when the service's daily quota is taken; the
    transaction rolls back (the number is not used) and the caller answers `IssuingClosed`."""


class IssuingClosed(Conflict):
    """No ticket now. `reason` is a daywindow.Refusal value (or 'event_not_open');
    `come_back_at` is the local moment issuing opens again, when known."""

    def __init__(self, reason: str, field: str, message: str, come_back_at: datetime | None) -> None:
        super().__init__("issuing_closed", message, field)
        self.reason = reason
        self.come_back_at = come_back_at

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["reason"] = self.reason
        body["error"]["come_back_at"] = self.come_back_at.isoformat() if self.come_back_at else None
        return body


def come_back_text(at: datetime | None, lang: str = "id") -> str:
    """'Kamis, 3 Desember 2026 pukul 08:00 WIB', as the kiosk says when to come back."""
    if at is None:
        return ""
    zone = zone_label(str(at.tzinfo))
    word = "pukul" if lang == "id" else "at"
    return f"{long_date(at.date(), lang, weekday=True)} {word} {at:%H:%M} {zone}"


def _refusal(decision: Decision, field: str) -> IssuingClosed:
    assert decision.refusal is not None
    message = MESSAGES[decision.refusal]
    if decision.come_back_at is not None:
        message += f" Silakan datang kembali {come_back_text(decision.come_back_at)}."
    return IssuingClosed(decision.refusal.value, field, f"{message} {BOOKING_HINT}", decision.come_back_at)


def _field(cal: lookup.DayCalendar, svc: lookup.ServiceInfo, decision: Decision, now: datetime) -> str:
    """'service' when the service's own limit refused (quota, its earlier last-issue clock), else 'site'."""
    if decision.refusal is Refusal.quota_full:
        return "service"
    if decision.refusal is Refusal.after_cutoff and svc.last_issue_time is not None:
        site_only = daywindow.window(cal.calendar, daywindow.IssueRules(cal.issue_cutoff_minutes), now.date(),
                                     now.tzinfo)
        if site_only is not None and now < site_only.last_issue:
            return "service"
    return "site"


def local_now(cal: lookup.DayCalendar, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(cal.timezone))


def decide(cal: lookup.DayCalendar, svc: lookup.ServiceInfo, now: datetime, issued_today: int = 0) -> Decision:
    """daywindow.may_issue at the site's local time; a site with no weekly hours entered is
    not limited by the clock (its quota and closed days still hold)."""
    local = local_now(cal, now)
    rules = cal.rules(svc)
    if not cal.has_hours:
        day, c = local.date(), cal.calendar
        if day in c.closed or (c.starts_on and day < c.starts_on) or (c.ends_on and day > c.ends_on):
            return Decision(Refusal.closed_today)
        if rules.daily_quota > 0 and issued_today >= rules.daily_quota:
            return Decision(Refusal.quota_full)
        return Decision(None)
    return daywindow.may_issue(cal.calendar, rules, local, issued_today)


def check_open(db: Any, site: lookup.SiteInfo, svc: lookup.ServiceInfo, now: datetime) -> None:
    """Refuse (IssuingClosed) unless a ticket for `svc` may be issued at `now` (UTC); the
    quota is left to the transaction (QuotaReached)."""
    cal = lookup.calendar(db, site)
    if cal.is_event and cal.event_status != "open":
        raise IssuingClosed(EVENT_NOT_OPEN, "site", "Pelayanan bergerak ini sedang tidak dibuka. " + BOOKING_HINT,
                            None)
    decision = decide(cal, svc, now)
    if decision.refusal is not None:
        raise _refusal(decision, _field(cal, svc, decision, local_now(cal, now)))


def site_refusal(db: Any, site: lookup.SiteInfo, now: datetime) -> IssuingClosed | None:
    """Whether the site as a whole issues no number now (hours, cut-off, closed day, event),
    for the kiosk's first screen; a service's own limits are told when it is pressed."""
    none = lookup.ServiceInfo(site.id, "", "", site.id, "", "", None)
    try:
        check_open(db, site, none, now)
    except IssuingClosed as closed:
        return closed
    return None


def quota_refusal(db: Any, site: lookup.SiteInfo, svc: lookup.ServiceInfo, now: datetime) -> IssuingClosed:
    """The answer when the transaction found the quota taken."""
    cal = lookup.calendar(db, site)
    decision = decide(cal, svc, now, issued_today=max(svc.daily_quota, 1))
    if decision.refusal is None:  # no quota any more (changed meanwhile): still, this one was refused
        decision = Decision(Refusal.quota_full)
    return _refusal(decision, "service")
