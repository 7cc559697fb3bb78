"""Agreements (MoU/PKS) of a site's agencies: listing with their state, adding, renewing, their
scanned files, and the warnings of those about to end. Re-exported by service.py.

Each use case owns its transaction and checks the actor's scope; the rules are in agreements.py."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..config import get_settings
from ..db import Database
from ..errors import Conflict, Errors, FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site, key_agency
from ..timeutil import to_local, utcnow
from .agreement_schemas import AgreementFileOut
from .agreements import (
    agreement_status,
    file_problems,
    lapsed,
    period_problems,
    renewal_problems,
    safe_filename,
    sniff_file_type,
)
from .models import Agency, Agreement, AgreementFile, Site, SiteKind
from .schemas import AgencyOut, AgreementIn, AgreementOut

__all__ = [
    "AgencyAgreements",
    "AgreementRow",
    "AgreementsPage",
    "DownloadedFile",
    "add_agreement",
    "add_agreement_file",
    "agreement_file",
    "agreement_out",
    "agreement_warnings",
    "agreements_page",
    "renew_agreement",
]


@dataclass(frozen=True)
class AgreementRow:
    agreement: AgreementOut
    files: list[AgreementFileOut]
    renews_number: str | None  # the agreement this one continues
    renewed_by_number: str | None  # the agreement that continues this one


@dataclass(frozen=True)
class AgencyAgreements:
    code: str
    name: str
    rows: list[AgreementRow]
    lapsed: bool  # every agreement has ended: its services take no online booking


@dataclass(frozen=True)
class AgreementsPage:
    site_code: str
    site_name: str
    today: date
    warning_days: int
    agencies: list[AgencyAgreements] = field(default_factory=list)
    can_manage: bool = False


@dataclass(frozen=True)
class DownloadedFile:
    filename: str
    content_type: str
    data: bytes


def _site(s: Session, code: str) -> Site:
    site = s.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound("MPP atau lokasi layanan", "site")
    return site


def _today(site: Site) -> date:
    return to_local(utcnow(), site.timezone).date()


def _managed_home(s: Session, actor: Actor, site_code: str) -> Site:
    """The mall whose agreements the actor changes: never through one of its mobile events."""
    site = _site(s, site_code)
    if site.kind is SiteKind.mobile:
        raise ValidationFailed([FieldError("site", "Perjanjian kerja sama diubah di MPP induk, "
                                                   "bukan di pelayanan bergerak.")])
    if not can_manage_site(actor, site.ref):
        raise Forbidden()
    return site


def agreement_out(a: Agreement, today: date) -> AgreementOut:
    status = agreement_status(a.starts_on, a.ends_on, today, get_settings().agreement_warning_days)
    return AgreementOut(id=a.id, kind=a.kind, number=a.number, title=a.title, starts_on=a.starts_on,
                        ends_on=a.ends_on, state=status.state.value, days_left=status.days_left, notes=a.notes or "",
                        renews_id=a.renews_id)


def _file_out(f: AgreementFile) -> AgreementFileOut:
    return AgreementFileOut(id=f.id, agreement_id=f.agreement_id, filename=f.filename, content_type=f.content_type,
                            size=f.size, sha256=f.sha256, uploaded_at=f.uploaded_at)


def _agency_out(a: Agency, site_code: str) -> AgencyOut:
    return AgencyOut(id=a.id, site=site_code, code=a.code, name=a.name, short_name=a.short_name, kind=a.kind,
                     description=a.description, service_count=0)


def _check(data: AgreementIn, errors: Errors) -> None:
    for name, message in period_problems(data.starts_on, data.ends_on):
        errors.add(name, message)


def _duplicate_number(s: Session, agency_id: uuid.UUID, number: str) -> bool:
    return s.scalar(select(Agreement.id).where(Agreement.agency_id == agency_id,
                                               Agreement.number == number.strip())) is not None


def add_agreement(db: Database, actor: Actor, site_code: str, agency_code: str, data: AgreementIn) -> AgreementOut:
    """A new MoU/PKS of an agency; its dates are checked before anything is written."""
    errors = Errors()
    _check(data, errors)
    errors.raise_if_any()
    with db.write() as s:
        site = _managed_home(s, actor, site_code)
        agency = s.scalar(select(Agency).where(Agency.site_id == site.id, Agency.code == agency_code.upper()))
        if agency is None:
            raise NotFound(f"Instansi '{agency_code}'", "agency")
        if _duplicate_number(s, agency.id, data.number):
            raise Conflict("duplicate", f"Nomor perjanjian '{data.number}' sudah tercatat untuk instansi ini.",
                           "number")
        agreement = Agreement(agency_id=agency.id, kind=data.kind, number=data.number.strip(), title=data.title,
                              starts_on=data.starts_on, ends_on=data.ends_on, notes=data.notes)
        s.add(agreement)
        s.flush()
        audit.record(s, actor, "agreement.create", "agreement", agreement.id, site.id, None, audit.snapshot(agreement))
        return agreement_out(agreement, _today(site))


def renew_agreement(db: Database, actor: Actor, site_code: str, agreement_id: uuid.UUID,
                    data: AgreementIn) -> AgreementOut:
    """A renewal (perpanjangan): a new agreement of the same agency that names the one it continues,
    starting after the old one ends. An agreement is renewed once; the renewal can be renewed."""
    with db.write() as s:
        site = _managed_home(s, actor, site_code)
        old = s.scalar(select(Agreement).join(Agency).where(Agreement.id == agreement_id, Agency.site_id == site.id))
        if old is None:
            raise NotFound("Perjanjian", "agreement")
        errors = Errors()
        for name, message in renewal_problems(old.starts_on, old.ends_on, data.starts_on, data.ends_on):
            errors.add(name, message)
        later = s.scalar(select(Agreement.number).where(Agreement.renews_id == old.id))
        if later is not None:
            errors.add("agreement", f"Perjanjian ini sudah diperpanjang dengan {later}.", "already_renewed")
        if _duplicate_number(s, old.agency_id, data.number):
            errors.add("number", f"Nomor perjanjian '{data.number}' sudah tercatat untuk instansi ini.", "duplicate")
        errors.raise_if_any()
        renewal = Agreement(agency_id=old.agency_id, kind=data.kind, number=data.number.strip(), title=data.title,
                            starts_on=data.starts_on, ends_on=data.ends_on, notes=data.notes, renews_id=old.id)
        s.add(renewal)
        s.flush()
        audit.record(s, actor, "agreement.renew", "agreement", renewal.id, site.id, {"renews": old.number},
                     audit.snapshot(renewal))
        return agreement_out(renewal, _today(site))


def add_agreement_file(db: Database, actor: Actor, site_code: str, agreement_id: uuid.UUID, filename: str,
                       data: bytes) -> AgreementFileOut:
    """Attach a scan: PDF, JPEG or PNG told by its content (not its name or the browser's
    claim), within the size limit; its SHA-256 is kept to show it is the file that was signed."""
    problems = file_problems(data)
    if problems:
        raise ValidationFailed([FieldError(name, message) for name, message in problems])
    content_type = sniff_file_type(data)
    assert content_type is not None  # file_problems refused anything else
    with db.write() as s:
        site = _managed_home(s, actor, site_code)
        agreement = s.scalar(select(Agreement).join(Agency).where(Agreement.id == agreement_id,
                                                                  Agency.site_id == site.id))
        if agreement is None:
            raise NotFound("Perjanjian", "agreement")
        row = AgreementFile(agreement_id=agreement.id, filename=safe_filename(filename, content_type),
                            content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            data=data)
        s.add(row)
        s.flush()
        audit.record(s, actor, "agreement.file", "agreement", agreement.id, site.id, None,
                     {"file": row.filename, "size": row.size, "sha256": row.sha256})
        return _file_out(row)


def agreement_file(db: Database, actor: Actor, site_code: str, file_id: uuid.UUID) -> DownloadedFile:
    """A stored scan, for staff of the site (or of the mall, from one of its events)."""
    with db.read() as s:
        site = _site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        row = s.scalar(select(AgreementFile).join(Agreement).join(Agency)
                       .where(AgreementFile.id == file_id, Agency.site_id == site.home_id))
        if row is None:
            raise NotFound("Berkas perjanjian", "file")
        return DownloadedFile(row.filename, row.content_type, row.data)


def _load(s: Session, home_id: uuid.UUID) -> tuple[list[Agency], dict[uuid.UUID, list[Agreement]]]:
    agencies = list(s.scalars(select(Agency).where(Agency.site_id == home_id).order_by(Agency.name)))
    by_agency: dict[uuid.UUID, list[Agreement]] = defaultdict(list)
    for a in s.scalars(select(Agreement).join(Agency).where(Agency.site_id == home_id)
                       .order_by(Agreement.starts_on, Agreement.number)):
        by_agency[a.agency_id].append(a)
    return agencies, by_agency


def _superseded(a: Agreement, others: list[Agreement]) -> bool:
    """Renewed, or followed by a later agreement of the same agency: nothing to warn about."""
    return any(o.renews_id == a.id or o.ends_on > a.ends_on for o in others if o.id != a.id)


def agreement_warnings(db: Database, actor: Actor, site_code: str, today: date | None = None
                       ) -> list[tuple[AgencyOut, AgreementOut]]:
    """The panel "Segera berakhir": agreements of a site that are expiring or have expired and
    that no renewal or later agreement continues, soonest end date first."""
    with db.read() as s:
        site = _site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        day = today or _today(site)
        agencies, by_agency = _load(s, site.home_id)
        if (only := key_agency(actor)) is not None:  # a key of one agency: its own agreements only
            agencies = [a for a in agencies if a.id == only]
        out = []
        for agency in agencies:
            for a in by_agency.get(agency.id, []):
                view = agreement_out(a, day)
                if view.state in ("expiring", "expired") and not _superseded(a, by_agency[agency.id]):
                    out.append((_agency_out(agency, site.code), view))
        return sorted(out, key=lambda pair: pair[1].ends_on)


def agreements_page(db: Database, actor: Actor, site_code: str, today: date | None = None) -> AgreementsPage:
    """Every agency of the site with its agreements, their files and renewals, and whether its
    services still take online bookings."""
    with db.read() as s:
        site = _site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        day = today or _today(site)
        agencies, by_agency = _load(s, site.home_id)
        files: dict[uuid.UUID, list[AgreementFileOut]] = defaultdict(list)
        for f in s.scalars(select(AgreementFile).join(Agreement).join(Agency)
                           .where(Agency.site_id == site.home_id).order_by(AgreementFile.uploaded_at)):
            files[f.agreement_id].append(_file_out(f))
        numbers = {a.id: a.number for rows in by_agency.values() for a in rows}
        renewed_by = {a.renews_id: a.number for rows in by_agency.values() for a in rows if a.renews_id}
        out = []
        for agency in agencies:
            rows = by_agency.get(agency.id, [])
            out.append(AgencyAgreements(
                agency.code, agency.name,
                [AgreementRow(agreement_out(a, day), files.get(a.id, []),
                              numbers.get(a.renews_id) if a.renews_id else None, renewed_by.get(a.id))
                 for a in rows],
                lapsed([(a.starts_on, a.ends_on) for a in rows], day)))
        return AgreementsPage(site.code, site.name, day, get_settings().agreement_warning_days, out,
                              can_manage_site(actor, site.ref) and site.kind is not SiteKind.mobile)
