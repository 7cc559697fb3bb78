"""Deadlines of applications from the service's time standard (Jangka Waktu Penyelesaian).

Pure rules, no I/O. Times come in and go out in UTC; days and hours are counted in the
site's zone (Asia/Jakarta, Asia/Makassar, Asia/Jayapura).

Two kinds of standard, matching what the catalogue stores (`Service.time_value` +
`Service.time_unit`, unit ``working_days`` or ``minutes``):

* ``working_days`` — N working days. The day the application is received does not count;
  the deadline is the end (local midnight) of the N-th counted working day after it, as in
  `satupintu.workdays.due_at`. Working days skip weekends, national holidays, cuti bersama
  and the site's own closed dates.
* ``minutes`` — N working minutes ("3 jam kerja" = 180): minutes inside the site's opening
  hours on working days. The clock starts at the moment of receipt (or the next opening if
  received outside hours) and the deadline is the instant the N-th working minute ends; a
  standard that runs out exactly at closing time is due at closing time.

Pauses (the application waits on the applicant, e.g. "perlu perbaikan") are UTC intervals
``(start, end)``; they may overlap. How they extend the deadline:

* working-day standards: a working day is *paused* when it falls after the local date a
  pause started and on or before the local date it ended, i.e. in ``(start_date, end_date]``.
  Paused working days are not counted, so the deadline is the end of the N-th working day
  after receipt that is not paused. This mirrors the receipt rule: the day the applicant
  resubmits does not count, the day corrections were requested does. A pause within one
  day costs nothing; a pause from Friday to Monday costs one day (Monday).
* minute standards: working minutes inside a pause are not counted (exact overlap).

Paused time after the deadline has passed does not move it (the clock had already run
out). A pause still open (``end`` is None) means the clock is stopped: no deadline (None).
Both rules only ever add time: a longer pause never moves a deadline earlier.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import DomainError
from ..workdays import is_working_day

WORKING_DAYS = "working_days"
MINUTES = "minutes"
UNITS = (WORKING_DAYS, MINUTES)

Hours = dict[int, tuple[time, time]]  # weekday (0 = Monday) -> (opens, closes), as catalogue.hours
Pause = tuple[datetime, datetime | None]

_MAX_DAYS_AHEAD = 3660  # safety stop for loops: ten years of calendar days


@dataclass(frozen=True)
class TimeStandard:
    amount: int
    unit: str  # "working_days" or "minutes" (working minutes)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.amount < 1:
            raise ValueError("amount must be at least 1")

    def label(self, lang: str = "id") -> str:
        if self.unit == WORKING_DAYS:
            return f"{self.amount} hari kerja" if lang == "id" else f"{self.amount} working days"
        hours, minutes = divmod(self.amount, 60)
        if lang == "id":
            parts = ([f"{hours} jam kerja"] if hours else []) + ([f"{minutes} menit"] if minutes else [])
        else:
            parts = ([f"{hours} working hours"] if hours else []) + ([f"{minutes} minutes"] if minutes else [])
        return " ".join(parts)


def from_catalogue(time_value: int | None, time_unit: object) -> TimeStandard | None:
    """The standard stored on a catalogue Service (`time_value`, `time_unit` enum or str)."""
    if time_value is None or time_unit is None:
        return None
    unit = getattr(time_unit, "value", time_unit)
    if unit not in UNITS or int(time_value) < 1:
        return None
    return TimeStandard(int(time_value), str(unit))


# --- Parsing the free text of a Standar Pelayanan -----------------------------------------

_ONES = {"nol": 0, "satu": 1, "se": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
         "tujuh": 7, "delapan": 8, "sembilan": 9}
_TEENS = {"sepuluh": 10, "sebelas": 11}


def _words_to_number(words: list[str]) -> int | None:
    """Indonesian number words up to 999: 'empat belas', 'dua puluh satu', 'seratus'."""
    if not words:
        return None
    total, current = 0, 0
    for w in words:
        if w in _TEENS:
            current += _TEENS[w]
        elif w in ("seratus",):
            total += 100
        elif w in ("sepuluh",):
            current += 10
        elif w in _ONES:
            current += _ONES[w]
        elif w == "belas":
            current = (current or 1) + 10
        elif w == "puluh":
            current = (current or 1) * 10
        elif w == "ratus":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


_NUMBER_WORD = r"(?:nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|belas|puluh|ratus)"
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|{_NUMBER_WORD}(?:\s+{_NUMBER_WORD})*)"
_UNIT = (r"(?P<unit>hari\s+kerja|hari\s+kalender|hari|hk|working\s+days?|days?|jam\s+kerja|jam|"
         r"working\s+hours?|hours?|menit|mnt|minutes?|mins?|minggu|weeks?|bulan|months?|working_days)")
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUMBER})(?:\s*\(\s*[a-z\s]+\s*\))?"  # "3 (tiga)"
    rf"(?:\s*(?:-|–|s/d|s\.d\.?|sampai(?:\s+dengan)?|hingga)\s*(?P<upto>{_NUMBER})(?:\s*\(\s*[a-z\s]+\s*\))?)?"
    rf"\s*{_UNIT}\b"
)

_DAY_UNITS = {"hari kerja", "hari", "hk", "working days", "working day", "working_days", "days", "day"}
_HOUR_UNITS = {"jam kerja", "jam", "working hours", "working hour", "hours", "hour"}
_MINUTE_UNITS = {"menit", "mnt", "minutes", "minute", "mins", "min"}


def _number(text: str) -> float | None:
    text = text.strip()
    if text[0].isdigit():
        return float(text.replace(",", "."))
    value = _words_to_number(text.split())
    return float(value) if value is not None else None


def parse_time_standard(text: str | None) -> TimeStandard | None:
    """Read a time standard from free text; None when there is no countable standard.

    Accepts "14 hari kerja", "3 (tiga) hari kerja", "tiga hari kerja", "paling lama 5 HK",
    "1 jam", "3 jam kerja", "1 jam 30 menit", "1,5 jam", "30 menit", ranges such as
    "1-3 hari kerja" or "1 s/d 3 hari" (the upper bound: the promise is "at most"), English
    ("3 working days", "2 hours") and the catalogue's stored form ("14 working_days",
    "30 minutes"). Bare "hari" means working days, as the catalogue import reads it.
    Calendar days, weeks, months, "1 x 24 jam" and anything without a number ("Sesuai jadwal
    sidang") give None: they cannot be turned into working time without guessing.
    """
    if not text:
        return None
    clean = " ".join(text.lower().replace("\u00a0", " ").split())
    if re.search(r"\d\s*x\s*24\s*jam", clean):
        return None
    day_values: list[float] = []
    minute_parts: list[tuple[str, float]] = []
    for match in _AMOUNT.finditer(clean):
        value = _number(match.group("upto") or match.group("num"))
        unit = " ".join(match.group("unit").split())
        if value is None:
            continue
        if unit in _DAY_UNITS:
            day_values.append(value)
        elif unit in _HOUR_UNITS:
            minute_parts.append(("h", value * 60))
        elif unit in _MINUTE_UNITS:
            minute_parts.append(("m", value))
        else:  # calendar days, weeks, months: not a working-time standard
            return None
    if day_values and minute_parts:
        return None  # "1 hari 2 jam": mixed units are not a standard we can count
    if day_values:
        # The same promise is often repeated ("14 hari kerja (paling lama 14 hari kerja)"): the largest.
        days = max(day_values)
        return TimeStandard(int(days), WORKING_DAYS) if days == int(days) and days >= 1 else None
    if not minute_parts:
        return None
    if [kind for kind, _ in minute_parts] == ["h", "m"]:
        minutes = sum(v for _, v in minute_parts)  # "1 jam 30 menit"
    else:
        minutes = max(v for _, v in minute_parts)
    amount = round(minutes)
    return TimeStandard(amount, MINUTES) if amount >= 1 else None


# --- Computing deadlines -----------------------------------------------------------------

def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")
    return moment


def _closed_pauses(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime]] | None:
    """Pauses with both ends; None if one is still open."""
    result = []
    for start, end in pauses:
        if end is None:
            return None
        _aware(start, "pause start")
        _aware(end, "pause end")
        if end > start:
            result.append((start, end))
    return result


def _paused_days(pauses: Sequence[tuple[datetime, datetime]], zone: ZoneInfo) -> set[date]:
    days: set[date] = set()
    for start, end in pauses:
        first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        day = first + timedelta(days=1)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def _deadline_days(received: datetime, n: int, zone: ZoneInfo, closed: frozenset[date],
                   pauses: Sequence[tuple[datetime, datetime]]) -> datetime:
    paused = _paused_days(pauses, zone)
    day = received.astimezone(zone).date()
    remaining = n
    for _ in range(_MAX_DAYS_AHEAD + n * 2):
        day += timedelta(days=1)
        if is_working_day(day, closed) and day not in paused:
            remaining -= 1
            if remaining == 0:
                break
    else:  # pragma: no cover - pauses of a decade
        raise ValueError("deadline too far ahead")
    return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _deadline_minutes(received: datetime, n: int, zone: ZoneInfo, closed: frozenset[date],
                      pauses: Sequence[tuple[datetime, datetime]], hours: Hours) -> datetime:
    paused = _merge(pauses)
    remaining = timedelta(minutes=n)
    start_day = received.astimezone(zone).date()
    for offset in range(_MAX_DAYS_AHEAD):
        day = start_day + timedelta(days=offset)
        span = hours.get(day.weekday())
        if span is None or not is_working_day(day, closed):
            continue
        window_start = datetime.combine(day, span[0], zone).astimezone(UTC)
        window_end = datetime.combine(day, span[1], zone).astimezone(UTC)
        cursor = max(window_start, received)
        # Walk the open window, skipping the paused parts.
        for p_start, p_end in paused:
            if p_end <= cursor or cursor >= window_end:
                continue
            if p_start >= window_end:
                break
            if p_start > cursor:
                run = p_start - cursor
                if run >= remaining:
                    return cursor + remaining
                remaining -= run
            cursor = max(cursor, p_end)
        if cursor < window_end:
            run = window_end - cursor
            if run >= remaining:
                return cursor + remaining
            remaining -= run
    raise ValueError("deadline too far ahead")  # pragma: no cover - no opening hours at all


def deadline(received_utc: datetime, standard: TimeStandard | None, tz: str,
             closed_dates: Iterable[date] = (), pauses: Iterable[Pause] = (),
             opening_hours: Hours | None = None) -> datetime | None:
    """When an application received at `received_utc` is due, in UTC (see the module doc).

    None when there is no countable standard, or while a pause is still open.
    `opening_hours` is needed for minute standards (DomainError on field "opening_hours"
    otherwise) and ignored for working-day standards.
    """
    if standard is None:
        return None
    _aware(received_utc, "received_utc")
    zone = ZoneInfo(tz)
    closed = frozenset(closed_dates)
    closed_pauses = _closed_pauses(pauses)
    if closed_pauses is None:
        return None
    if standard.unit == WORKING_DAYS:
        return _deadline_days(received_utc, standard.amount, zone, closed, closed_pauses)
    if not opening_hours:
        raise DomainError("opening_hours_missing",
                          "Jam layanan belum diatur, sehingga tenggat dalam jam atau menit tidak dapat dihitung.",
                          "opening_hours")
    return _deadline_minutes(received_utc, standard.amount, zone, closed, closed_pauses, opening_hours)


# --- Status and on-time rate -------------------------------------------------------------

class DeadlineStatus(str, enum.Enum):
    on_time = "on_time"
    due_soon = "due_soon"
    overdue = "overdue"


STATUS_LABELS = {
    "on_time": {"id": "Tepat waktu", "en": "On time"},
    "due_soon": {"id": "Segera jatuh tempo", "en": "Due soon"},
    "overdue": {"id": "Terlambat", "en": "Overdue"},
}

DUE_SOON = timedelta(hours=24)


def status(now: datetime, due: datetime | None, finished_at: datetime | None = None,
           due_soon: timedelta = DUE_SOON) -> DeadlineStatus | None:
    """on_time / due_soon / overdue; None when there is no deadline.

    Finished applications: on_time if finished at or before the deadline, else overdue.
    Open ones: overdue once `now` is past the deadline, due_soon when less than `due_soon`
    (default 24 hours; pass less for minute standards) is left, else on_time.
    """
    if due is None:
        return None
    if finished_at is not None:
        return DeadlineStatus.on_time if finished_at <= due else DeadlineStatus.overdue
    if now > due:
        return DeadlineStatus.overdue
    if due - now < due_soon:
        return DeadlineStatus.due_soon
    return DeadlineStatus.on_time


def on_time_rate(items: Iterable[tuple[datetime | None, datetime | None]]) -> float | None:
    """Share (0..1) of finished applications with a deadline that finished on time.

    `items` are ``(due, finished_at)`` pairs; pairs without a deadline or not yet finished
    are left out. None when nothing is left to measure.
    """
    counted = on_time = 0
    for due, finished_at in items:
        if due is None or finished_at is None:
            continue
        counted += 1
        on_time += finished_at <= due
    return on_time / counted if counted else None
