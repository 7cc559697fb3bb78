"""Cooperation agreement (MoU/PKS) status: pure rules."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


class AgreementState(str, enum.Enum):
    not_started = "not_started"
    active = "active"
    expiring = "expiring"
    expired = "expired"


LABELS = {
    AgreementState.not_started: ("Belum berlaku", "Not yet in force"),
    AgreementState.active: ("Berlaku", "In force"),
    AgreementState.expiring: ("Segera berakhir", "Expiring soon"),
    AgreementState.expired: ("Berakhir", "Expired"),
}


@dataclass(frozen=True)
class AgreementStatus:
    state: AgreementState
    days_left: int  # days until the end date (negative once expired)


def agreement_status(starts_on: date, ends_on: date, today: date, warning_days: int) -> AgreementStatus:
    days_left = (ends_on - today).days
    if today < starts_on:
        state = AgreementState.not_started
    elif days_left < 0:
        state = AgreementState.expired
    elif days_left <= warning_days:
        state = AgreementState.expiring
    else:
        state = AgreementState.active
    return AgreementStatus(state, days_left)


# ---------------------------------------------------------------- in force, lapsed, renewal

def in_force(starts_on: date, ends_on: date, today: date) -> bool:
    """An agreement is in force from its first to its last day, both included."""
    return starts_on <= today <= ends_on


def lapsed(spans: Iterable[tuple[date, date]], today: date) -> bool:
    """Whether an agency's cooperation has lapsed on `today`: it has at least one agreement that
    has ended, and none of its agreements is in force today. An agency with no agreement at all,
    or only with agreements that have not started yet, has not lapsed (nothing ended)."""
    spans = list(spans)
    if any(in_force(start, end, today) for start, end in spans):
        return False
    return any(end < today for _start, end in spans)


def period_problems(starts_on: date, ends_on: date) -> list[tuple[str, str]]:
    """An agreement's own dates: (field, Indonesian message) for each problem."""
    if ends_on < starts_on:
        return [("ends_on", "Tanggal berakhir harus sama dengan atau setelah tanggal mulai.")]
    return []


def renewal_problems(old_starts_on: date, old_ends_on: date, starts_on: date, ends_on: date) -> list[tuple[str, str]]:
    """A renewal continues the agreement it names: its dates come after the old one's (it starts
    after the old one ends), besides being a period of its own."""
    problems = period_problems(starts_on, ends_on)
    if starts_on <= old_ends_on:
        problems.insert(0, ("starts_on", f"Perpanjangan harus mulai setelah perjanjian lama berakhir "
                                         f"({old_ends_on:%d-%m-%Y})."))
    return problems


def renewal_starts_on(old_ends_on: date) -> date:
    """The first day a renewal may start: the day after the old agreement ends."""
    return old_ends_on + timedelta(days=1)


# ---------------------------------------------------------------- uploaded files

MAX_FILE_BYTES = 10 * 1024 * 1024  # a scanned agreement of a few dozen pages
FILE_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_file_type(data: bytes) -> str | None:
    """The type of an uploaded file read from its first bytes (the browser's claim is not trusted):
    PDF, JPEG or PNG; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def file_problems(data: bytes) -> list[tuple[str, str]]:
    """Why an uploaded file is refused, as (field, message); empty when it is accepted."""
    if not data:
        return [("file", "Pilih berkas perjanjian (PDF, JPEG atau PNG).")]
    if len(data) > MAX_FILE_BYTES:
        return [("file", f"Berkas terlalu besar: paling besar {MAX_FILE_BYTES // (1024 * 1024)} MB.")]
    if sniff_file_type(data) is None:
        return [("file", "Berkas harus PDF, JPEG atau PNG (isi berkas diperiksa, bukan namanya).")]
    return []


def safe_filename(name: str, content_type: str) -> str:
    """A file name to store and offer for download: the base name only, plain characters, and
    the extension of the sniffed type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    clean = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip(" ._")[:120]
    return (clean or "perjanjian") + FILE_TYPES[content_type]
