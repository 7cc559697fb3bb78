"""The facilities checklist (sarana prasarana) of a site. Pure, no I/O.

Each site records, per facility of the catalogue, a status (tersedia / sebagian / belum ada /
tidak berlaku), a note, photo evidence and a due date for what is missing. From the records:

- the facilities measure: (available + half of partly available) over the facilities that
  apply; a facility with no record counts as missing (an assessor who cannot see it scores it so);
- the share of facilities for vulnerable groups (kelompok rentan) available, the same way;
- the overdue items: missing or partial, with a due date before the site's local today;
- what still needs a plan (missing or partial without a due date) or evidence (no photo).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ..errors import FieldError
from .periods import local_day, require_aware

MAX_NOTE = 500
MAX_PHOTOS = 5


class Category(enum.StrEnum):
    service = "pelayanan"
    vulnerable = "kelompok_rentan"
    support = "penunjang"


CATEGORY_LABELS = {Category.service: "Ruang dan sarana pelayanan", Category.vulnerable: "Sarana kelompok rentan",
                   Category.support: "Sarana penunjang"}


class FacilityStatus(enum.StrEnum):
    available = "tersedia"
    partial = "sebagian"
    missing = "belum_ada"
    not_applicable = "tidak_berlaku"


STATUS_LABELS = {FacilityStatus.available: "Tersedia", FacilityStatus.partial: "Sebagian",
                 FacilityStatus.missing: "Belum ada", FacilityStatus.not_applicable: "Tidak berlaku"}
_CREDIT = {FacilityStatus.available: 1.0, FacilityStatus.partial: 0.5, FacilityStatus.missing: 0.0}


@dataclass(frozen=True, slots=True)
class Facility:
    key: str
    name: str  # Indonesian, as on the checklist
    category: Category


DEFAULT_FACILITIES: tuple[Facility, ...] = (
    Facility("ruang_tunggu", "Ruang tunggu", Category.service),
    Facility("sistem_antrean", "Sistem antrean", Category.service),
    Facility("meja_informasi", "Meja informasi", Category.service),
    Facility("meja_konsultasi", "Meja konsultasi / help desk", Category.service),
    Facility("pojok_pengaduan", "Pojok pengaduan", Category.service),
    Facility("ruang_laktasi", "Ruang laktasi", Category.vulnerable),
    Facility("area_bermain_anak", "Area bermain anak", Category.vulnerable),
    Facility("ramp", "Jalur landai (ramp)", Category.vulnerable),
    Facility("guiding_block", "Ubin pemandu (guiding block)", Category.vulnerable),
    Facility("toilet_disabilitas", "Toilet ramah disabilitas", Category.vulnerable),
    Facility("kursi_roda", "Kursi roda", Category.vulnerable),
    Facility("toilet", "Toilet", Category.support),
    Facility("musala", "Musala", Category.support),
    Facility("parkir", "Area parkir", Category.support),
    Facility("cctv", "CCTV", Category.support),
    Facility("perbankan_atm", "Layanan perbankan / ATM", Category.support),
    Facility("wifi", "Wi-Fi", Category.support),
    Facility("gerai_umkm", "Gerai UMKM", Category.support),
)


@dataclass(frozen=True, slots=True)
class FacilityRecord:
    """What a site recorded about one facility."""

    key: str
    status: FacilityStatus
    note: str = ""
    photos: tuple[str, ...] = ()  # ids of stored photo evidence
    due_on: date | None = None  # when what is missing should be there (site's local date)


def check_records(records: Sequence[FacilityRecord],
                  catalogue: Sequence[Facility] = DEFAULT_FACILITIES) -> list[FieldError]:
    """Problems with a site's checklist, each naming its field (`facilities[i].field`)."""
    known = {f.key for f in catalogue}
    seen: set[str] = set()
    errors = []
    for i, r in enumerate(records):
        where = f"facilities[{i}]"
        if r.key not in known:
            errors.append(FieldError(f"{where}.key", f"Sarana '{r.key}' tidak ada dalam daftar."))
        elif r.key in seen:
            errors.append(FieldError(f"{where}.key", f"Sarana '{r.key}' tercatat lebih dari sekali."))
        seen.add(r.key)
        if len(r.note) > MAX_NOTE:
            errors.append(FieldError(f"{where}.note", f"Catatan paling banyak {MAX_NOTE} karakter."))
        if len(r.photos) > MAX_PHOTOS:
            errors.append(FieldError(f"{where}.photos", f"Foto bukti paling banyak {MAX_PHOTOS}."))
        if r.due_on is not None and r.status in (FacilityStatus.available, FacilityStatus.not_applicable):
            errors.append(FieldError(f"{where}.due_on",
                                     "Tenggat hanya untuk sarana yang belum ada atau baru sebagian."))
    return errors


def check_catalogue(catalogue: Sequence[Facility]) -> list[FieldError]:
    """An edited facility list: keys present and unique, names filled in."""
    errors = []
    seen: set[str] = set()
    for i, f in enumerate(catalogue):
        if not f.key.strip():
            errors.append(FieldError(f"catalogue[{i}].key", "Kode sarana wajib diisi."))
        elif f.key in seen:
            errors.append(FieldError(f"catalogue[{i}].key", f"Kode sarana '{f.key}' dipakai lebih dari sekali."))
        seen.add(f.key)
        if not f.name.strip():
            errors.append(FieldError(f"catalogue[{i}].name", "Nama sarana wajib diisi."))
    return errors


@dataclass(frozen=True)
class FacilityMeasure:
    applicable: int
    available: int
    partial: int
    missing: int  # recorded as missing, or not recorded at all
    not_applicable: int
    available_share: float | None  # (available + partial / 2) / applicable
    vulnerable_share: float | None  # the same over facilities for vulnerable groups
    overdue: tuple[str, ...]  # keys: missing or partial, due date passed
    without_plan: tuple[str, ...]  # keys: missing or partial, no due date
    without_evidence: tuple[str, ...]  # keys: available or partial, no photo


def measure(records: Iterable[FacilityRecord], now: datetime, tz_name: str,
            catalogue: Sequence[Facility] = DEFAULT_FACILITIES) -> FacilityMeasure:
    """The facilities measure of a site at `now` (overdue is judged on the site's local date)."""
    require_aware(now, "now")
    today = local_day(now, tz_name)
    by_key = {r.key: r for r in records}
    counts = dict.fromkeys(FacilityStatus, 0)
    credit = {c: [0.0, 0] for c in Category}
    overdue, without_plan, without_evidence = [], [], []
    for f in catalogue:
        r = by_key.get(f.key)
        status = r.status if r else FacilityStatus.missing
        counts[status] += 1
        if status is FacilityStatus.not_applicable:
            continue
        credit[f.category][0] += _CREDIT[status]
        credit[f.category][1] += 1
        if status in (FacilityStatus.missing, FacilityStatus.partial):
            if r is None or r.due_on is None:
                without_plan.append(f.key)
            elif r.due_on < today:
                overdue.append(f.key)
        if status in (FacilityStatus.available, FacilityStatus.partial) and r is not None and not r.photos:
            without_evidence.append(f.key)
    applicable = sum(n for _, n in credit.values())
    earned = sum(c for c, _ in credit.values())
    vulnerable, vulnerable_n = credit[Category.vulnerable]
    return FacilityMeasure(
        applicable=int(applicable), available=counts[FacilityStatus.available], partial=counts[FacilityStatus.partial],
        missing=counts[FacilityStatus.missing], not_applicable=counts[FacilityStatus.not_applicable],
        available_share=earned / applicable if applicable else None,
        vulnerable_share=vulnerable / vulnerable_n if vulnerable_n else None,
        overdue=tuple(overdue), without_plan=tuple(without_plan), without_evidence=tuple(without_evidence))
