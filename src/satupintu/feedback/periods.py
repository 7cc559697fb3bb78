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


ROMAN = ("I", "II", "III", "IV")
MONTH_NAMES = {"id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                      "Oktober", "November", "Desember"),
               "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")}
KIND_LABELS = {"bulan": ("Bulan", "Month"), "triwulan": ("Triwulan", "Quarter"), "semester": ("Semester", "Half-year"),
               "tahun": ("Tahun", "Year")}


def period_label(kind: str, year: int, number: int = 1, lang: str = "id") -> str:
    """('triwulan', 2026, 4) -> 'Triwulan IV 2026' ('Quarter 4 2026' in English); a month by its name."""
    en = lang == "en"
    if kind == "bulan":
        return f"{MONTH_NAMES['en' if en else 'id'][number - 1]} {year}"
    if kind == "tahun":
        return f"{'Year' if en else 'Tahun'} {year}"
    name = KIND_LABELS[kind][1 if en else 0]
    return f"{name} {number if en else ROMAN[number - 1]} {year}"


def period_of(day: date, kind: str) -> int:
    """The number of the period of this kind that holds the day (the 4th quarter for 1 December)."""
    return (day.month - 1) // MONTHS_PER[kind] + 1
