"""Outgoing webhooks: pure rules, no I/O.

Signing follows the Standard Webhooks specification (satupintu/signing.py): a secret reads
`whsec_` and the base64 of 32 random bytes; each request carries `webhook-id` (the message id,
the same on every retry, so a receiver drops duplicates), `webhook-timestamp` (Unix seconds of
this attempt) and `webhook-signature`, `v1,` and the base64 HMAC-SHA256 under the decoded
secret of `<id>.<timestamp>.<body>`. A receiver verifies with any Standard Webhooks library.

A payload is `{"type", "timestamp", "data", "version": 1}`. `data` keeps only the fields listed
for its type in `FIELDS` (ids, codes, numbers, statuses, times): never a NIK, phone number,
e-mail address or name, whatever the event carried. A client may subscribe to a type only when
one of its usable keys has the scope the type needs (`TYPE_SCOPES`): the same facts its key
could read through the API.

What a client hears follows its keys (`receives`): a site-wide key with the type's scope hears
the type for the whole site; a key limited to one agency only that agency's events (a ticket,
booking, application or survey of the agency's services, a complaint addressed to it, a change
of its catalogue entries), and never an event of the whole site (one with no agency). A key for
a mall covers the mall's mobile events (child sites): their events reach the mall's
subscriptions, as the mall's staff see them.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from .. import signing

SECRET_PREFIX = signing.SECRET_PREFIX
PAYLOAD_VERSION = 1
MAX_URL = 500

EVENT_TYPES: tuple[str, ...] = (
    "ticket.issued", "ticket.called", "ticket.finished",
    "booking.made", "booking.cancelled",
    "application.status_changed",
    "complaint.received", "complaint.answered",
    "survey.submitted",
    "catalogue.changed",
)

# Indonesian, shown on the subscription form.
EVENT_LABELS: dict[str, str] = {
    "ticket.issued": "Nomor antrean diambil",
    "ticket.called": "Nomor antrean dipanggil",
    "ticket.finished": "Layanan nomor antrean selesai",
    "booking.made": "Pemesanan jadwal dibuat",
    "booking.cancelled": "Pemesanan jadwal dibatalkan",
    "application.status_changed": "Status permohonan berubah",
    "complaint.received": "Pengaduan diterima",
    "complaint.answered": "Pengaduan dijawab",
    "survey.submitted": "Survei kepuasan diisi",
    "catalogue.changed": "Katalog layanan berubah",
}

# The API key scope a client needs for each type (what its key could read anyway).
TYPE_SCOPES: dict[str, str] = {
    "ticket.issued": "queue:read", "ticket.called": "queue:read", "ticket.finished": "queue:read",
    "booking.made": "queue:read", "booking.cancelled": "queue:read",
    "application.status_changed": "applications:read",
    "complaint.received": "complaints:read", "complaint.answered": "complaints:read",
    "survey.submitted": "stats:read",
    "catalogue.changed": "catalogue:read",
}

# The only fields of an event's data that ever leave: no personal data in any of them.
_TICKET = ("site", "ticket_id", "number", "status", "service_id", "counter", "at")
FIELDS: dict[str, tuple[str, ...]] = {
    "ticket.issued": _TICKET, "ticket.called": _TICKET, "ticket.finished": _TICKET,
    "booking.made": ("site", "booking_id", "service", "slot_start", "status"),
    "booking.cancelled": ("site", "booking_id", "service", "slot_start", "status"),
    "application.status_changed": ("site", "application_id", "service", "from_status", "status", "at"),
    "complaint.received": ("site", "complaint_id", "status", "at"),
    "complaint.answered": ("site", "complaint_id", "status", "at"),
    "survey.submitted": ("site", "response_id", "service", "at"),
    "catalogue.changed": ("site", "entity", "entity_id", "action"),
}

# Bus events of the queue (db.on_commit) that become webhook types, by their own type.
TICKET_BUS_TYPES = {"ticket.issued": "ticket.issued", "ticket.called": "ticket.called",
                    "ticket.finished": "ticket.finished"}
# Audit entries of these entity types are catalogue changes.
CATALOGUE_ENTITIES = frozenset({"site", "agency", "service", "counter"})


# ---------------------------------------------------------------- secrets and signatures

def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def headers(msg_id: str, timestamp: int, body: bytes, secret: str) -> dict[str, str]:
    return {**signing.headers(msg_id, timestamp, body, secret), "content-type": "application/json"}


def visible_prefix(secret: str) -> str:
    """What a manager sees of a secret after it was shown once."""
    return secret[:len(SECRET_PREFIX) + 6] + "…"


# ---------------------------------------------------------------- subscriptions

def url_problem(url: str, *, allow_http_loopback: bool) -> str | None:
    """Why a target URL is refused (Indonesian), or None. https only; plain http only to a
    loopback address (127.0.0.1, ::1, localhost) and only when the settings allow it."""
    if not url:
        return "Alamat tujuan wajib diisi."
    if len(url) > MAX_URL:
        return f"Alamat tujuan paling panjang {MAX_URL} karakter."
    if any(c.isspace() for c in url):
        return "Alamat tujuan tidak boleh berisi spasi."
    parts = urlsplit(url)
    if not parts.hostname:
        return "Alamat tujuan harus berupa URL lengkap, misalnya https://contoh.go.id/webhook."
    if parts.username or parts.password:
        return "Alamat tujuan tidak boleh memuat nama pengguna atau sandi."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_http_loopback and _is_loopback(parts.hostname):
        return None
    return "Alamat tujuan harus memakai https."


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unknown_types(types: list[str]) -> list[str]:
    return [t for t in types if t not in EVENT_TYPES]


def normal_types(types: list[str]) -> list[str]:
    return [t for t in EVENT_TYPES if t in set(types)]


def types_without_scope(types: list[str], scopes: frozenset[str]) -> list[str]:
    """The chosen types the client's keys do not cover."""
    return [t for t in types if TYPE_SCOPES[t] not in scopes]


# A client's usable keys: the scopes of its site-wide keys under None, those of a key limited
# to one agency under that agency's id.
Grants = Mapping[uuid.UUID | None, frozenset[str]]


def all_scopes(grants: Grants) -> frozenset[str]:
    """Every scope any of the client's keys holds (what it may subscribe to)."""
    return frozenset().union(*grants.values()) if grants else frozenset()


def receives(grants: Grants, type: str, agency_id: uuid.UUID | None) -> bool:
    """Whether a client with these keys hears an event of this type belonging to this agency
    (None: the whole site's). A site-wide key with the scope hears all; an agency's key only
    its own agency's events."""
    scope = TYPE_SCOPES[type]
    if scope in grants.get(None, frozenset()):
        return True
    return agency_id is not None and scope in grants.get(agency_id, frozenset())


def site_matches(endpoint_site: uuid.UUID, event_site: uuid.UUID, event_parent: uuid.UUID | None) -> bool:
    """Whether an endpoint of one site hears events of another: its own, and its mobile events'."""
    return endpoint_site == event_site or (event_parent is not None and endpoint_site == event_parent)


# ---------------------------------------------------------------- payloads

def visible_data(type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Only the listed fields of the event's data."""
    return {k: data[k] for k in FIELDS.get(type, ()) if k in data}


def payload(type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": type, "timestamp": at.isoformat(), "data": visible_data(type, data),
            "version": PAYLOAD_VERSION}


def body_of(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode()


# ---------------------------------------------------------------- retries and disabling

@dataclass(frozen=True)
class RetryPolicy:
    base: float = 30.0  # seconds before the 2nd attempt
    factor: float = 2.0
    cap: float = 6 * 3600.0
    max_attempts: int = 10  # attempts of one delivery, the first included
    # The endpoint is switched off after this many failed attempts in a row (any delivery)...
    disable_after_failures: int = 50
    # ...or once it has failed without a single success for this long.
    disable_after: timedelta = timedelta(hours=24)


def retry_delay(failures: int, policy: RetryPolicy, seed: str = "") -> float:
    """Seconds before the next attempt after `failures` (>= 1) failed ones: exponential, capped,
    up to a fifth taken off by a jitter fixed by the seed (deliveries failing together spread)."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    try:
        delay = min(policy.cap, policy.base * policy.factor ** (failures - 1))
    except OverflowError:
        delay = policy.cap
    jitter = int.from_bytes(hashlib.sha256(f"{seed}:{failures}".encode()).digest()[:8], "big") / 2**64
    return delay * (1 - 0.2 * jitter)


def next_attempt(failures: int, now: datetime, policy: RetryPolicy, seed: str = "") -> datetime | None:
    """When to try a delivery again; None once its attempts are used up."""
    if failures >= policy.max_attempts:
        return None
    return now + timedelta(seconds=retry_delay(failures, policy, seed))


def should_disable(consecutive_failures: int, failing_since: datetime | None, now: datetime,
                   policy: RetryPolicy) -> bool:
    """Whether an endpoint's sustained failure switches it off."""
    if consecutive_failures >= policy.disable_after_failures:
        return True
    return failing_since is not None and now - failing_since >= policy.disable_after

