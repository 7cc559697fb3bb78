"""The facilities checklist of a site, stored: read it with its measure, save every row in one
transaction, add and remove photo evidence. The rules (what a row may hold, the measure) are
`facilities.py`'s."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select

from .. import audit
from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import Errors, FieldError, Forbidden, NotFound, ValidationFailed
from ..feedback.complaints import attachment_type
from ..scope import Actor, can_manage_site, can_read_site
from ..timeutil import utcnow
from .facilities import (
    CATEGORY_LABELS,
    DEFAULT_FACILITIES,
    MAX_NOTE,
    MAX_PHOTOS,
    STATUS_LABELS,
    Facility,
    FacilityMeasure,
    FacilityRecord,
    FacilityStatus,
    check_records,
    measure,
)
from .models import FacilityPhoto, FacilityRow

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png")


@dataclass(frozen=True)
class PhotoOut:
    id: uuid.UUID
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class Line:
    facility: Facility
    category_label: str
    status: FacilityStatus | None  # None: nothing recorded yet (counts as missing)
    note: str
    due_on: date | None
    photos: list[PhotoOut]
    overdue: bool


@dataclass(frozen=True)
class Checklist:
    site_code: str
    site_name: str
    lines: list[Line]
    measure: FacilityMeasure
    status_labels: dict[str, str]
    can_edit: bool


@dataclass(frozen=True)
class _Stored:
    status: str
    note: str
    due_on: date | None


@dataclass(frozen=True)
class FacilityIn:
    key: str
    status: str
    note: str = ""
    due_on: str = ""  # as typed: an ISO date or empty


def checklist(db: Database, actor: Actor, site_code: str, now: datetime | None = None) -> Checklist:
    moment = now or utcnow()
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        rows = {r.key: _Stored(r.status, r.note, r.due_on)
                for r in s.scalars(select(FacilityRow).where(FacilityRow.site_id == site.id))}
        photos: dict[str, list[PhotoOut]] = {}
        for key, pid, ctype, size, at in s.execute(
                select(FacilityPhoto.key, FacilityPhoto.id, FacilityPhoto.content_type, FacilityPhoto.size,
                       FacilityPhoto.uploaded_at).where(FacilityPhoto.site_id == site.id)
                .order_by(FacilityPhoto.uploaded_at)):
            photos.setdefault(key, []).append(PhotoOut(pid, ctype, size, at))
    records = [FacilityRecord(k, FacilityStatus(r.status), r.note, tuple(str(p.id) for p in photos.get(k, [])),
                              r.due_on) for k, r in rows.items()]
    m = measure(records, moment, site.timezone)
    lines = []
    for f in DEFAULT_FACILITIES:
        r = rows.get(f.key)
        lines.append(Line(f, CATEGORY_LABELS[f.category], FacilityStatus(r.status) if r else None,
                          r.note if r else "", r.due_on if r else None, photos.get(f.key, []), f.key in m.overdue))
    return Checklist(site.code, site.name, lines, m, {k.value: v for k, v in STATUS_LABELS.items()},
                     can_manage_site(actor, site.ref))


def available_shares(db: Database, sites: dict[uuid.UUID, str], now: datetime | None = None) -> dict[uuid.UUID,
                                                                                                  float | None]:
    """The checklist measure's available share of many sites (id -> time zone) in two queries,
    for the national view; the caller has checked the actor may read them all."""
    moment = now or utcnow()
    ids = list(sites)
    with db.read() as s:
        rows: dict[uuid.UUID, dict[str, _Stored]] = {}
        for r in s.scalars(select(FacilityRow).where(FacilityRow.site_id.in_(ids))):
            rows.setdefault(r.site_id, {})[r.key] = _Stored(r.status, r.note, r.due_on)
        photos: dict[tuple[uuid.UUID, str], list[str]] = {}
        for site_id, key, pid in s.execute(select(FacilityPhoto.site_id, FacilityPhoto.key, FacilityPhoto.id)
                                           .where(FacilityPhoto.site_id.in_(ids))
                                           .order_by(FacilityPhoto.uploaded_at)):
            photos.setdefault((site_id, key), []).append(str(pid))
    out = {}
    for site_id, tz in sites.items():
        records = [FacilityRecord(k, FacilityStatus(r.status), r.note, tuple(photos.get((site_id, k), [])), r.due_on)
                   for k, r in rows.get(site_id, {}).items()]
        out[site_id] = measure(records, moment, tz).available_share
    return out


def _parse(entries: list[FacilityIn]) -> list[FacilityRecord]:
    errors = Errors()
    records = []
    for i, e in enumerate(entries):
        where = f"facilities[{i}]"
        try:
            status = FacilityStatus(e.status)
        except ValueError:
            errors.add(f"{where}.status", "Pilih status sarana: tersedia, sebagian, belum ada, atau tidak berlaku.")
            continue
        due = None
        if e.due_on.strip():
            try:
                due = date.fromisoformat(e.due_on.strip())
            except ValueError:
                errors.add(f"{where}.due_on", "Tenggat bukan tanggal; pakai format tahun-bulan-tanggal.")
        records.append(FacilityRecord(e.key, status, e.note.strip(), (), due))
    for err in check_records(records):
        errors.add(err.field, err.message)
    errors.raise_if_any("Daftar sarana belum bisa disimpan; periksa isian yang ditandai.")
    return records


def save_checklist(db: Database, actor: Actor, site_code: str, entries: list[FacilityIn]) -> None:
    """Every row at once: all saved, or (any field wrong) none, with each wrong field named.
    A facility left without a status keeps no record (it counts as missing)."""
    records = _parse([e for e in entries if e.status])
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        existing = {r.key: r for r in s.scalars(select(FacilityRow).where(FacilityRow.site_id == site.id))}
        for r in records:
            row = existing.get(r.key)
            before = None if row is None else {"key": r.key, "status": row.status, "note": row.note,
                                               "due_on": row.due_on.isoformat() if row.due_on else None}
            if row is None:
                row = FacilityRow(site_id=site.id, key=r.key)
                s.add(row)
            row.status, row.note, row.due_on = r.status.value, r.note, r.due_on
            row.updated_at, row.updated_by = utcnow(), actor.label
            audit.record(s, actor, "facility.update", "facility", None, site.id, before,
                         {"key": r.key, "status": row.status, "note": row.note,
                          "due_on": r.due_on.isoformat() if r.due_on else None})


def add_photo(db: Database, actor: Actor, site_code: str, key: str, data: bytes) -> uuid.UUID:
    """Photo evidence for a facility: a whole JPEG or PNG (content checked, not the name), at most
    5 MB and MAX_PHOTOS per facility."""
    field = f"photo-{key}"
    if key not in {f.key for f in DEFAULT_FACILITIES}:
        raise NotFound(f"Sarana '{key}'", "key")
    if not data:
        raise ValidationFailed([FieldError(field, "Pilih foto (JPEG atau PNG).")])
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed([FieldError(field, "Foto terlalu besar: paling besar 5 MB.")])
    content_type = attachment_type(data)
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed([FieldError(field, "Foto harus JPEG atau PNG yang utuh (isi berkas diperiksa).")])
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        count = s.scalar(select(func.count()).select_from(FacilityPhoto)
                         .where(FacilityPhoto.site_id == site.id, FacilityPhoto.key == key)) or 0
        if count >= MAX_PHOTOS:
            raise ValidationFailed([FieldError(field, f"Foto bukti paling banyak {MAX_PHOTOS} per sarana.")])
        photo = FacilityPhoto(site_id=site.id, key=key, content_type=content_type, size=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by=actor.label)
        s.add(photo)
        s.flush()
        audit.record(s, actor, "facility.photo", "facility_photo", photo.id, site.id, None,
                     {"key": key, "size": len(data), "sha256": photo.sha256})
        return photo.id


def photo(db: Database, actor: Actor, site_code: str, photo_id: uuid.UUID) -> tuple[str, bytes]:
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        p = s.get(FacilityPhoto, photo_id)
        if p is None or p.site_id != site.id:
            raise NotFound("Foto", "photo")
        return p.content_type, p.data


def delete_photo(db: Database, actor: Actor, site_code: str, photo_id: uuid.UUID) -> None:
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        p = s.get(FacilityPhoto, photo_id)
        if p is None or p.site_id != site.id:
            raise NotFound("Foto", "photo")
        audit.record(s, actor, "facility.photo_delete", "facility_photo", p.id, site.id,
                     {"key": p.key, "sha256": p.sha256}, None)
        s.execute(delete(FacilityPhoto).where(FacilityPhoto.id == p.id))


__all__ = ["MAX_NOTE", "MAX_PHOTO_BYTES", "Checklist", "FacilityIn", "Line", "add_photo", "checklist",
           "delete_photo", "photo", "save_checklist"]
