"""Account use cases: users, login, API tokens, device tokens, the audit log."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit
from ..audit import AuditEntry
from ..cache import cache_of, require_io
from ..catalogue import queries as catalogue
from ..config import get_settings
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, NotFound, Unauthenticated, ValidationFailed
from ..roles import DeviceKind, Role
from ..schemas import Strict
from ..scope import Actor, can_manage_site, can_manage_user, can_read_site, scope_problem
from ..timeutil import utcnow
from .devices import (
    CLAIM_GRACE,
    DeviceOut,
    DevicesView,
    PairingIn,
    PairingStart,
    PairingState,
    RenameIn,
    confirm_pairing,
    devices_page,
    new_device_token,
    open_pairing,
    pair_prepared,
    pairing_status,
    rename_device,
    start_pairing,
)
from .devices import token_hash as _token_hash
from .models import DeviceToken, User
from .passwords import hash_password, needs_rehash, one_time_password, password_problem, verify_password
from .queries import UserFacts, user_by_id, user_by_username, usernames  # noqa: F401  named read queries for other capabilities


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
    last_login_at: datetime | None = None


class AccountIn(Strict):
    """A new account from the users page: as UserIn, but the password may be left empty for
    a one-time password made here and shown once."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    full_name: str = Field(min_length=2, max_length=200)
    password: str = Field(default="", max_length=200)
    role: Role
    site: str | None = None
    agency: str | None = None


class UsersView(BaseModel):
    """The accounts a manager keeps on the users page: those of the site and its mobile events
    they may change (an agency admin: their agency's counter officers), and the choices of the
    new-account form."""

    site: str
    accounts: list[UserOut]
    roles: list[Role]  # the roles this manager may give
    agencies: list[tuple[str, str]]  # (code, name) this manager may choose
    sites: list[tuple[str, str]]  # (code, name): the mall, then its mobile events


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
    agencies: tuple[str, ...] = ()  # a board's agencies (codes); empty: the whole site
    floor: str | None = None  # a board's floor, shown in its header


__all__ = [  # the device use cases live in devices.py; other modules reach them here
    "CLAIM_GRACE", "DeviceOut", "DevicesView", "PairingIn", "PairingStart", "PairingState", "RenameIn",
    "confirm_pairing", "devices_page", "open_pairing", "pair_prepared", "pairing_status", "rename_device",
    "start_pairing",
]


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role, site_id=user.site_id,
                 agency_id=user.agency_id, epoch=user.credentials_epoch)


def _user_out(user: User, site_code: str | None, agency_code: str | None) -> UserOut:
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   site=site_code, agency=agency_code, active=user.active, last_login_at=user.last_login_at)


def create_user(db: Database, actor: Actor, data: UserIn) -> UserOut:
    problem = password_problem(data.password, data.username)
    if problem:
        raise ValidationFailed([FieldError("password", problem)])
    with db.write() as s:
        site = agency = None
        if data.site:
            site = catalogue.site_by_code(s, data.site)
            if site is None:
                raise NotFound("MPP", "site")
        if data.agency:
            if site is None:
                raise ValidationFailed([FieldError("site", "Instansi hanya dapat dipilih bersama MPP-nya.")])
            agency = catalogue.agency_by_code(s, site.id, data.agency.upper())
            if agency is None:
                raise NotFound(f"Instansi '{data.agency}'", "agency")
        problem = scope_problem(data.role, site.id if site else None, agency.id if agency else None)
        if problem:
            raise ValidationFailed([FieldError("role", problem)])
        ref = site.ref if site else None
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


def open_account(db: Database, actor: Actor, data: AccountIn) -> tuple[UserOut, str | None]:
    """A new account from the users page; with no password typed, a one-time password is made
    and returned (second value) to be shown once: only its hash is kept."""
    made = None if data.password else one_time_password()
    fields = data.model_dump()
    fields["password"] = data.password or made
    return create_user(db, actor, UserIn.model_validate(fields)), made


def _sites_of(s: Session, site: catalogue.SiteFacts) -> list[catalogue.SiteFacts]:
    """A mall and its mobile events; an event alone."""
    return [site, *catalogue.events_of(s, site.id)] if site.parent_site_id is None else [site]


def _users_of(s: Session, site: catalogue.SiteFacts) -> list[UserOut]:
    sites = {x.id: x for x in _sites_of(s, site)}
    agencies = catalogue.agency_codes(s, site.home_id)
    users = s.scalars(select(User).where(User.site_id.in_(list(sites))).order_by(User.username)).all()
    return [_user_out(u, sites[u.site_id].code if u.site_id else None,
                      agencies.get(u.agency_id) if u.agency_id else None) for u in users]


def list_users(db: Database, actor: Actor, site_code: str) -> list[UserOut]:
    """The accounts of a site and of the mobile events it runs."""
    with db.read() as s:
        site = catalogue.site_by_code(s, site_code)
        if site is None:
            raise NotFound("MPP", "site")
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        return _users_of(s, site)


def _page_roles(actor: Actor) -> list[Role]:
    """The roles the users page lets this actor give: an agency admin keeps its counter officers."""
    if actor.role is Role.agency_admin:
        return [Role.counter_officer]
    if actor.role in (Role.site_manager, Role.national_overseer):
        return [Role.site_manager, Role.agency_admin, Role.counter_officer]
    return []


def users_page(db: Database, actor: Actor, site_code: str) -> UsersView:
    """The users page: the accounts of the site and its events this actor may change. A site
    manager sees every one; an agency admin their agency's counter officers; others none."""
    roles = _page_roles(actor)
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not roles or not can_read_site(actor, site.ref):
            raise Forbidden("Anda tidak berwenang mengelola akun MPP ini.")
        sites = _sites_of(s, site)
        refs = {x.code: x.ref for x in sites}
        agency_ids = {code: aid for aid, code in catalogue.agency_codes(s, site.home_id).items()}
        names = catalogue.agency_names(s, list(agency_ids.values()))
        accounts = [u for u in _users_of(s, site) if u.role in roles and u.site is not None
                    and can_manage_user(actor, u.role, refs[u.site], agency_ids.get(u.agency or ""))]
        agencies = sorted(((code, names.get(aid, code)) for code, aid in agency_ids.items()
                           if actor.role is not Role.agency_admin or aid == actor.agency_id), key=lambda p: p[1])
        return UsersView(site=site.code, accounts=accounts, roles=roles, agencies=agencies,
                         sites=[(x.code, x.name) for x in sites])


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
        if user is None:  # deleted between the password check and now: as if it never existed
            raise Unauthenticated("Nama pengguna atau kata sandi salah.")
        if rehash:
            user.password_hash = rehash
        user.last_login_at = utcnow()
        return actor_of(user)


def _credentials_ttl() -> float:
    return get_settings().credentials_cache_seconds


def load_actor(db: Database, user_id: uuid.UUID) -> Actor | None:
    """The user as an actor, with the current credentials epoch; None when inactive. Cached
    for `credentials_cache_seconds` since every request asks."""
    def load() -> Actor | None:
        with db.read() as s:
            user = s.get(User, user_id)
            return actor_of(user) if user and user.active else None

    return cache_of(db).get(("actor", user_id), load, _credentials_ttl())


def credential_state(carried: int, current: int) -> str:
    """Pure rule for a session or token issued under epoch `carried` when the user's epoch is
    `current`: 'valid', 'ended' (a logout, password change or deactivation came after it), or
    'unknown' (issued after this process cached the user: read the user again)."""
    if carried == current:
        return "valid"
    return "ended" if carried < current else "unknown"


def actor_for_credential(db: Database, user_id: uuid.UUID, epoch: int) -> Actor | None:
    """The actor behind a session or API token issued under `epoch`; None when the user is
    inactive or that credential has been ended since."""
    actor = load_actor(db, user_id)
    if actor is not None and credential_state(epoch, actor.epoch) == "unknown":
        cache_of(db).forget(("actor", user_id))
        actor = load_actor(db, user_id)
    if actor is None or credential_state(epoch, actor.epoch) != "valid":
        return None
    return actor


def _end_credentials(db: Database, user_id: uuid.UUID) -> None:
    """After the transaction that moved the user's epoch on committed: this process forgets the
    cached user at once; the others within `credentials_cache_seconds`."""
    cache_of(db).forget(("actor", user_id))


def logout(db: Database, actor: Actor) -> None:
    """End every session and API token of the actor's user, on every app process."""
    if actor.user_id is None:
        return
    with db.write() as s:
        s.execute(update(User).where(User.id == actor.user_id)
                  .values(credentials_epoch=User.credentials_epoch + 1))
    _end_credentials(db, actor.user_id)


def change_password(db: Database, actor: Actor, current: str, new: str) -> Actor:
    """The user changes their own password: every other session and token ends; the caller
    gets the actor of the new epoch to sign the current device in again."""
    if actor.user_id is None:
        raise Forbidden()
    with db.read() as s:
        user = s.get(User, actor.user_id)
        if user is None or not user.active:
            raise Unauthenticated()
        ok = verify_password(user.password_hash, current)  # argon2: outside the write transaction
    if not ok:
        raise ValidationFailed([FieldError("current_password", "Kata sandi saat ini salah.")])
    problem = password_problem(new, actor.username)
    if not problem and new == current:
        problem = "Kata sandi baru harus berbeda dari kata sandi saat ini."
    if problem:
        raise ValidationFailed([FieldError("new_password", problem)])
    new_hash = hash_password(new)
    with db.write() as s:
        user = s.get(User, actor.user_id)
        if user is None:  # deleted since the current password was checked
            raise Unauthenticated()
        before = audit.snapshot(user)
        user.password_hash = new_hash
        user.credentials_epoch = User.credentials_epoch + 1
        s.flush()
        audit.record(s, actor, "user.password_change", "user", user.id, user.site_id, before,
                     audit.snapshot(user, {"password_changed": True}))
        changed = actor_of(user)
    _end_credentials(db, actor.user_id)
    return changed


def _managed_user(s: Session, actor: Actor, user_id: uuid.UUID) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound("Akun", "user_id")
    site = catalogue.site(s, user.site_id) if user.site_id else None
    ref = site.ref if site else None
    if not can_manage_user(actor, user.role, ref, user.agency_id):
        raise Forbidden("Anda tidak berwenang mengubah akun ini.")
    return user


def set_password(db: Database, actor: Actor, user_id: uuid.UUID, new: str) -> None:
    """A manager sets another user's password (a forgotten one): the user's sessions and
    tokens end everywhere."""
    with db.read() as s:
        username = _managed_user(s, actor, user_id).username
    problem = password_problem(new, username)
    if problem:
        raise ValidationFailed([FieldError("password", problem)])
    new_hash = hash_password(new)
    with db.write() as s:
        user = _managed_user(s, actor, user_id)
        before = audit.snapshot(user)
        user.password_hash = new_hash
        user.credentials_epoch = User.credentials_epoch + 1
        s.flush()
        audit.record(s, actor, "user.password_set", "user", user.id, user.site_id, before,
                     audit.snapshot(user, {"password_changed": True}))
    _end_credentials(db, user_id)


def reset_password(db: Database, actor: Actor, user_id: uuid.UUID, typed: str = "") -> str | None:
    """The users page's password reset: the manager's typed password, or else a one-time
    password made here and returned to be shown once. Either way the user's sessions end."""
    made = None if typed else one_time_password()
    set_password(db, actor, user_id, typed or made or "")
    return made


def set_active(db: Database, actor: Actor, user_id: uuid.UUID, active: bool) -> UserOut:
    """Deactivate (or reactivate) an account. Deactivation ends its sessions and tokens
    everywhere; a user cannot deactivate themselves."""
    with db.write() as s:
        user = _managed_user(s, actor, user_id)
        if not active and user.id == actor.user_id:
            raise Conflict("self_deactivation", "Anda tidak dapat menonaktifkan akun Anda sendiri.", "user_id")
        before = audit.snapshot(user)
        if user.active != active:
            user.active = active
            user.credentials_epoch = User.credentials_epoch + 1
            s.flush()
        audit.record(s, actor, "user.activate" if active else "user.deactivate", "user", user.id, user.site_id,
                     before, audit.snapshot(user))
        site = catalogue.site(s, user.site_id) if user.site_id else None
        agency = catalogue.agency(s, user.agency_id) if user.agency_id else None
        out = _user_out(user, site.code if site else None, agency.code if agency else None)
    _end_credentials(db, user_id)
    return out


# ---------------------------------------------------------------- API bearer tokens

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="satupintu.api-token")


def issue_api_token(actor: Actor) -> str:
    """A signed, expiring token naming the user and the credentials epoch it is valid for."""
    return _serializer().dumps({"uid": str(actor.user_id), "ep": actor.epoch})


# Tokens whose signature has been verified: (secret key, token) -> (user id, epoch, signed at).
# A staff console sends the same token with every request, and verifying it (key derivation,
# HMAC, base64, JSON) was a good part of a hot request's own work. Only the signature's
# verdict is kept: the age is checked on every request against the signing time, and the
# epoch (logout, password change, deactivation) through actor_for_credential as before.
_VERIFIED_TOKENS: dict[tuple[str, str], tuple[uuid.UUID, int, int]] = {}
VERIFIED_TOKENS_MAX = 4096


def _verified_token(token: str) -> tuple[uuid.UUID, int, int]:
    """(user id, epoch, signing time) of a token with a valid signature; raises Unauthenticated
    in the same order as URLSafeTimedSerializer.loads(max_age=...): the signature, the age, the payload."""
    settings = get_settings()
    key = (settings.secret_key, token)
    known = _VERIFIED_TOKENS.get(key)
    if known is not None:
        _check_age(known[2], settings.api_token_max_age)
        return known
    serializer = _serializer()
    try:
        signer = serializer.make_signer()
        assert isinstance(signer, TimestampSigner)
        payload, signed_at = signer.unsign(token, return_timestamp=True)
        _check_age(int(signed_at.timestamp()), settings.api_token_max_age)
        data = serializer.load_payload(payload)
    except BadSignature as exc:
        raise Unauthenticated("Token API tidak sah.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("ep"), int):
        raise Unauthenticated("Token API tidak sah.")  # issued before tokens carried an epoch
    known = (uuid.UUID(data["uid"]), data["ep"], int(signed_at.timestamp()))
    if len(_VERIFIED_TOKENS) >= VERIFIED_TOKENS_MAX:
        _VERIFIED_TOKENS.clear()
    _VERIFIED_TOKENS[key] = known
    return known


def _check_age(signed_at: int, max_age: int) -> None:
    """itsdangerous's rule (TimestampSigner.unsign with max_age): too old, or from the future."""
    age = int(time.time()) - signed_at
    if age > max_age or age < 0:
        raise Unauthenticated("Token API kedaluwarsa; minta token baru.")


def actor_from_api_token(db: Database, token: str) -> Actor:
    user_id, epoch, _ = _verified_token(token)
    actor = actor_for_credential(db, user_id, epoch)
    if actor is None:
        raise Unauthenticated("Token API sudah tidak berlaku (keluar, kata sandi diganti, atau akun "
                              "dinonaktifkan); minta token baru.")
    return actor


# ---------------------------------------------------------------- device tokens (kiosks, boards)

def create_device(db: Database, actor: Actor, site_code: str, kind: DeviceKind, name: str) -> tuple[uuid.UUID, str]:
    """Register a kiosk or board; returns the token, shown once and stored only as a hash."""
    if not name.strip():
        raise ValidationFailed([FieldError("name", "Nama perangkat wajib diisi.", "required")])
    with db.write() as s:
        site = catalogue.site_by_code(s, site_code)
        if site is None:
            raise NotFound("MPP", "site")
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        token = new_device_token()
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
        site = catalogue.site(s, device.site_id)
        if site is None or not can_manage_site(actor, site.ref):  # a device's site is never deleted
            raise Forbidden()
        before = audit.snapshot(device)
        device.revoked_at = utcnow()
        digest = device.token_hash
        audit.record(s, actor, "device.revoke", "device", device.id, site.id, before, audit.snapshot(device))
    # After the commit (before it, a request could cache the old row again); other processes
    # within `credentials_cache_seconds`.
    cache_of(db).forget(("device", digest))


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
            site = catalogue.site(s, device.site_id)
            if site is None:  # a device's site is never deleted: the token is no use without one
                return None, None
            scope = device.display_scope or {}
            return (Device(device.id, site.id, site.code, device.kind, device.name,
                           tuple(scope.get("agencies") or ()), scope.get("floor") or None), device.last_seen_at)

    cache = cache_of(db)
    device, last_seen = cache.get(("device", digest), load, _credentials_ttl())
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
        site = catalogue.site_by_code(s, site_code)
        if site is None:
            raise NotFound("MPP", "site")
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        entries = s.scalars(select(AuditEntry).where(AuditEntry.site_id == site.id)
                            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
        return [AuditOut(id=e.id, at=e.at, actor=e.actor_label, action=e.action, entity_type=e.entity_type,
                         entity_id=e.entity_id, before=e.before, after=e.after) for e in entries]
