"""The UMKM booth rota: pure rules (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Turn:
    """Who occupies a booth from `starts_on` to `ends_on`, both days included."""

    starts_on: date
    ends_on: date
    owner_name: str
    products: str = ""


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Two spans of days (ends included) share at least one day."""
    return a_start <= b_end and b_start <= a_end


def turn_problems(starts_on: date, ends_on: date, existing: Iterable[tuple[date, date]]) -> list[tuple[str, str]]:
    """Why a new turn cannot be added to a booth's rota, as (field, Indonesian message)."""
    if ends_on < starts_on:
        return [("ends_on", "Tanggal selesai harus sama dengan atau setelah tanggal mulai.")]
    for start, end in sorted(existing):
        if overlaps(starts_on, ends_on, start, end):
            return [("starts_on", f"Bertabrakan dengan giliran {start:%d-%m-%Y} s.d. {end:%d-%m-%Y} "
                                  f"di gerai ini; satu gerai hanya satu pengisi per hari.")]
    return []


def current_and_next(turns: Sequence[Turn], today: date) -> tuple[Turn | None, Turn | None]:
    """The turn that holds the booth today (None if none) and the first one after today."""
    now = next((t for t in turns if t.starts_on <= today <= t.ends_on), None)
    later = sorted((t for t in turns if t.starts_on > today), key=lambda t: t.starts_on)
    return now, (later[0] if later else None)
