"""Local days, hours, ISO weeks and months in the site's zone; ranges and previous periods. Pure.

Moments are stored in UTC and must be timezone-aware; days and hours are those of the site's
zone (Asia/Jakarta WIB, Asia/Makassar WITA, Asia/Jayapura WIT). Indonesia's zones have no
daylight saving time, but nothing here assumes it: zone offsets come from `zoneinfo` for each
moment, and an interval is cut at every local hour boundary (a DST change at a local hour
boundary, as in every zone that has one on the hour, gives pieces that each lie in one local hour).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HOUR = timedelta(hours=1)


@lru_cache(maxsize=64)
def zone(tz_name: str) -> ZoneInfo:
    return ZoneInfo(tz_name)


def require_aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (UTC)")


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(zone(tz_name))


def local_day(moment: datetime, tz_name: str) -> date:
    return to_local(moment, tz_name).date()


def local_day_hour(moment: datetime, tz_name: str) -> tuple[date, int]:
    local = to_local(moment, tz_name)
    return local.date(), local.hour


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def hour_pieces(start: datetime, end: datetime, tz_name: str) -> Iterator[tuple[date, int, datetime, datetime]]:
    """Cut [start, end) at local hour boundaries: (local day, local hour, piece start, piece end)."""
    cur = start
    while cur < end:
        local = to_local(cur, tz_name)
        into = timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        nxt = min(end, cur + HOUR - into)
        yield local.date(), local.hour, cur, nxt
        cur = nxt


def days(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included."""
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of equal length that ends the day before `start`."""
    if end < start:
        raise ValueError("end before start")
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


class Grain(enum.StrEnum):
    hour = "hour"
    day = "day"
    week = "week"  # ISO week, Monday to Sunday
    month = "month"
    range = "range"  # the whole range asked for: one period


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A period named by its first day (and hour for an hourly period). Sorts in time order."""

    grain: Grain
    start: date
    hour: int | None = None

    def label(self) -> str:
        if self.grain is Grain.hour:
            return f"{self.start.isoformat()} {self.hour:02d}.00"
        if self.grain is Grain.week:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.grain is Grain.month:
            return f"{self.start:%Y-%m}"
        return self.start.isoformat()


def period_of(day: date, hour: int | None, grain: Grain, range_start: date | None = None) -> Period:
    """The period of a local day (and hour). For Grain.range, the period starting at `range_start`."""
    if grain is Grain.hour:
        if hour is None:
            raise ValueError("hourly periods need hourly rollups")
        return Period(grain, day, hour)
    if grain is Grain.day:
        return Period(grain, day)
    if grain is Grain.week:
        return Period(grain, day - timedelta(days=day.weekday()))
    if grain is Grain.month:
        return Period(grain, day.replace(day=1))
    return Period(grain, range_start or day)
