"""Opening hours of a site: parsing and checks, no I/O."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ..errors import FieldError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Hours = dict[int, tuple[time, time]]


def parse_clock(text: str) -> time:
    text = text.strip().replace(".", ":")
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def parse_hours(mapping: dict[str, Any], field: str = "opening_hours") -> tuple[Hours, list[FieldError]]:
    """{'mon': ['08:00', '15:00'], ...} -> {0: (08:00, 15:00)}; errors name the weekday."""
    hours: Hours = {}
    errors: list[FieldError] = []
    for key, span in mapping.items():
        if key not in WEEKDAYS:
            errors.append(FieldError(f"{field}.{key}", "Nama hari tidak dikenal; gunakan mon..sun."))
            continue
        try:
            opens, closes = (parse_clock(str(x)) for x in span)
        except (ValueError, TypeError, OverflowError):
            errors.append(FieldError(f"{field}.{key}", "Jam harus ditulis JJ:MM, misalnya 08:00."))
            continue
        if opens >= closes:
            errors.append(FieldError(f"{field}.{key}", "Jam tutup harus setelah jam buka."))
            continue
        hours[WEEKDAYS.index(key)] = (opens, closes)
    return hours, errors


def is_open(hours: Hours, closed_dates: set[date], local: datetime,
            starts_on: date | None = None, ends_on: date | None = None) -> bool:
    """Whether a site is open at this local time (a mobile event only within its dates)."""
    day = local.date()
    if day in closed_dates:
        return False
    if (starts_on and day < starts_on) or (ends_on and day > ends_on):
        return False
    span = hours.get(local.weekday())
    return span is not None and span[0] <= local.time() < span[1]
