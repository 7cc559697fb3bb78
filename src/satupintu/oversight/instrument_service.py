"""The readiness instrument, stored: every save is a new version (`readiness_instruments`), the
highest is the one sites are assessed with. While nothing is stored the code's
`DEFAULT_INSTRUMENT` is version 1 (migration 0029 stores it). Any staff member may read the
instrument; only the national overseer edits it. The rules (`from_dict`, `validate`) are
`readiness.py`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, Unauthenticated, ValidationFailed
from ..scope import Actor
from ..timeutil import utcnow
from .models import ReadinessInstrumentVersion
from .readiness import DEFAULT_INSTRUMENT, Instrument

MAX_NOTE = 500


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: datetime | None  # None: the code's default, not stored yet
    created_by: str
    note: str


@dataclass(frozen=True)
class InstrumentView:
    version: int
    instrument: Instrument
    info: VersionInfo
    history: list[VersionInfo]  # newest first
    can_edit: bool


def _require_staff(actor: Actor) -> None:
    if actor.role is None:
        raise Unauthenticated()


def stored_current(s: Session) -> tuple[int, Instrument]:
    """The version and instrument sites are assessed with now (inside a caller's transaction);
    every stored body passed `from_dict` when it was saved."""
    row = s.scalars(select(ReadinessInstrumentVersion).order_by(ReadinessInstrumentVersion.version.desc())
                    .limit(1)).first()
    if row is None:
        return 1, DEFAULT_INSTRUMENT
    return row.version, Instrument.from_dict(row.body)


def current(db: Database, actor: Actor) -> InstrumentView:
    """The current instrument with its version history; `can_edit` for the overseer only."""
    _require_staff(actor)
    with db.read() as s:
        version, instrument = stored_current(s)
        rows = s.execute(select(ReadinessInstrumentVersion.version, ReadinessInstrumentVersion.created_at,
                                ReadinessInstrumentVersion.created_by, ReadinessInstrumentVersion.note)
                         .order_by(ReadinessInstrumentVersion.version.desc())).all()
    history = [VersionInfo(v, at, by, note) for v, at, by, note in rows]
    if not history:
        history = [VersionInfo(1, None, "system", "Bawaan SatuPintu")]
    return InstrumentView(version, instrument, history[0], history, actor.is_overseer)


def save(db: Database, actor: Actor, data: Mapping[str, Any], *, base_version: int | None = None,
         note: str = "") -> InstrumentView:
    """Store an edited instrument as the next version, in one transaction, or (any field wrong)
    nothing, with every wrong field named (`aspects[0].indicators[2].weight`, ...).

    `base_version` is the version the editor started from: when another save came first the
    edit is refused (409) rather than silently undoing it."""
    _require_staff(actor)
    if not actor.is_overseer:
        raise Forbidden("Hanya pengawas nasional yang dapat mengubah instrumen penilaian.")
    if len(note) > MAX_NOTE:
        raise ValidationFailed([FieldError("note", f"Catatan perubahan paling banyak {MAX_NOTE} karakter.")])
    instrument = Instrument.from_dict(data)
    try:
        with db.write() as s:
            newest = s.scalars(select(ReadinessInstrumentVersion)
                               .order_by(ReadinessInstrumentVersion.version.desc()).limit(1)
                               .with_for_update()).first()
            now_version = newest.version if newest is not None else 1
            if base_version is not None and base_version != now_version:
                raise _changed_meanwhile(now_version)
            if newest is None:  # the default was never stored: keep it as version 1 first
                s.add(ReadinessInstrumentVersion(version=1, body=DEFAULT_INSTRUMENT.as_dict(),
                                                 note="Bawaan SatuPintu", created_at=utcnow(), created_by="system"))
            version = now_version + 1
            s.add(ReadinessInstrumentVersion(version=version, body=instrument.as_dict(), note=note.strip(),
                                             created_at=utcnow(), created_by=actor.label))
            audit.record(s, actor, "readiness.instrument", "readiness_instrument", None, None,
                         {"version": now_version}, {"version": version, "note": note.strip()})
    except IntegrityError:  # another overseer's save took the same version number
        raise _changed_meanwhile(None) from None
    return current(db, actor)


def _changed_meanwhile(version: int | None) -> Conflict:
    where = f" (sekarang versi {version})" if version is not None else ""
    return Conflict("instrument_changed",
                    f"Instrumen sudah diubah orang lain sejak Anda membukanya{where}. Muat ulang lalu ulangi "
                    "perubahan Anda.", "base_version")


__all__ = ["InstrumentView", "VersionInfo", "current", "save", "stored_current"]
