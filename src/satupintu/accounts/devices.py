"""Kiosks and boards: pairing by a short code, renaming, the list a manager sees.

The flow (rules of the code in pairing.py):
1. The device opens /pasang: `start_pairing` makes a pending pairing and a claim secret the
   device keeps in an HttpOnly cookie (only its hash is stored).
2. The manager types the code: `confirm_pairing` creates the DeviceToken and keeps its token,
   encrypted, on the pairing.
3. The device's next poll with its claim: `pairing_status` hands the token over exactly once
   and clears it. The token never appears in a URL, on a screen or in a log.

Reached by other modules through service.py, which re-exports these names.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..cache import cache_of
from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..roles import DeviceKind
from ..schemas import Strict
from ..scope import Actor, can_manage_site
from ..timeutil import utcnow
from . import pairing
from .models import DevicePairing, DeviceToken

# How long after its code expires a device's claim cookie lasts: a manager who confirms in the
# code's last minute still reaches a device that polls a little later.
CLAIM_GRACE = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_token() -> str:
    return "dev_" + secrets.token_urlsafe(32)


class PairingIn(Strict):
    """What the manager fills in: the code the device shows, its name, kind and site, and for
    a board what it shows (agency codes, a floor)."""

    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    kind: DeviceKind
    site: str = Field(max_length=64)  # the site code the device serves (the mall or one of its events)
    agencies: list[str] = Field(default_factory=list, max_length=200)
    floor: str = Field(default="", max_length=50)


class RenameIn(Strict):
    name: str = Field(max_length=100)


class DeviceOut(BaseModel):
    id: uuid.UUID
    site: str
    site_name: str
    timezone: str
    kind: DeviceKind
    name: str
    token_hint: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    agencies: list[str] = Field(default_factory=list, description="A board's agencies (codes); empty: all")
    floor: str | None = None


@dataclass(frozen=True)
class PairingStart:
    code: str  # stored form; show it with pairing.display()
    claim: str  # the device's secret, for its HttpOnly cookie only
    expires_at: datetime


@dataclass(frozen=True)
class PairingState:
    """What a waiting device learns on a poll."""

    state: Literal["waiting", "expired", "paired", "delivered", "unknown"]
    code: str | None = None
    expires_at: datetime | None = None
    token: str | None = None  # only in the one 'paired' answer that hands it over
    kind: DeviceKind | None = None
    site: str | None = None


@dataclass(frozen=True)
class DevicesView:
    """The manager's devices page: the devices of the site and its events, and the choices of
    the pairing form."""

    site: catalogue.SiteFacts
    devices: list[DeviceOut]
    sites: list[catalogue.SiteFacts]  # the mall first, then its mobile events
    agencies: list[tuple[str, str]]  # (code, name) of the mall's agencies
    floors: list[str] = field(default_factory=list)  # the floors the counters are on, for a floor's board


# ---------------------------------------------------------------- the device's side (no login)

def start_pairing(db: Database) -> PairingStart:
    """A fresh code for a device on /pasang. Waiting pairings that expired are removed first,
    which also frees their codes, and a token nobody collected is forgotten once the claim
    cookie that could collect it has run out (the device stays listed, for revoking)."""
    now = utcnow()
    claim = secrets.token_urlsafe(32)
    with db.write() as s:
        s.execute(delete(DevicePairing).where(DevicePairing.device_id.is_(None), DevicePairing.expires_at <= now))
        s.execute(update(DevicePairing).where(DevicePairing.token_sealed.is_not(None),
                                              DevicePairing.expires_at <= now - CLAIM_GRACE)
                  .values(token_sealed=None))
        while True:  # 21^8 codes and a handful waiting: a second draw is all but impossible
            code = pairing.new_code()
            if s.scalar(select(DevicePairing.id).where(DevicePairing.code == code,
                                                       DevicePairing.device_id.is_(None))) is None:
                break
        row = DevicePairing(code=code, claim_hash=token_hash(claim), created_at=now,
                            expires_at=pairing.expires_at(now))
        s.add(row)
        return PairingStart(code=code, claim=claim, expires_at=row.expires_at)


def pairing_status(db: Database, claim: str) -> PairingState:
    """The state of the pairing this claim made. Once confirmed, the first poll receives the
    device token (and the pairing forgets it); every later poll hears 'delivered'. A waiting
    device polls every few seconds, so only the hand-over takes a write transaction."""
    digest = token_hash(claim)
    with db.read() as s:
        row = s.scalar(select(DevicePairing).where(DevicePairing.claim_hash == digest))
        if row is None:
            return PairingState("unknown")
        if row.device_id is None:
            if pairing.is_expired(row.created_at, utcnow()):
                return PairingState("expired", row.code, row.expires_at)
            return PairingState("waiting", row.code, row.expires_at)
        device = s.get(DeviceToken, row.device_id)
        site = catalogue.site(s, device.site_id) if device else None
        kind, site_code = (device.kind, site.code) if device and site else (None, None)
        pairing_id, code = row.id, row.code
        collectable = row.delivered_at is None and device is not None and device.revoked_at is None
    delivered = PairingState("delivered", code, kind=kind, site=site_code)
    if not collectable:
        return delivered
    with db.write() as s:
        token = s.scalar(select(DevicePairing.token_sealed).where(DevicePairing.id == pairing_id).with_for_update())
        taken = s.execute(update(DevicePairing)
                          .where(DevicePairing.id == pairing_id, DevicePairing.delivered_at.is_(None),
                                 DevicePairing.token_sealed.is_not(None))
                          .values(token_sealed=None, delivered_at=utcnow()))
        if token is None or taken.rowcount != 1:  # type: ignore[attr-defined]  # another poll took it first
            return delivered
        return PairingState("paired", code, token=token, kind=kind, site=site_code)


def open_pairing(db: Database, claim: str | None) -> tuple[PairingState, str | None]:
    """What /pasang shows a device: the code it already waits with (a reload keeps it), its
    token when the manager has confirmed meanwhile, or else a fresh code and the new claim
    for its cookie (second value; None when the claim stays)."""
    if claim:
        state = pairing_status(db, claim)
        if state.state in ("waiting", "paired"):
            return state, None
    start = start_pairing(db)
    return PairingState("waiting", start.code, start.expires_at), start.claim


# ---------------------------------------------------------------- the manager's side

def _page_site(s: Session, actor: Actor, site_code: str) -> catalogue.SiteFacts:
    site = catalogue.require_site(s, site_code)
    if not can_manage_site(actor, site.ref):
        raise Forbidden("Anda tidak berwenang mengelola perangkat MPP ini.")
    return site


def _sites_of(s: Session, site: catalogue.SiteFacts) -> list[catalogue.SiteFacts]:
    """A mall and its mobile events (an event's page offers the event only)."""
    return [site, *catalogue.events_of(s, site.id)] if site.parent_site_id is None else [site]


def _agencies_of(s: Session, site: catalogue.SiteFacts) -> list[tuple[str, str]]:
    codes = catalogue.agency_codes(s, site.home_id)
    names = catalogue.agency_names(s, list(codes))
    return sorted(((code, names.get(aid, code)) for aid, code in codes.items()), key=lambda p: p[1])


def _floors_of(s: Session, sites: list[catalogue.SiteFacts]) -> list[str]:
    """The floors a board may show: those the counters of the mall and its events are on."""
    return sorted({f for x in sites for f in catalogue.site_counter_floors(s, x.id)})


def _out(device: DeviceToken, site: catalogue.SiteFacts) -> DeviceOut:
    scope = device.display_scope or {}
    return DeviceOut(id=device.id, site=site.code, site_name=site.name, timezone=site.timezone, kind=device.kind,
                     name=device.name, token_hint=device.token_hint, created_at=device.created_at,
                     last_seen_at=device.last_seen_at, revoked_at=device.revoked_at,
                     agencies=list(scope.get("agencies") or []), floor=scope.get("floor") or None)


def devices_page(db: Database, actor: Actor, site_code: str) -> DevicesView:
    with db.read() as s:
        site = _page_site(s, actor, site_code)
        sites = _sites_of(s, site)
        by_id = {x.id: x for x in sites}
        rows = s.scalars(select(DeviceToken).where(DeviceToken.site_id.in_(list(by_id)))
                         .order_by(DeviceToken.revoked_at.is_not(None), DeviceToken.kind, DeviceToken.name)).all()
        return DevicesView(site=site, devices=[_out(d, by_id[d.site_id]) for d in rows], sites=sites,
                           agencies=_agencies_of(s, site), floors=_floors_of(s, sites))


def _name_problem(name: str) -> str | None:
    if not name.strip():
        return "Nama perangkat wajib diisi, misalnya \u201cKios lobi utara\u201d."
    return None


def confirm_pairing(db: Database, actor: Actor, site_code: str, data: PairingIn) -> DeviceOut:
    """The manager of `site_code` confirms the code a device shows: one device is created for
    the chosen site (the mall or one of its events) and the waiting device may collect its
    token. Refused, with nothing written, for a wrong, expired or used code, a site outside
    the manager's, or an agency the site does not have. A wrong code is `wrong_code` (the
    caller counts those, pairing.MAX_WRONG_ATTEMPTS)."""
    errors: list[FieldError] = []
    code = pairing.normalise(data.code)
    if code is None:
        errors.append(FieldError("code", "Kode terdiri atas 8 huruf dan angka seperti di layar perangkat, "
                                         "misalnya K7MX-4RHT.", "wrong_code"))
    problem = _name_problem(data.name)
    if problem:
        errors.append(FieldError("name", problem, "required"))
    now = utcnow()
    with db.write() as s:
        page_site = _page_site(s, actor, site_code)
        target = next((x for x in _sites_of(s, page_site) if x.code == data.site), None)
        if target is None or not can_manage_site(actor, target.ref):
            errors.append(FieldError("site", "Pilih MPP ini atau salah satu layanan bergeraknya.", "invalid"))
        agencies: list[str] = []
        floor = data.floor.strip()
        if data.kind is DeviceKind.board and floor:
            floors = _floors_of(s, _sites_of(s, page_site))
            if floor not in floors:
                known_floors = ", ".join(floors) or "belum ada; isi lantai pada data loket"
                errors.append(FieldError("floor", f"Lantai tidak dikenal di MPP ini (lantai loket: {known_floors}).",
                                         "invalid"))
        if data.kind is DeviceKind.board:
            known = {c for c, _ in _agencies_of(s, page_site)}
            agencies = sorted({a.strip().upper() for a in data.agencies if a.strip()})
            unknown = [a for a in agencies if a not in known]
            if unknown:
                errors.append(FieldError("agencies", f"Instansi tidak dikenal di MPP ini: {', '.join(unknown)}.",
                                         "invalid"))
        row = None
        if code is not None:
            row = s.scalar(select(DevicePairing).where(DevicePairing.code == code)
                           .order_by(DevicePairing.device_id.is_(None).desc(), DevicePairing.created_at.desc())
                           .limit(1).with_for_update())
            if row is None:
                errors.append(FieldError("code", "Kode tidak dikenal. Periksa kode di layar perangkat lalu ketik "
                                                 "ulang.", "wrong_code"))
            elif row.device_id is not None:
                errors.append(FieldError("code", "Kode ini sudah dipakai untuk memasangkan perangkat. Muat ulang "
                                                 "halaman /pasang di perangkat untuk kode baru.", "used_code"))
            elif pairing.is_expired(row.created_at, now):
                errors.append(FieldError("code", "Kode kedaluwarsa. Muat ulang halaman /pasang di perangkat, lalu "
                                                 "ketik kode barunya.", "expired_code"))
        if errors:
            raise ValidationFailed(errors)
        assert row is not None and target is not None  # no error above means both were found
        scope: dict[str, object] | None = None
        if data.kind is DeviceKind.board and (agencies or floor):
            scope = {"agencies": agencies, "floor": floor or None}
        token = new_device_token()
        device = DeviceToken(site_id=target.id, kind=data.kind, name=data.name.strip(), token_hash=token_hash(token),
                             token_hint=token[-4:], created_by_id=actor.user_id, display_scope=scope)
        s.add(device)
        s.flush()
        row.device_id, row.confirmed_at, row.token_sealed = device.id, now, token
        audit.record(s, actor, "device.pair", "device", device.id, target.id, None, audit.snapshot(device))
        return _out(device, target)


def pair_prepared(db: Database, actor: Actor, site_code: str, data: PairingIn, collect_within: timedelta) -> str:
    """A pairing made and confirmed in one go, for a device that is not in front of anyone yet
    (the demo's kiosk and board): returns the claim that collects the device token once, within
    `collect_within`. Whoever opens /pasang?klaim=... with it becomes that device; the token
    itself never leaves the server except in the device's HttpOnly cookie."""
    start = start_pairing(db)
    confirm_pairing(db, actor, site_code, data.model_copy(update={"code": start.code}))
    with db.write() as s:
        s.execute(update(DevicePairing).where(DevicePairing.claim_hash == token_hash(start.claim))
                  .values(expires_at=utcnow() + collect_within))
    return start.claim


def _managed_device(s: Session, actor: Actor, device_id: uuid.UUID) -> tuple[DeviceToken, catalogue.SiteFacts]:
    device = s.get(DeviceToken, device_id)
    if device is None:
        raise NotFound("Perangkat", "device")
    site = catalogue.site(s, device.site_id)
    if site is None or not can_manage_site(actor, site.ref):
        raise Forbidden("Anda tidak berwenang mengelola perangkat ini.")
    return device, site


def rename_device(db: Database, actor: Actor, device_id: uuid.UUID, name: str) -> DeviceOut:
    problem = _name_problem(name)
    if problem:
        raise ValidationFailed([FieldError("name", problem, "required")])
    with db.write() as s:
        device, site = _managed_device(s, actor, device_id)
        before = audit.snapshot(device)
        device.name = name.strip()
        s.flush()
        audit.record(s, actor, "device.rename", "device", device.id, site.id, before, audit.snapshot(device))
        digest, out = device.token_hash, _out(device, site)
    cache_of(db).forget(("device", digest))  # the kiosk's tickets carry its name from now on
    return out
