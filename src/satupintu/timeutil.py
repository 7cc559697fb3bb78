"""Time helpers: everything is stored in UTC and shown in the site's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
INDONESIAN_ZONES = tuple(ZONE_ABBREVIATIONS)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime, tz_name: str) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(tz_name))


def zone_label(tz_name: str) -> str:
    return ZONE_ABBREVIATIONS.get(tz_name, tz_name)


def format_local(moment: datetime | None, tz_name: str) -> str:
    """'23-11-2026 09:05 WIB' — the way Indonesian offices write a time."""
    if moment is None:
        return "-"
    local = to_local(moment, tz_name)
    return f"{local:%d-%m-%Y %H:%M} {zone_label(tz_name)}"


MONTHS = {"id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                 "November", "Desember"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}
WEEKDAYS = {"id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def long_date(day: date | None, lang: str = "id", weekday: bool = False) -> str:
    """'7 Desember 2026' ('Senin, 7 Desember 2026' with the weekday), as letters and receipts write a date."""
    if day is None:
        return "-"
    lang = lang if lang in MONTHS else "id"
    text = f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"
    return f"{WEEKDAYS[lang][day.weekday()]}, {text}" if weekday else text
