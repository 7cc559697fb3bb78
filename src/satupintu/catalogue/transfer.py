"""Catalogue import and export use cases (one spreadsheet row per service).

An import is all or nothing: every row is checked first, against the file and against
the database, and one bad cell rejects the whole file with an error per row and column.
Importing the same file again changes nothing, not even the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..db import Database
from ..errors import FieldError, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site, key_agency
from . import spreadsheet
from .models import Agency, Counter, Service, ServiceStatus, Site, SiteKind, TimeUnit
from .schemas import ImportResult
from .service import STANDARD_KEYS, _require, site_row


def export_catalogue(db: Database, actor: Actor, site_code: str, fmt: str) -> bytes:
    """The catalogue of a mall (a mobile service: of its parent) as an .xlsx or .csv spreadsheet."""
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, site.ref))
        q = select(Service).where(Service.site_id == site.home_id)
        if (only := key_agency(actor)) is not None:  # a key of one agency: its own services only
            q = q.where(Service.agency_id == only)
        services = s.scalars(q.options(selectinload(Service.agency), selectinload(Service.counters))
                             .order_by(Service.code)).all()
        rows = []
        for svc in services:
            row: dict[str, Any] = {k: getattr(svc, k) for k in STANDARD_KEYS}
            row["time_unit"] = svc.time_unit.value if svc.time_unit else None
            row.update(agency_code=svc.agency.code, agency_name=svc.agency.name, agency_kind=svc.agency.kind.value,
                       code=svc.code, name=svc.name, description=svc.description, keywords=svc.keywords or [],
                       status=svc.status.value, counters=sorted(c.number for c in svc.counters_at()))
            rows.append(row)
    table = spreadsheet.export_rows(rows)
    return spreadsheet.to_xlsx(table) if fmt == "xlsx" else spreadsheet.to_csv(table)


def _stored(svc: Service) -> dict[str, Any]:
    """A service's values in the spreadsheet's terms (plain strings for enums)."""
    values: dict[str, Any] = {k: getattr(svc, k) for k in spreadsheet.SERVICE_FIELDS}
    values["keywords"] = list(svc.keywords or [])
    values["time_unit"] = svc.time_unit.value if svc.time_unit else None
    values["status"] = svc.status.value
    return values


def _columns(values: dict[str, Any], status: str, agency_id: Any) -> dict[str, Any]:
    """Spreadsheet values -> model attributes."""
    out = {k: v for k, v in values.items() if k != "status"}
    out["time_unit"] = TimeUnit(values["time_unit"]) if values["time_unit"] else None
    out["status"] = ServiceStatus(status)
    out["agency_id"] = agency_id
    return out


@dataclass
class _Catalogue:
    """A mall's stored agencies (by code), counters (by number) and services (by code); the import
    adds what it creates, so later rows find it."""

    agencies: dict[str, Agency]
    counters: dict[int, Counter]
    services: dict[str, Service]


# A row's merged values and status, by spreadsheet row number.
_Plan = dict[int, tuple[dict[str, Any], str]]


def _parse(data: bytes, filename: str) -> tuple[list[spreadsheet.ServiceRow], list[FieldError]]:
    """The file's rows and their errors; a file that cannot be read at all is refused at once."""
    try:
        headers, raw_rows = spreadsheet.read_table(data, filename)
    except spreadsheet.SpreadsheetError as exc:
        raise ValidationFailed([FieldError("file", str(exc), exc.code)]) from exc
    return spreadsheet.parse_rows(headers, raw_rows)


def _import_site(s: Session, actor: Actor, site_code: str) -> Site:
    """The mall to import into: the actor manages it, and it is not a mobile service."""
    site = site_row(s, site_code)
    _require(can_manage_site(actor, site.ref))
    if site.kind is SiteKind.mobile:
        raise ValidationFailed([FieldError("site", "Katalog diimpor ke MPP induk, bukan ke pelayanan bergerak.")])
    return site


def _load_catalogue(s: Session, site_id: uuid.UUID) -> _Catalogue:
    """What the mall has stored, with the counters' services and the services' counters loaded."""
    agencies = {a.code: a for a in s.scalars(select(Agency).where(Agency.site_id == site_id))}
    counters = {c.number: c for c in s.scalars(
        select(Counter).where(Counter.site_id == site_id).options(selectinload(Counter.services)))}
    services = {svc.code: svc for svc in s.scalars(
        select(Service).where(Service.site_id == site_id).options(selectinload(Service.counters)))}
    return _Catalogue(agencies, counters, services)


def _merge(row: spreadsheet.ServiceRow, services: dict[str, Service],
           errors: list[FieldError]) -> tuple[dict[str, Any], str]:
    """The row's values over the stored service's, and its status; the standard's problems are added
    for cells that have no error yet."""
    existing = services.get(row.code.upper())
    values, status, problems = spreadsheet.merge_row(row, _stored(existing) if existing else None)
    already = {(e.field, e.row) for e in errors}
    errors.extend(p for p in problems if (p.field, p.row) not in already)
    return values, status


def _check_agency(row: spreadsheet.ServiceRow, agencies: dict[str, Agency],
                  new_agencies: dict[str, spreadsheet.ServiceRow], errors: list[FieldError]) -> None:
    """An agency not yet registered is registered by its first row, which must name it and its kind."""
    if not row.agency_code or row.agency_code in agencies or row.agency_code in new_agencies:
        return
    if not row.agency_name:
        errors.append(FieldError("nama_instansi", f"Instansi '{row.agency_code}' belum terdaftar; "
                                 "isi nama instansi untuk mendaftarkannya.", "required", row.row))
    if row.agency_kind is None:
        errors.append(FieldError("jenis_instansi", f"Instansi '{row.agency_code}' belum terdaftar; "
                                 "isi jenis instansi untuk mendaftarkannya.", "required", row.row))
    new_agencies[row.agency_code] = row


def _check_counters(row: spreadsheet.ServiceRow, counters: dict[int, Counter], errors: list[FieldError]) -> None:
    """Each counter of the row exists at the mall and belongs to the row's agency."""
    for number in row.counters or []:
        counter = counters.get(number)
        if counter is None:
            errors.append(FieldError("loket", f"Loket {number} belum terdaftar di MPP ini.", "not_found", row.row))
        elif counter.agency.code != row.agency_code:
            errors.append(FieldError("loket", f"Loket {number} milik instansi {counter.agency.code}, "
                                     f"bukan {row.agency_code}.", "invalid", row.row))


def _plan(rows: list[spreadsheet.ServiceRow], catalogue: _Catalogue,
          errors: list[FieldError]) -> tuple[_Plan, dict[str, spreadsheet.ServiceRow]]:
    """Every row checked against what is stored, before anything is written: the rows' values and
    the agencies to register (by code, with the row that names them); problems go to `errors`."""
    new_agencies: dict[str, spreadsheet.ServiceRow] = {}
    planned: _Plan = {}
    for row in rows:
        planned[row.row] = _merge(row, catalogue.services, errors)
        _check_agency(row, catalogue.agencies, new_agencies, errors)
        _check_counters(row, catalogue.counters, errors)
    return planned, new_agencies


def _rejected(errors: list[FieldError]) -> ValidationFailed:
    """The refusal of the whole file, its errors sorted by row and then by column order."""
    errors.sort(key=lambda e: (e.row or 0, spreadsheet.HEADERS.index(e.field)
                               if e.field in spreadsheet.HEADERS else -1))
    return ValidationFailed(errors, f"Impor dibatalkan: {len(errors)} kesalahan pada berkas. "
                                    "Tidak ada data yang diubah.")


def _create_agencies(s: Session, actor: Actor, site: Site, new_agencies: dict[str, spreadsheet.ServiceRow],
                     catalogue: _Catalogue) -> None:
    """Register the agencies the file names for the first time, each audited."""
    for code, row in new_agencies.items():
        agency = Agency(site_id=site.id, code=code, name=row.agency_name, short_name=code,
                        kind=row.agency_kind, description="")
        s.add(agency)
        s.flush()
        catalogue.agencies[code] = agency
        audit.record(s, actor, "agency.create", "agency", agency.id, site.id, None, audit.snapshot(agency))


def _create_service(s: Session, actor: Actor, site: Site, code: str, wanted: dict[str, Any],
                    counter_numbers: list[int], catalogue: _Catalogue) -> None:
    """Add a service new to the mall, on its counters, audited."""
    svc = Service(site_id=site.id, code=code, **wanted)
    s.add(svc)
    s.flush()
    for number in counter_numbers:
        catalogue.counters[number].services.append(svc)
    s.flush()
    catalogue.services[svc.code] = svc
    audit.record(s, actor, "service.import", "service", svc.id, site.id, None,
                 audit.snapshot(svc, {"counters": counter_numbers}))


def _counters_to_set(svc: Service, agency_id: uuid.UUID, wanted: list[int] | None, current: list[int],
                     counters: dict[int, Counter]) -> list[int] | None:
    """The counters the service ends up on, or None when they stay as they are."""
    if wanted is None and agency_id != svc.agency_id:
        # Moved to another agency: counters of the old agency no longer serve it.
        wanted = [n for n in current if counters[n].agency_id == agency_id]
    return wanted if wanted is not None and wanted != current else None


def _set_counters(svc: Service, numbers: list[int], counters: dict[int, Counter]) -> None:
    """Put the service on exactly these counters of the mall."""
    for counter in counters.values():
        if counter.number in numbers and svc not in counter.services:
            counter.services.append(svc)
        elif counter.number not in numbers and svc in counter.services:
            counter.services.remove(svc)


def _update_service(s: Session, actor: Actor, site: Site, svc: Service, wanted: dict[str, Any],
                    wanted_counters: list[int] | None, counters: dict[int, Counter]) -> bool:
    """Bring a stored service to the row's values and counters, audited; False when nothing differs."""
    current_counters = sorted(c.number for c in svc.counters_at())
    new_counters = _counters_to_set(svc, wanted["agency_id"], wanted_counters, current_counters, counters)
    current = _columns(_stored(svc), svc.status.value, svc.agency_id)
    if current == wanted and new_counters is None:
        return False
    before = audit.snapshot(svc, {"counters": current_counters})
    for key, value in wanted.items():
        setattr(svc, key, value)
    if new_counters is not None:
        _set_counters(svc, new_counters, counters)
    s.flush()
    after_counters = new_counters if new_counters is not None else current_counters
    audit.record(s, actor, "service.import", "service", svc.id, site.id, before,
                 audit.snapshot(svc, {"counters": after_counters}))
    return True


def _write_row(s: Session, actor: Actor, site: Site, row: spreadsheet.ServiceRow,
               plan: tuple[dict[str, Any], str], catalogue: _Catalogue) -> str:
    """Create or update the row's service: 'created', 'updated' or 'unchanged'."""
    values, status = plan
    wanted = _columns(values, status, catalogue.agencies[row.agency_code].id)
    wanted_counters = None if row.counters is None else sorted(set(row.counters))
    svc = catalogue.services.get(row.code.upper())
    if svc is None:
        _create_service(s, actor, site, row.code.upper(), wanted, wanted_counters or [], catalogue)
        return "created"
    changed = _update_service(s, actor, site, svc, wanted, wanted_counters, catalogue.counters)
    return "updated" if changed else "unchanged"


def import_catalogue(db: Database, actor: Actor, site_code: str, data: bytes, filename: str) -> ImportResult:
    """Import a spreadsheet into a mall's catalogue: every row checked first, then all of it written,
    or nothing with an error per row and column."""
    rows, errors = _parse(data, filename)
    with db.write() as s:
        site = _import_site(s, actor, site_code)
        catalogue = _load_catalogue(s, site.id)
        planned, new_agencies = _plan(rows, catalogue, errors)
        if errors:
            raise _rejected(errors)
        _create_agencies(s, actor, site, new_agencies, catalogue)
        outcomes = [_write_row(s, actor, site, row, planned[row.row], catalogue) for row in rows]
        return ImportResult(created=outcomes.count("created"), updated=outcomes.count("updated"),
                            unchanged=outcomes.count("unchanged"), agencies_created=len(new_agencies))
