"""What staffing's use cases share (internal to the package): the scope check, the site's
agencies and counters read through the catalogue's named queries, officers' days off, and the
day and clock rules of roster input."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, select
from sqlalchemy.orm import Session

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..timeutil import to_local, utcnow
from .models import StaffDayOff
from .schemas import MAX_DAYS

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def parse_hhmm(value: str, field: str) -> int:
    """'08:30' -> 510 minutes since local midnight; anything else is a field error."""
    if not _HHMM.match(value.strip()):
        raise ValidationFailed([FieldError(field, f"Jam '{value}' tidak valid; tulis JJ:MM, misalnya 08:00.")])
    h, m = value.strip().split(":")
    return int(h) * 60 + int(m)


def roster_days(start: date, days: int) -> list[date]:
    """The dates of a roster read, check or generation: 1 to MAX_DAYS from `start`."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed([FieldError("days", f"Jumlah hari harus 1 sampai {MAX_DAYS}.")])
    return [start + timedelta(days=i) for i in range(days)]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def site_today(db: Database, site_code: str) -> date:
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        return to_local(utcnow(), site.timezone).date()


def agencies(s: Session, site: catalogue.Site) -> dict[uuid.UUID, catalogue.AgencyFacts]:
    """The agencies of the site's home, by id, in code order."""
    return {a.id: a for a in catalogue.site_agencies(s, site.home_id)}


def agency_by_code(s: Session, site: catalogue.Site, code: str, field: str = "agency") -> catalogue.AgencyFacts:
    agency = catalogue.agency_by_code(s, site.home_id, code.strip().upper())
    if agency is None:
        raise NotFound(f"Instansi '{code}'", field)
    return agency


def counters(s: Session, site: catalogue.Site) -> list[catalogue.CounterFacts]:
    return catalogue.site_counters(s, site.id)


def days_off(s: Session, officer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[date]]:
    ids = list(officer_ids)
    out: dict[uuid.UUID, list[date]] = defaultdict(list)
    if ids:
        for row in s.scalars(select(StaffDayOff).where(StaffDayOff.officer_id.in_(ids))):
            out[row.officer_id].append(row.on_date)
    return out


def delete_rows(s: Session, statement: Delete) -> int:
    """Run a DELETE and return how many rows it removed."""
    result = cast(CursorResult[Any], s.execute(statement))  # a DML statement executes to a CursorResult
    return result.rowcount
