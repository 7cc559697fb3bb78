"""Use cases of client systems and their API keys; each owns its transaction.

A site manager (of the client's site) or the national overseer registers a client system and
issues its keys. The full key is returned once, by `create_key` and `rotate_key`; afterwards
only its prefix is known. Every request with a key asks `actor_for_key`: its answer is cached
per process for `credentials_cache_seconds` (5 s), so a revocation made in one process is
honoured by every other within that time (at once in its own).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit
from ..cache import cache_of, require_io
from ..catalogue import queries as catalogue
from ..config import get_settings
from ..db import Database, on_commit
from ..errors import Errors, Forbidden, NotFound, Unauthenticated
from ..events import LocalBus, Resync
from ..roles import Role
from ..schemas import Strict
from ..scope import Actor, ClientKey, can_manage_site
from ..timeutil import utcnow
from . import keys
from .models import ApiKey, ClientSystem

log = structlog.get_logger("satupintu")

BAD_KEY = "Kunci API tidak sah, sudah kedaluwarsa, atau sudah dicabut."
# The bus channel on which a revoked or rotated key is announced: every process that hears it
# forgets its cached copy at once, instead of within `credentials_cache_seconds`.
KEYS_CHANNEL = "integration.keys"


def _secret() -> str:
    settings = get_settings()
    return settings.api_key_secret or settings.secret_key


def _ttl() -> float:
    return get_settings().credentials_cache_seconds


# ---------------------------------------------------------------- shapes

class ClientIn(Strict):
    name: str = Field(default="", max_length=100)
    owner_agency: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)


class KeyIn(Strict):
    scopes: list[str] = Field(default_factory=list, max_length=len(keys.SCOPES))
    agency: str = Field(default="", max_length=32, description="An agency code of the site; empty: the whole site")
    valid_days: int = Field(default=keys.DEFAULT_VALID_DAYS, ge=1, le=keys.MAX_VALID_DAYS)
    rate_per_minute: int = Field(default=keys.DEFAULT_RATE_PER_MINUTE, ge=1, le=keys.MAX_RATE_PER_MINUTE)


class RotateIn(Strict):
    overlap_days: int = Field(default=7, ge=0, le=keys.MAX_OVERLAP_DAYS)


class KeyOut(BaseModel):
    id: uuid.UUID
    prefix: str = Field(description="The key's first characters, e.g. sp_live_ab12cd34 (the rest is never shown again)")
    scopes: list[str]
    agency: str | None
    rate_per_minute: int
    expires_at: datetime
    usable_until: datetime
    status: str = Field(description="active, rotating (replaced, working until usable_until), expired or revoked")
    status_label: str
    last_used_at: datetime | None
    created_at: datetime
    revoked_at: datetime | None


class ClientOut(BaseModel):
    id: uuid.UUID
    name: str
    owner_agency: str
    contact_name: str
    contact_email: str
    created_at: datetime
    keys: list[KeyOut]


class IssuedKey(BaseModel):
    key: str = Field(description="The full key: shown only in this answer, store it now")
    info: KeyOut


# ---------------------------------------------------------------- reads

def _times(k: ApiKey) -> keys.KeyTimes:
    return keys.KeyTimes(k.expires_at, k.revoked_at, k.overlap_ends_at)


def _key_out(k: ApiKey, agency_codes: dict[uuid.UUID, str], now: datetime) -> KeyOut:
    t = _times(k)
    st = keys.status(t, now)
    return KeyOut(id=k.id, prefix=k.prefix, scopes=list(k.scopes), rate_per_minute=k.rate_per_minute,
                  agency=agency_codes.get(k.agency_id) if k.agency_id else None, expires_at=k.expires_at,
                  usable_until=keys.usable_until(t), status=st, status_label=keys.STATUS_LABELS[st],
                  last_used_at=k.last_used_at, created_at=k.created_at, revoked_at=k.revoked_at)


def _client_out(s: Session, c: ClientSystem, agency_codes: dict[uuid.UUID, str]) -> ClientOut:
    now = utcnow()
    rows = s.scalars(select(ApiKey).where(ApiKey.client_id == c.id)
                     .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())).all()
    return ClientOut(id=c.id, name=c.name, owner_agency=c.owner_agency, contact_name=c.contact_name,
                     contact_email=c.contact_email, created_at=c.created_at,
                     keys=[_key_out(k, agency_codes, now) for k in rows])


def _managed_site(s: Session, actor: Actor, site_code: str) -> catalogue.SiteFacts:
    site = catalogue.require_site(s, site_code)
    if not can_manage_site(actor, site.ref):
        raise Forbidden("Hanya pengelola MPP ini atau pengawas nasional yang dapat mengatur sistem klien.")
    return site


def _client(s: Session, site: catalogue.SiteFacts, client_id: uuid.UUID) -> ClientSystem:
    c = s.get(ClientSystem, client_id)
    if c is None or c.site_id != site.id:
        raise NotFound("Sistem klien", "client")
    return c


def _key(s: Session, client: ClientSystem, key_id: uuid.UUID) -> ApiKey:
    k = s.get(ApiKey, key_id)
    if k is None or k.client_id != client.id:
        raise NotFound("Kunci API", "key")
    return k


def list_clients(db: Database, actor: Actor, site_code: str) -> list[ClientOut]:
    with db.read() as s:
        site = _managed_site(s, actor, site_code)
        codes = catalogue.agency_codes(s, site.home_id)
        rows = s.scalars(select(ClientSystem).where(ClientSystem.site_id == site.id)
                         .order_by(ClientSystem.name)).all()
        return [_client_out(s, c, codes) for c in rows]


def get_client(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID) -> ClientOut:
    with db.read() as s:
        site = _managed_site(s, actor, site_code)
        return _client_out(s, _client(s, site, client_id), catalogue.agency_codes(s, site.home_id))


def site_agencies(db: Database, actor: Actor, site_code: str) -> list[tuple[str, str]]:
    """(code, name) of the agencies a key may be limited to."""
    with db.read() as s:
        site = _managed_site(s, actor, site_code)
        return [(a.code, a.name) for a in catalogue.site_agencies(s, site.home_id)]


# ---------------------------------------------------------------- changes

def _check_client(data: ClientIn) -> None:
    errors = Errors()
    if not data.name:
        errors.add("name", "Nama sistem wajib diisi.", "required")
    if not data.owner_agency:
        errors.add("owner_agency", "Instansi pemilik wajib diisi.", "required")
    _contact_errors(errors, data.contact_name, data.contact_email)
    errors.raise_if_any()


def _contact_errors(errors: Errors, name: str, email: str) -> None:
    if not name:
        errors.add("contact_name", "Nama narahubung wajib diisi.", "required")
    if not email:
        errors.add("contact_email", "Surel narahubung wajib diisi.", "required")
    elif email.count("@") != 1 or "." not in email.split("@")[1] or " " in email:
        errors.add("contact_email", "Alamat surel tidak valid.")


def check_contact(name: str, email: str) -> None:
    """A client system's contact (a name and an e-mail address), refused by field."""
    errors = Errors()
    _contact_errors(errors, name, email)
    errors.raise_if_any()


def register_client(db: Database, actor: Actor, site_code: str, data: ClientIn) -> ClientOut:
    _check_client(data)
    with db.write() as s:
        site = _managed_site(s, actor, site_code)
        if s.scalar(select(ClientSystem.id).where(ClientSystem.site_id == site.id, ClientSystem.name == data.name)):
            errors = Errors()
            errors.add("name", f"Sistem klien bernama '{data.name}' sudah terdaftar di MPP ini.", "duplicate")
            errors.raise_if_any()
        c = ClientSystem(site_id=site.id, name=data.name, owner_agency=data.owner_agency,
                         contact_name=data.contact_name, contact_email=data.contact_email, created_by=actor.label)
        s.add(c)
        s.flush()
        audit.record(s, actor, "client.register", "client_system", c.id, site.id, None,
                     {"name": c.name, "owner_agency": c.owner_agency, "contact_name": c.contact_name})
        return _client_out(s, c, {})


def _new_key_row(s: Session, client: ClientSystem, actor: Actor, scopes: list[str], agency_id: uuid.UUID | None,
                 rate: int, expires_at: datetime) -> tuple[str, ApiKey]:
    key = keys.new_key()
    row = ApiKey(client_id=client.id, prefix=keys.visible_prefix(key), key_hash=keys.key_hash(key, _secret()),
                 scopes=scopes, agency_id=agency_id, rate_per_minute=rate, expires_at=expires_at,
                 created_by=actor.label)
    s.add(row)
    s.flush()
    return key, row


def _key_audit(k: ApiKey) -> dict[str, object]:
    return {"prefix": k.prefix, "scopes": list(k.scopes), "agency_id": str(k.agency_id) if k.agency_id else None,
            "rate_per_minute": k.rate_per_minute, "expires_at": k.expires_at.isoformat()}


def create_key(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID, data: KeyIn) -> IssuedKey:
    errors = Errors()
    if not data.scopes:
        errors.add("scopes", "Pilih sekurang-kurangnya satu cakupan.", "required")
    elif keys.unknown_scopes(data.scopes):
        errors.add("scopes", f"Cakupan tidak dikenal: {', '.join(keys.unknown_scopes(data.scopes))}.")
    with db.write() as s:
        site = _managed_site(s, actor, site_code)
        client = _client(s, site, client_id)
        agency_id = None
        if data.agency:
            agency = catalogue.agency_by_code(s, site.home_id, data.agency.upper())
            if agency is None:
                errors.add("agency", f"Instansi '{data.agency}' tidak ada di MPP ini.")
            else:
                agency_id = agency.id
        errors.raise_if_any()
        key, row = _new_key_row(s, client, actor, keys.normal_scopes(data.scopes), agency_id, data.rate_per_minute,
                                utcnow() + timedelta(days=data.valid_days))
        audit.record(s, actor, "api_key.create", "api_key", row.id, site.id, None,
                     {"client": client.name, **_key_audit(row)})
        return IssuedKey(key=key, info=_key_out(row, catalogue.agency_codes(s, site.home_id), utcnow()))


def rotate_key(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID, key_id: uuid.UUID,
               data: RotateIn) -> IssuedKey:
    """A new key with the old one's scopes, agency, rate and validity; the old one keeps
    working for `overlap_days` (0: it stops now) so the client can switch without a gap."""
    with db.write() as s:
        site = _managed_site(s, actor, site_code)
        client = _client(s, site, client_id)
        old = _key(s, client, key_id)
        now = utcnow()
        if not keys.is_usable(_times(old), now) or old.replaced_by_id is not None:
            errors = Errors()
            errors.add("key", "Hanya kunci yang masih aktif dan belum diganti yang dapat diganti.", "not_active")
            errors.raise_if_any()
        valid_for = max(old.expires_at - old.created_at, timedelta(days=1))
        key, row = _new_key_row(s, client, actor, list(old.scopes), old.agency_id, old.rate_per_minute,
                                now + valid_for)
        old.overlap_ends_at = keys.overlap_end(now, data.overlap_days, _times(old))
        old.replaced_by_id = row.id
        audit.record(s, actor, "api_key.rotate", "api_key", old.id, site.id, {"prefix": old.prefix},
                     {"replaced_by": row.prefix, "overlap_ends_at": old.overlap_ends_at.isoformat()})
        prefix_hash = old.key_hash
        on_commit(s, KEYS_CHANNEL, {"forget": prefix_hash})
        out = IssuedKey(key=key, info=_key_out(row, catalogue.agency_codes(s, site.home_id), now))
    cache_of(db).forget(("apikey", prefix_hash))  # after the commit; other processes within the TTL
    return out


def revoke_key(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID, key_id: uuid.UUID) -> KeyOut:
    with db.write() as s:
        site = _managed_site(s, actor, site_code)
        client = _client(s, site, client_id)
        k = _key(s, client, key_id)
        if k.revoked_at is None:
            k.revoked_at = utcnow()
            k.revoked_by = actor.label
            audit.record(s, actor, "api_key.revoke", "api_key", k.id, site.id, {"prefix": k.prefix, "status": "active"},
                         {"prefix": k.prefix, "status": "revoked"})
        digest = k.key_hash
        on_commit(s, KEYS_CHANNEL, {"forget": digest})
        out = _key_out(k, catalogue.agency_codes(s, site.home_id), utcnow())
    # After the commit (before it, a request could cache the old row again); every other
    # process within `credentials_cache_seconds`.
    cache_of(db).forget(("apikey", digest))
    return out


async def forget_changed_keys(db: Database, bus: LocalBus) -> None:
    """Run by each app process: forget a key's cached copy as soon as the bus says it was revoked
    or rotated (in any process). When the bus cannot vouch for what was missed, forget them all.
    The cache's short TTL stays the bound when the bus is down."""
    async for event in bus.subscribe(KEYS_CHANNEL):
        if isinstance(event, Resync):
            cache_of(db).clear()
        elif isinstance(event.get("forget"), str):
            cache_of(db).forget(("apikey", event["forget"]))


# ---------------------------------------------------------------- callers

@dataclass(frozen=True)
class _Loaded:
    actor: Actor
    times: keys.KeyTimes


def actor_for_key(db: Database, text: str) -> Actor:
    """The caller a key stands for: its client under the client's name, the client's site and
    the key's agency and scopes. Unauthenticated for an unknown, expired or revoked key.
    Cached briefly, since every request with a key asks."""
    key = keys.parse_key(text)
    if key is None:
        raise Unauthenticated(BAD_KEY)
    digest = keys.key_hash(key, _secret())

    def load() -> _Loaded | None:
        with db.read() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            if row is None:
                return None
            client = s.get(ClientSystem, row.client_id)
            if client is None:
                return None
            ck = ClientKey(key_id=row.id, cache_id=digest, prefix=row.prefix, client=client.name,
                           scopes=frozenset(row.scopes),
                           rate_per_minute=row.rate_per_minute, last_used_at=row.last_used_at,
                           client_id=client.id)
            # A key limited to one agency acts there like its officers (e.g. records applications of
            # its services); a site-wide key has no staff role, only the site's reads its scopes allow.
            role = Role.counter_officer if row.agency_id else None
            actor = Actor(user_id=None, username=client.name, role=role, site_id=client.site_id,
                          agency_id=row.agency_id, key=ck)
            return _Loaded(actor, _times(row))

    loaded: _Loaded | None = cache_of(db).get(("apikey", digest), load, _ttl())
    if loaded is None or not keys.is_usable(loaded.times, utcnow()):
        raise Unauthenticated(BAD_KEY)
    return loaded.actor


def needs_io(actor: Actor, method: str) -> bool:
    """Whether `record_use` will write (a change is audited; last use once a minute)."""
    assert actor.key is not None
    return method not in ("GET", "HEAD", "OPTIONS") or keys.last_used_due(actor.key.last_used_at, utcnow())


def record_use(db: Database, actor: Actor, method: str, path: str) -> None:
    """A call made with a key: a log line always, an audit entry for a change, the key's last
    use at most once a minute."""
    ck = actor.key
    assert ck is not None
    write = method not in ("GET", "HEAD", "OPTIONS")
    log.info("api_key.call", client=ck.client, key=ck.prefix, method=method, path=path)
    now = utcnow()
    touch = keys.last_used_due(ck.last_used_at, now)
    if not (write or touch):
        return
    require_io()
    with db.write() as s:
        if touch:
            s.execute(update(ApiKey).where(ApiKey.id == ck.key_id).values(last_used_at=now))
        if write:
            audit.record(s, actor, "api_key.call", "api_key", ck.key_id, actor.site_id, None,
                         {"client": ck.client, "key": ck.prefix, "method": method, "path": path})
    if touch:  # the cached row's last use is stale now: read it again on the next call
        cache_of(db).forget(("apikey", ck.cache_id))


class IntegrationKeys:
    """The web edge's questions about API keys (`web.providers.ApiKeys`), over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def actor_for_key(self, key: str) -> Actor:
        return actor_for_key(self.db, key)

    def scope_refusal(self, actor: Actor, method: str, path: str) -> str | None:
        assert actor.key is not None
        return keys.scope_refusal(actor.key.scopes, method, path)

    def needs_io(self, actor: Actor, method: str) -> bool:
        return needs_io(actor, method)

    def record_use(self, actor: Actor, method: str, path: str) -> None:
        record_use(self.db, actor, method, path)


KEY_MAX_VALID_DAYS = keys.MAX_VALID_DAYS


def clients_last_used(db: Database, client_ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each client system's keys were last used (its newest use), for those used at all."""
    if not client_ids:
        return {}
    from sqlalchemy import func

    with db.read() as s:
        rows = s.execute(select(ApiKey.client_id, func.max(ApiKey.last_used_at)).where(
            ApiKey.client_id.in_(client_ids), ApiKey.last_used_at.is_not(None)).group_by(ApiKey.client_id)).all()
    return {client: used for client, used in rows if used is not None}
