"""Working days in Indonesia: weekends, national holidays and cuti bersama (the `holidays`
package's Indonesian public and government categories), plus a site's own closed dates.
Pure: no I/O beyond the holiday tables shipped with the package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=64)
def days_off(year: int) -> frozenset[date]:
    """National holidays and collective leave (cuti bersama) of a year."""
    table = holidays.country_holidays("ID", years=[year], categories=("public", "government"))
    return frozenset(table)


def is_working_day(day: date, closed: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year) and day not in set(closed)


def add_working_days(start: date, n: int, closed: Iterable[date] = ()) -> date:
    """The n-th working day after `start` (n >= 1); n == 0 gives `start` itself."""
    if n < 0:
        raise ValueError("n must not be negative")
    closed_set = frozenset(closed)
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed_set):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, closed: Iterable[date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    closed_set = frozenset(closed)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, closed_set):
            count += 1
    return count


def due_at(received: datetime, n: int, tz_name: str, closed: Iterable[date] = ()) -> datetime:
    """Deadline of n working days from a UTC moment: the end of the n-th working day after
    the day it was received, in the site's zone, returned in UTC."""
    zone = ZoneInfo(tz_name)
    local_day = received.astimezone(zone).date()
    last = add_working_days(local_day, n, closed)
    return datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
