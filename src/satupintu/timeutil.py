"""Time helpers: everything is stored in UTC and shown in the site's zone."""

from __future__ import annotations

from datetime import UTC, datetime
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
