"""Enrolment at the centre: a manager makes a one-time code for an event; the van's laptop
trades it for a client key of its own (integration's client systems, scope `unit:sync`).

The code is short enough to type (eight letters and digits without look-alikes, shown as
"ABCD-EFGH"), valid for 30 minutes and once; only its hash is kept. The trade claims the code
first (a conditional update), so two laptops racing with one code get one key between them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .. import __version__, audit
from ..catalogue import queries as catalogue_queries
from ..db import Database
from ..errors import FieldError, Forbidden, ValidationFailed
from ..integration import service as integration
from ..scope import SYSTEM, Actor, can_manage_site
from ..timeutil import utcnow
from .models import EnrolmentCode
from .service import event_of

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
CODE_LENGTH = 8
VALID_FOR = timedelta(minutes=30)
UNIT_SCOPES = ["unit:sync"]


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normal_code(text: str) -> str:
    """What the staff typed, as the code is kept: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(text: str) -> str:
    return hashlib.sha256(("unit-enrol:" + normal_code(text)).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class EnrolledUnit:
    """What the centre tells the laptop once: its key (shown nowhere else) and its event."""

    key: str
    event_code: str
    event_id: uuid.UUID
    event_name: str
    centre_release: str


@dataclass(frozen=True)
class UnitRow:
    """An enrolment on the centre's page: the laptop's name, when, and its key's last use."""

    unit_name: str
    enrolled_at: datetime | None
    created_by: str
    expires_at: datetime
    used: bool
    last_contact_at: datetime | None


def create_code(db: Database, actor: Actor, event_code: str, contact_name: str, contact_email: str) -> IssuedCode:
    """A new one-time code for the event (its manager, the mall's, or the overseer), naming who
    answers for the van's laptop."""
    event, ref = event_of(db, event_code)
    if not can_manage_site(actor, ref):
        raise Forbidden()
    contact_name, contact_email = " ".join(contact_name.split())[:200], contact_email.strip()[:254]
    integration.check_contact(contact_name, contact_email)
    code = new_code()
    expires = utcnow() + VALID_FOR
    with db.write() as s:
        row = EnrolmentCode(site_id=event.id, code_hash=code_hash(code), created_by=actor.label, expires_at=expires,
                            contact_name=contact_name, contact_email=contact_email)
        s.add(row)
        s.flush()
        audit.record(s, actor, "unit.enrolment_code", "unit_enrolment_code", row.id, event.id, None,
                     {"expires_at": expires.isoformat()})
    return IssuedCode(code, expires)


def _refused() -> ValidationFailed:
    return ValidationFailed([FieldError(
        "code", "Kode pendaftaran tidak dikenal, sudah dipakai, atau sudah kedaluwarsa. Minta kode baru kepada "
                "pengelola di pusat.", "invalid_code")])


def enrol(db: Database, code: str, unit_name: str) -> EnrolledUnit:
    """Trade a code for the unit's own client system and key (no login: the code is the proof)."""
    name = " ".join(unit_name.split())[:60] or "Laptop unit"
    if len(normal_code(code)) != CODE_LENGTH:
        raise _refused()
    now = utcnow()
    with db.write() as s:
        row = s.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash(code)))
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise _refused()
        claimed = s.execute(update(EnrolmentCode).where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
                            .values(used_at=now, unit_name=name))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise _refused()
        site_id, code_id, contact = row.site_id, row.id, (row.contact_name, row.contact_email)
        event = catalogue_queries.site(s, site_id)
        if event is None:
            raise _refused()
    try:
        client = integration.register_client(db, SYSTEM, event.code, integration.ClientIn(
            name=f"Unit keliling: {name} ({str(code_id)[-4:]})", owner_agency="Unit layanan keliling",
            contact_name=contact[0], contact_email=contact[1]))
        issued = integration.create_key(db, SYSTEM, event.code, client.id, integration.KeyIn(
            scopes=UNIT_SCOPES, valid_days=integration.KEY_MAX_VALID_DAYS))
    except Exception:
        with db.write() as s:  # nothing was issued: the code may be used again
            s.execute(update(EnrolmentCode).where(EnrolmentCode.id == code_id).values(used_at=None))
        raise
    with db.write() as s:
        s.execute(update(EnrolmentCode).where(EnrolmentCode.id == code_id).values(client_id=client.id))
        audit.record(s, SYSTEM, "unit.enrol", "client_system", client.id, site_id, None,
                     {"unit_name": name, "key_prefix": issued.info.prefix})
    return EnrolledUnit(issued.key, event.code, site_id, event.name, __version__)


def units_of(db: Database, actor: Actor, event_code: str) -> list[UnitRow]:
    """The event's codes and enrolled laptops, newest first, with each key's last contact."""
    event, ref = event_of(db, event_code)
    if not can_manage_site(actor, ref):
        raise Forbidden()
    with db.read() as s:
        rows = s.scalars(select(EnrolmentCode).where(EnrolmentCode.site_id == event.id)
                         .order_by(EnrolmentCode.created_at.desc())).all()
        facts = [(r.unit_name, r.used_at, r.created_by, r.expires_at, r.client_id) for r in rows]
    contacts = integration.clients_last_used(db, [c for *_, c in facts if c is not None])
    return [UnitRow(name, used, by, expires, used is not None, contacts.get(client) if client else None)
            for name, used, by, expires, client in facts]
