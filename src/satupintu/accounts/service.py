"""Account use cases: users, login, API tokens, device tokens, the audit log."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from ..catalogue.models import Agency, Site
from ..catalogue.schemas import Strict
from ..config import get_settings
from ..cache import cache_of, require_io
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, NotFound, Unauthenticated, ValidationFailed
from ..timeutil import utcnow
from . import audit
from .models import AuditEntry, DeviceKind, DeviceToken, Role, User
from .passwords import hash_password, needs_rehash, password_problem, verify_password
from .scope import Actor, SiteRef, can_manage_site, can_manage_user, can_read_site, scope_problem


class UserIn(Strict):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    full_name: str = Field(min_length=2, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    role: Role
    site: str | None = None  # site code
    agency: str | None = None  # agency code at that site


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    site: str | None
    agency: str | None
    active: bool


class AuditOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    before: dict | None
    after: dict | None


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    site_id: uuid.UUID
    site_code: str
    kind: DeviceKind
    name: str


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role, site_id=user.site_id,
                 agency_id=user.agency_id)


def _user_out(user: User, site_code: str | None, agency_code: str | None) -> UserOut:
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   site=site_code, agency=agency_code, active=user.active)


def create_user(db: Database, actor: Actor, data: UserIn) -> UserOut:
    problem = password_problem(data.password, data.username)
    if problem:
        raise ValidationFailed([FieldError("password", problem)])
    with db.write() as s:
        site = agency = None
        if data.site:
            site = s.scalar(select(Site).where(Site.code == data.site))
            if site is None:
                raise NotFound("MPP", "site")
        if data.agency:
            if site is None:
                raise ValidationFailed([FieldError("site", "Instansi hanya dapat dipilih bersama MPP-nya.")])
            agency = s.scalar(select(Agency).where(Agency.site_id == site.id, Agency.code == data.agency.upper()))
            if agency is None:
                raise NotFound(f"Instansi '{data.agency}'", "agency")
        problem = scope_problem(data.role, site.id if site else None, agency.id if agency else None)
        if problem:
            raise ValidationFailed([FieldError("role", problem)])
        ref = SiteRef(site.id, site.parent_site_id) if site else None
        if not can_manage_user(actor, data.role, ref, agency.id if agency else None):
            raise Forbidden("Anda tidak berwenang membuat akun dengan peran dan lingkup ini.")
        if s.scalar(select(User.id).where(User.username == data.username)):
            raise Conflict("duplicate", f"Nama pengguna '{data.username}' sudah dipakai.", "username")
        user = User(username=data.username, full_name=data.full_name, password_hash=hash_password(data.password),
                    role=data.role, site_id=site.id if site else None, agency_id=agency.id if agency else None)
        s.add(user)
        s.flush()
        audit.record(s, actor, "user.create", "user", user.id, user.site_id, None, audit.snapshot(user))
        return _user_out(user, site.code if site else None, agency.code if agency else None)


def list_users(db: Database, actor: Actor, site_code: str) -> list[UserOut]:
    with db.read() as s:
        site = s.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise NotFound("MPP", "site")
        if not can_read_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        agencies = dict(s.execute(select(Agency.id, Agency.code).where(Agency.site_id == site.id)).all())
        users = s.scalars(select(User).where(User.site_id == site.id).order_by(User.username)).all()
        return [_user_out(u, site.code, agencies.get(u.agency_id)) for u in users]


def authenticate(db: Database, username: str, password: str) -> Actor:
    """Check a password; the same error whether the user is unknown or the password wrong."""
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        # Hashing happens outside the write transaction: argon2 is slow on purpose.
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            raise Unauthenticated("Nama pengguna atau kata sandi salah.")
        rehash = hash_password(password) if needs_rehash(user.password_hash) else None
        user_id = user.id
    with db.write() as s:
        user = s.get(User, user_id)
        if rehash:
            user.password_hash = rehash
        user.last_login_at = utcnow()
        return actor_of(user)


def load_actor(db: Database, user_id: uuid.UUID) -> Actor | None:
    """The actor behind a session or token; cached briefly since every request asks."""
    def load() -> Actor | None:
        with db.read() as s:
            user = s.get(User, user_id)
            return actor_of(user) if user and user.active else None

    return cache_of(db).get(("actor", user_id), load)


# ---------------------------------------------------------------- API bearer tokens

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="satupintu.api-token")


def issue_api_token(actor: Actor) -> str:
    return _serializer().dumps({"uid": str(actor.user_id)})


def actor_from_api_token(db: Database, token: str) -> Actor:
    try:
        data = _serializer().loads(token, max_age=get_settings().api_token_max_age)
    except SignatureExpired as exc:
        raise Unauthenticated("Token API kedaluwarsa; minta token baru.") from exc
    except BadSignature as exc:
        raise Unauthenticated("Token API tidak sah.") from exc
    actor = load_actor(db, uuid.UUID(data["uid"]))
    if actor is None:
        raise Unauthenticated("Akun tidak aktif.")
    return actor


# ---------------------------------------------------------------- device tokens (kiosks, boards)

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_device(db: Database, actor: Actor, site_code: str, kind: DeviceKind, name: str) -> tuple[uuid.UUID, str]:
    """Register a kiosk or board; returns the token, shown once and stored only as a hash."""
    if not name.strip():
        raise ValidationFailed([FieldError("name", "Nama perangkat wajib diisi.", "required")])
    with db.write() as s:
        site = s.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise NotFound("MPP", "site")
        if not can_manage_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        token = "dev_" + secrets.token_urlsafe(32)
        device = DeviceToken(site_id=site.id, kind=kind, name=name.strip(), token_hash=_token_hash(token),
                             token_hint=token[-4:], created_by_id=actor.user_id)
        s.add(device)
        s.flush()
        audit.record(s, actor, "device.create", "device", device.id, site.id, None, audit.snapshot(device))
        return device.id, token


def revoke_device(db: Database, actor: Actor, device_id: uuid.UUID) -> None:
    with db.write() as s:
        device = s.get(DeviceToken, device_id)
        if device is None:
            raise NotFound("Perangkat", "device")
        site = s.get(Site, device.site_id)
        if not can_manage_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        before = audit.snapshot(device)
        device.revoked_at = utcnow()
        cache_of(db).forget(("device", device.token_hash))  # other processes: within seconds
        audit.record(s, actor, "device.revoke", "device", device.id, site.id, before, audit.snapshot(device))


LAST_SEEN_EVERY = timedelta(minutes=1)


def device_from_token(db: Database, token: str) -> Device:
    """The device a token belongs to. Read on every kiosk request, so it is cached briefly
    and `last_seen_at` is written at most once a minute."""
    digest = _token_hash(token)

    def load() -> tuple[Device | None, datetime | None]:
        with db.read() as s:
            device = s.scalar(select(DeviceToken).where(DeviceToken.token_hash == digest))
            if device is None or device.revoked_at is not None:
                return None, None
            site = s.get(Site, device.site_id)
            return Device(device.id, site.id, site.code, device.kind, device.name), device.last_seen_at

    cache = cache_of(db)
    device, last_seen = cache.get(("device", digest), load)
    if device is None:
        raise Unauthenticated("Token perangkat tidak sah atau sudah dicabut.")
    now = utcnow()
    if last_seen is None or now - last_seen > LAST_SEEN_EVERY:
        require_io()
        with db.write() as s:
            s.execute(update(DeviceToken).where(DeviceToken.id == device.id).values(last_seen_at=now))
        cache.forget(("device", digest))
    return device


# ---------------------------------------------------------------- audit log

def audit_log(db: Database, actor: Actor, site_code: str, limit: int = 200) -> list[AuditOut]:
    with db.read() as s:
        site = s.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise NotFound("MPP", "site")
        if not can_read_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        entries = s.scalars(select(AuditEntry).where(AuditEntry.site_id == site.id)
                            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
        return [AuditOut(id=e.id, at=e.at, actor=e.actor_label, action=e.action, entity_type=e.entity_type,
                         entity_id=e.entity_id, before=e.before, after=e.after) for e in entries]
