"""Survey reporting periods: month, quarter, semester, year. Pure."""

from __future__ import annotations

import calendar
from datetime import date

KINDS = {"bulan": 12, "triwulan": 4, "semester": 2, "tahun": 1}
MONTHS_PER = {"bulan": 1, "triwulan": 3, "semester": 6, "tahun": 12}


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """('triwulan', 2026, 2) -> (2026-04-01, 2026-06-30)."""
    if kind not in KINDS:
        raise ValueError("periode harus bulan, triwulan, semester, atau tahun")
    if not 1 <= number <= KINDS[kind]:
        raise ValueError(f"nomor {kind} harus 1 sampai {KINDS[kind]}")
    months = MONTHS_PER[kind]
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])
