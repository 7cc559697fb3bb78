"""API keys of client systems: pure rules, no I/O.

A key reads `sp_live_` followed by 32 URL-safe random characters (192 bits). Only its keyed hash
is stored (HMAC-SHA256 under a server secret): a key is high-entropy random text, so nobody can
guess it from its hash by trying candidates, and a slow password hash (argon2) would only cost
time on every request without adding safety. The first 8 random characters are kept in clear as
the key's visible prefix, so a manager can tell keys apart (`sp_live_ab12cd34…`).

Each key carries scopes from a fixed list; `ROUTE_SCOPES` is the explicit table of which API
route needs which scope. A key may call only the routes listed there (every other route refuses
it with 403 scope_missing), and only for its client's site.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

KEY_PREFIX = "sp_live_"
RANDOM_LENGTH = 32
VISIBLE_CHARS = 8
_KEY = re.compile(r"^sp_live_[A-Za-z0-9_-]{32}$")

SCOPES: tuple[str, ...] = ("catalogue:read", "queue:read", "tickets:write", "applications:read",
                           "applications:write", "complaints:read", "stats:read", "webhooks:manage",
                           "unit:sync")

# What each scope lets a client do (Indonesian, shown on the key form).
SCOPE_LABELS: dict[str, str] = {
    "catalogue:read": "Membaca katalog layanan",
    "queue:read": "Membaca keadaan antrean dan loket",
    "tickets:write": "Mengambil nomor antrean",
    "applications:read": "Membaca permohonan",
    "applications:write": "Mencatat dan memproses permohonan",
    "complaints:read": "Membaca pengaduan",
    "stats:read": "Membaca statistik dan SKM",
    "webhooks:manage": "Mengatur langganan webhook sistem ini sendiri",
    "unit:sync": "Sinkronisasi unit layanan keliling",
}

API_PREFIX = "/api/v1"
# Method and route path under API_PREFIX (as the route declares it) -> the scope a key needs.
ROUTE_SCOPES: dict[tuple[str, str], str] = {
    ("GET", "/sites/{site}/unit/bundle"): "unit:sync",
    ("POST", "/sites/{site}/unit/records"): "unit:sync",
    ("GET", "/sites/{site}/services"): "catalogue:read",
    ("GET", "/sites/{site}/services/{code}"): "catalogue:read",
    ("GET", "/sites/{site}/agencies/{agency}"): "catalogue:read",
    ("GET", "/sites/{site}/catalogue.{fmt}"): "catalogue:read",
    ("GET", "/sites/{site}/agreement-warnings"): "catalogue:read",
    ("GET", "/sites/{site}/queue"): "queue:read",
    ("GET", "/sites/{site}/counter-states"): "queue:read",
    ("POST", "/sites/{site}/tickets"): "tickets:write",
    ("POST", "/sites/{site}/bookings/{code}/check-in"): "tickets:write",
    ("GET", "/sites/{site}/applications"): "applications:read",
    ("GET", "/sites/{site}/applications/on-time"): "applications:read",
    ("GET", "/sites/{site}/applications/{application_id}"): "applications:read",
    ("POST", "/sites/{site}/applications"): "applications:write",
    ("POST", "/sites/{site}/applications/{application_id}/actions"): "applications:write",
    ("PUT", "/sites/{site}/applications/{application_id}/documents"): "applications:write",
    ("GET", "/sites/{site}/complaints"): "complaints:read",
    ("GET", "/sites/{site}/stats"): "stats:read",
    ("GET", "/sites/{site}/facilities"): "stats:read",
    ("GET", "/sites/{site}/readiness"): "stats:read",
    ("GET", "/sites/{site}/skm"): "stats:read",
    ("GET", "/sites/{site}/skm.{fmt}"): "stats:read",
    # The client's own webhook subscriptions (never another client's: webhook_api.py).
    ("GET", "/sites/{site}/webhooks"): "webhooks:manage",
    ("POST", "/sites/{site}/webhooks"): "webhooks:manage",
    ("GET", "/sites/{site}/webhooks/{endpoint_id}"): "webhooks:manage",
    ("PATCH", "/sites/{site}/webhooks/{endpoint_id}"): "webhooks:manage",
    ("DELETE", "/sites/{site}/webhooks/{endpoint_id}"): "webhooks:manage",
    ("POST", "/sites/{site}/webhooks/{endpoint_id}/rotate-secret"): "webhooks:manage",
    ("GET", "/sites/{site}/webhooks/{endpoint_id}/deliveries"): "webhooks:manage",
    ("POST", "/sites/{site}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver"): "webhooks:manage",
}

DEFAULT_RATE_PER_MINUTE = 600
MAX_RATE_PER_MINUTE = 100_000
DEFAULT_VALID_DAYS = 365
MAX_VALID_DAYS = 3 * 365
MAX_OVERLAP_DAYS = 90
# last_used_at is written at most this often per key, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)  # 24 bytes -> 32 characters


def looks_like_key(text: str) -> bool:
    """Whether a credential is meant as an API key (rather than a staff token)."""
    return text.startswith("sp_")


def parse_key(text: str) -> str | None:
    """The key, stripped, if it has the key's exact form; None otherwise."""
    key = text.strip()
    return key if _KEY.fullmatch(key) else None


def visible_prefix(key: str) -> str:
    """What a manager sees of a key: `sp_live_` and its first 8 random characters."""
    return key[:len(KEY_PREFIX) + VISIBLE_CHARS]


def key_hash(key: str, secret: str) -> str:
    """The stored form of a key: HMAC-SHA256 under the server secret, hex."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def unknown_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    return [s for s in scopes if s not in SCOPES]


def normal_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """The chosen scopes, once each, in the fixed list's order."""
    return [s for s in SCOPES if s in set(scopes)]


def required_scope(method: str, path: str) -> str | None:
    """The scope a key needs for a route (HEAD as GET); None when keys may not call it."""
    method = "GET" if method.upper() == "HEAD" else method.upper()
    return ROUTE_SCOPES.get((method, path.removeprefix(API_PREFIX)))


def scope_refusal(scopes: frozenset[str], method: str, path: str) -> str | None:
    """Why a key with these scopes may not call the route (Indonesian), or None when it may."""
    needed = required_scope(method, path)
    if needed is None:
        return "Kunci API tidak dapat dipakai untuk alamat ini."
    if needed not in scopes:
        return f"Kunci API ini tidak memiliki cakupan {needed}."
    return None


@dataclass(frozen=True)
class KeyTimes:
    expires_at: datetime
    revoked_at: datetime | None = None
    # Set when the key was rotated: the old key keeps working until then (the overlap's end).
    overlap_ends_at: datetime | None = None


def usable_until(t: KeyTimes) -> datetime:
    """When the key stops working if nothing else happens: its expiry, or the overlap's end."""
    if t.overlap_ends_at is not None:
        return min(t.expires_at, t.overlap_ends_at)
    return t.expires_at


def is_usable(t: KeyTimes, now: datetime) -> bool:
    return t.revoked_at is None and now < usable_until(t)


def status(t: KeyTimes, now: datetime) -> str:
    """'revoked', 'expired', 'rotating' (replaced, still working during the overlap) or 'active'."""
    if t.revoked_at is not None:
        return "revoked"
    if now >= usable_until(t):
        return "expired"
    if t.overlap_ends_at is not None:
        return "rotating"
    return "active"


STATUS_LABELS = {"revoked": "Dicabut", "expired": "Kedaluwarsa", "rotating": "Diganti (masa peralihan)",
                 "active": "Aktif"}


def overlap_end(now: datetime, overlap_days: int, old: KeyTimes) -> datetime:
    """When a rotated key stops: `overlap_days` from now, never later than it would have anyway."""
    return min(usable_until(old), now + timedelta(days=overlap_days))


def last_used_due(last_used: datetime | None, now: datetime) -> bool:
    """Whether this use should be written down (at most once per LAST_USED_EVERY)."""
    return last_used is None or now - last_used >= LAST_USED_EVERY
