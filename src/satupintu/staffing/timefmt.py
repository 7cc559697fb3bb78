"""Formatting minutes and days the way the site manager reads them."""

from __future__ import annotations

from datetime import date

WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
FRIDAY = 4


def hhmm(minute: int) -> str:
    """570 -> '09:30' (minutes since local midnight)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def span(start: int, end: int) -> str:
    """'08:00–09:00'."""
    return f"{hhmm(start)}–{hhmm(end)}"


def day_label(day: date) -> str:
    """'Senin 12-01-2026'."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day:%d-%m-%Y}"
