"""Helpers for tests about the queue day: give a site real opening hours (the demo's own, or
any), and a clock fixed at a local wall-clock time in the site's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from satupintu.catalogue.hours import parse_hours
from satupintu.catalogue.models import OpeningHours, Site
from satupintu.db import Database


def set_hours(db: Database, site_code: str, hours: dict[int, tuple[time, time]], **site_fields: object) -> None:
    """Replace a site's weekly hours (and set other site columns, e.g. issue_cutoff_minutes)."""
    with db.write() as s:
        site = s.scalar(select(Site).where(Site.code == site_code))
        assert site is not None
        s.execute(delete(OpeningHours).where(OpeningHours.site_id == site.id))
        for weekday, (opens, closes) in hours.items():
            s.add(OpeningHours(site_id=site.id, weekday=weekday, opens=opens, closes=closes))
        for name, value in site_fields.items():
            setattr(site, name, value)
    from satupintu.queueing import lookup

    lookup.clear(db)


def restore_demo_hours(db: Database, site_code: str = "lahat") -> None:
    """The demo's real weekly hours (tests load it with all-day hours, tests/conftest.py)."""
    from tests.conftest import _real_demo_data

    data = _real_demo_data()
    entry = data["site"] if data["site"]["code"] == site_code else data["mobile_event"]
    hours, errors = parse_hours(entry["opening_hours"])
    assert not errors
    set_hours(db, site_code, hours)


def weekdays(opens: str, closes: str, days: range = range(5)) -> dict[int, tuple[time, time]]:
    o, c = (time.fromisoformat(x) for x in (opens, closes))
    return {d: (o, c) for d in days}


def next_weekday(day: date, weekday: int = 0) -> date:
    """The first date on or after `day` that falls on `weekday` (Monday 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local_moment(day: date, clock: str, tz: str) -> datetime:
    """A UTC moment that is `clock` on `day` in the zone `tz` (the server's clock is UTC)."""
    return datetime.combine(day, time.fromisoformat(clock), ZoneInfo(tz)).astimezone(UTC)


def next_local_weekday(tz: str = "Asia/Jakarta") -> date:
    """The first weekday after today in the site's zone (the demo's Lahat: WIB). Not the server's
    UTC date: from 17:00 UTC it is already tomorrow in WIB, and "tomorrow" by UTC is today there."""
    d = datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d
