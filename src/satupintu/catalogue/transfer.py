"""Catalogue import and export use cases (one spreadsheet row per service).

An import is all or nothing: every row is checked first, against the file and against
the database, and one bad cell rejects the whole file with an error per row and column.
Importing the same file again changes nothing, not even the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts import audit
from ..accounts.scope import Actor, can_manage_site, can_read_site
from ..db import Database
from ..errors import FieldError, ValidationFailed
from . import spreadsheet
from .models import Agency, Counter, Service, ServiceStatus, SiteKind, TimeUnit
from .schemas import ImportResult
from .service import STANDARD_KEYS, _require, site_ref, site_row


def export_catalogue(db: Database, actor: Actor, site_code: str, fmt: str) -> bytes:
    with db.read() as s:
        site = site_row(s, site_code)
        _require(can_read_site(actor, site_ref(site)))
        services = s.scalars(select(Service).where(Service.site_id == (site.parent_site_id or site.id))
                             .options(selectinload(Service.agency), selectinload(Service.counters))
                             .order_by(Service.code)).all()
        rows = []
        for svc in services:
            row: dict[str, Any] = {k: getattr(svc, k) for k in STANDARD_KEYS}
            row["time_unit"] = svc.time_unit.value if svc.time_unit else None
            row.update(agency_code=svc.agency.code, agency_name=svc.agency.name, agency_kind=svc.agency.kind.value,
                       code=svc.code, name=svc.name, description=svc.description, keywords=svc.keywords or [],
                       status=svc.status.value, counters=sorted(c.number for c in svc.counters))
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


def import_catalogue(db: Database, actor: Actor, site_code: str, data: bytes, filename: str) -> ImportResult:
    try:
        headers, raw_rows = spreadsheet.read_table(data, filename)
    except spreadsheet.SpreadsheetError as exc:
        raise ValidationFailed([FieldError("file", str(exc), exc.code)]) from exc
    rows, errors = spreadsheet.parse_rows(headers, raw_rows)

    with db.write() as s:
        site = site_row(s, site_code)
        _require(can_manage_site(actor, site_ref(site)))
        if site.kind is SiteKind.mobile:
            raise ValidationFailed([FieldError("site", "Katalog diimpor ke MPP induk, bukan ke pelayanan bergerak.")])
        agencies = {a.code: a for a in s.scalars(select(Agency).where(Agency.site_id == site.id))}
        counters = {c.number: c for c in s.scalars(
            select(Counter).where(Counter.site_id == site.id).options(selectinload(Counter.services)))}
        services = {svc.code: svc for svc in s.scalars(
            select(Service).where(Service.site_id == site.id).options(selectinload(Service.counters)))}

        # Check the rows against what is stored, before anything is written.
        new_agencies: dict[str, spreadsheet.ServiceRow] = {}
        planned: dict[int, tuple[dict[str, Any], str]] = {}
        for row in rows:
            existing = services.get(row.code.upper())
            values, status, problems = spreadsheet.merge_row(row, _stored(existing) if existing else None)
            already = {(e.field, e.row) for e in errors}
            errors.extend(p for p in problems if (p.field, p.row) not in already)
            planned[row.row] = (values, status)
            if row.agency_code and row.agency_code not in agencies and row.agency_code not in new_agencies:
                if not row.agency_name:
                    errors.append(FieldError("nama_instansi", f"Instansi '{row.agency_code}' belum terdaftar; "
                                             "isi nama instansi untuk mendaftarkannya.", "required", row.row))
                if row.agency_kind is None:
                    errors.append(FieldError("jenis_instansi", f"Instansi '{row.agency_code}' belum terdaftar; "
                                             "isi jenis instansi untuk mendaftarkannya.", "required", row.row))
                new_agencies[row.agency_code] = row
            for number in row.counters or []:
                counter = counters.get(number)
                if counter is None:
                    errors.append(FieldError("loket", f"Loket {number} belum terdaftar di MPP ini.", "not_found", row.row))
                elif counter.agency.code != row.agency_code:
                    errors.append(FieldError("loket", f"Loket {number} milik instansi {counter.agency.code}, "
                                             f"bukan {row.agency_code}.", "invalid", row.row))
        if errors:
            errors.sort(key=lambda e: (e.row or 0, spreadsheet.HEADERS.index(e.field)
                                       if e.field in spreadsheet.HEADERS else -1))
            raise ValidationFailed(errors, f"Impor dibatalkan: {len(errors)} kesalahan pada berkas. "
                                           "Tidak ada data yang diubah.")

        created = updated = unchanged = 0
        for code, row in new_agencies.items():
            agency = Agency(site_id=site.id, code=code, name=row.agency_name, short_name=code,
                            kind=row.agency_kind, description="")
            s.add(agency)
            s.flush()
            agencies[code] = agency
            audit.record(s, actor, "agency.create", "agency", agency.id, site.id, None, audit.snapshot(agency))

        for row in rows:
            agency = agencies[row.agency_code]
            values, status = planned[row.row]
            wanted = _columns(values, status, agency.id)
            svc = services.get(row.code.upper())
            wanted_counters = None if row.counters is None else sorted(set(row.counters))
            if svc is None:
                svc = Service(site_id=site.id, code=row.code.upper(), **wanted)
                s.add(svc)
                s.flush()
                for number in wanted_counters or []:
                    counters[number].services.append(svc)
                s.flush()
                services[svc.code] = svc
                audit.record(s, actor, "service.import", "service", svc.id, site.id, None,
                             audit.snapshot(svc, {"counters": wanted_counters or []}))
                created += 1
                continue
            current_counters = sorted(c.number for c in svc.counters)
            if wanted_counters is None and agency.id != svc.agency_id:
                # Moved to another agency: counters of the old agency no longer serve it.
                wanted_counters = [n for n in current_counters if counters[n].agency_id == agency.id]
            counters_change = wanted_counters is not None and wanted_counters != current_counters
            current = _columns(_stored(svc), svc.status.value, svc.agency_id)
            if current == wanted and not counters_change:
                unchanged += 1
                continue
            before = audit.snapshot(svc, {"counters": current_counters})
            for key, value in wanted.items():
                setattr(svc, key, value)
            if counters_change:
                for counter in counters.values():
                    if counter.number in wanted_counters and svc not in counter.services:
                        counter.services.append(svc)
                    elif counter.number not in wanted_counters and svc in counter.services:
                        counter.services.remove(svc)
            s.flush()
            after_counters = wanted_counters if counters_change else current_counters
            audit.record(s, actor, "service.import", "service", svc.id, site.id, before,
                         audit.snapshot(svc, {"counters": after_counters}))
            updated += 1
        return ImportResult(created=created, updated=updated, unchanged=unchanged,
                            agencies_created=len(new_agencies))
