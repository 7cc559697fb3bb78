"""Outgoing webhooks: subscriptions, the outbox written with each change, and delivery.

`write_outbox` is the before-commit hook app.py installs on the Database: at the end of every
write transaction it turns the transaction's events (domain events noted by the use cases,
the queue's ticket events waiting for the bus, catalogue audit entries) into one
`WebhookDelivery` row per subscribed endpoint, in that same transaction: a webhook exists
exactly when its change committed, and a change that rolled back leaves none.

The delivery worker (webhook_worker.py) claims due rows: on PostgreSQL with FOR UPDATE SKIP
LOCKED, on SQLite behind the writer lock. A row waits while an earlier row of the same entity
(a ticket, a booking, ...) for the same endpoint is still pending or being sent, so a receiver
sees a ticket called before it sees it finished. Failures retry with exponential backoff; an
endpoint failing without a single success for `webhook_disable_after_hours`, or
`webhook_disable_after_failures` times in a row, is switched off and its owner told (an
e-mail to the client's contact, an audit entry and a notice on the page).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from .. import audit, domain_events
from ..catalogue import queries as catalogue
from ..catalogue.queries import SiteFacts
from ..config import Settings, get_settings
from ..db import Database, count_where, delete_in_batches, pending_publications
from ..errors import Errors, Forbidden, NotFound
from ..notify import service as notify
from ..schemas import Strict
from ..scope import SYSTEM, Actor
from ..timeutil import utcnow
from . import keys, webhooks
from .models import ApiKey, ClientSystem, WebhookDelivery, WebhookEndpoint
from .service import _client, _managed_site

log = structlog.get_logger("satupintu.webhooks")

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
STATUS_LABELS = {PENDING: "Menunggu", SENDING: "Sedang dikirim", DELIVERED: "Terkirim", FAILED: "Gagal"}
MAX_ERROR = 300


def policy_from(settings: Settings) -> webhooks.RetryPolicy:
    return webhooks.RetryPolicy(base=settings.webhook_backoff_base_seconds, cap=settings.webhook_backoff_cap_seconds,
                                max_attempts=settings.webhook_max_attempts,
                                disable_after_failures=settings.webhook_disable_after_failures,
                                disable_after=timedelta(hours=settings.webhook_disable_after_hours))


# ---------------------------------------------------------------- shapes

class EndpointIn(Strict):
    url: str = Field(default="", max_length=webhooks.MAX_URL + 1)
    event_types: list[str] = Field(default_factory=list, max_length=len(webhooks.EVENT_TYPES))


class EndpointChange(Strict):
    url: str | None = Field(default=None, max_length=webhooks.MAX_URL + 1, description="Left out: unchanged")
    event_types: list[str] | None = Field(default=None, max_length=len(webhooks.EVENT_TYPES),
                                          description="Left out: unchanged")


class EndpointOut(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    url: str
    event_types: list[str]
    secret_prefix: str = Field(description="The secret's first characters (the rest is never shown again)")
    enabled: bool
    consecutive_failures: int
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime


class IssuedEndpoint(BaseModel):
    secret: str = Field(description="The signing secret (whsec_...): shown only in this answer, store it now")
    info: EndpointOut


class DeliveryOut(BaseModel):
    id: uuid.UUID = Field(description="The message id, sent as webhook-id on every attempt")
    event_type: str
    entity: str
    status: str = Field(description="pending, sending, delivered or failed")
    status_label: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_duration_ms: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    body: str


def _endpoint_out(e: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(id=e.id, client_id=e.client_id, url=e.url, event_types=list(e.event_types),
                       secret_prefix=e.secret_prefix, enabled=e.enabled, consecutive_failures=e.consecutive_failures,
                       failing_since=e.failing_since, disabled_at=e.disabled_at, disabled_reason=e.disabled_reason,
                       created_at=e.created_at)


def _delivery_out(d: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(id=d.id, event_type=d.event_type, entity=d.entity, status=d.status,
                       status_label=STATUS_LABELS.get(d.status, d.status), attempts=d.attempts,
                       next_attempt_at=d.next_attempt_at, last_status_code=d.last_status_code,
                       last_duration_ms=d.last_duration_ms, last_error=d.last_error,
                       last_attempt_at=d.last_attempt_at, created_at=d.created_at, delivered_at=d.delivered_at,
                       body=d.body)


# ---------------------------------------------------------------- scopes

def _grants(rows: list[ApiKey], now: datetime) -> webhooks.Grants:
    """What a client's usable keys let it hear: scopes of its site-wide keys under None, scopes
    of a key limited to one agency under that agency (see webhooks.receives)."""
    out: dict[uuid.UUID | None, set[str]] = {}
    for k in rows:
        if keys.is_usable(keys.KeyTimes(k.expires_at, k.revoked_at, k.overlap_ends_at), now):
            out.setdefault(k.agency_id, set()).update(k.scopes)
    return {a: frozenset(s) for a, s in out.items()}


def _grants_by_client(s: Session, client_ids: set[uuid.UUID], now: datetime) -> dict[uuid.UUID, webhooks.Grants]:
    rows = s.scalars(select(ApiKey).where(ApiKey.client_id.in_(client_ids))).all() if client_ids else []
    by: dict[uuid.UUID, list[ApiKey]] = {}
    for k in rows:
        by.setdefault(k.client_id, []).append(k)
    return {c: _grants(by.get(c, []), now) for c in client_ids}


# ---------------------------------------------------------------- subscriptions

def _owned(s: Session, actor: Actor, site_code: str, client_id: uuid.UUID | None) -> tuple[SiteFacts, ClientSystem]:
    """The site and client system a call acts on. A manager (of the site, or the overseer) names
    the client; a client system's key acts on its own client only (client_id None or its own),
    at its own site: any other client is not found, so a key never learns another's subscriptions."""
    if actor.key is not None:
        site = catalogue.require_site(s, site_code)
        own = s.get(ClientSystem, actor.key.client_id) if actor.key.client_id else None
        if own is None or own.site_id != site.id or (client_id is not None and client_id != own.id):
            raise NotFound("Sistem klien", "client")
        return site, own
    site = _managed_site(s, actor, site_code)
    if client_id is None:
        raise Forbidden(OWN_ROUTES_FOR_KEYS)
    return site, _client(s, site, client_id)


OWN_ROUTES_FOR_KEYS = ("Hanya sistem klien dengan kunci API yang dapat mengatur langganannya sendiri di alamat ini; "
                       "pengelola memakai /sites/{site}/clients/{client_id}/webhooks.")


def _endpoint(s: Session, client: ClientSystem, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    e = s.get(WebhookEndpoint, endpoint_id)
    if e is None or e.client_id != client.id:
        raise NotFound("Langganan webhook", "endpoint")
    return e


def _check_url(errors: Errors, raw: str, allow_http_loopback: bool | None) -> str:
    if allow_http_loopback is None:
        allow_http_loopback = get_settings().webhook_allow_http_loopback
    url = raw.strip()
    problem = webhooks.url_problem(url, allow_http_loopback=allow_http_loopback)
    if problem:
        errors.add("url", problem, "required" if not url else "invalid")
    return url


def _check_types(s: Session, errors: Errors, client: ClientSystem, types: list[str]) -> list[str]:
    """The chosen types in their fixed order; an error on `event_types` when none, an unknown
    one, or one no usable key of the client covers (site-wide or of one agency)."""
    if not types:
        errors.add("event_types", "Pilih sekurang-kurangnya satu jenis peristiwa.", "required")
    elif webhooks.unknown_types(types):
        unknown = ", ".join(webhooks.unknown_types(types))
        errors.add("event_types", f"Jenis peristiwa tidak dikenal: {unknown}.")
    else:
        scopes = webhooks.all_scopes(_grants_by_client(s, {client.id}, utcnow())[client.id])
        missing = webhooks.types_without_scope(webhooks.normal_types(types), scopes)
        if missing:
            needed = sorted({webhooks.TYPE_SCOPES[t] for t in missing})
            errors.add("event_types", "Sistem ini belum memiliki kunci API dengan cakupan "
                       f"{', '.join(needed)} untuk peristiwa {', '.join(missing)}.", "scope_missing")
    return webhooks.normal_types(types)


def subscribe(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None, data: EndpointIn, *,
              allow_http_loopback: bool | None = None) -> IssuedEndpoint:
    """A new endpoint for the client; its signing secret is returned here only. Plain http to a
    loopback address only when allowed (default: settings.webhook_allow_http_loopback)."""
    errors = Errors()
    url = _check_url(errors, data.url, allow_http_loopback)
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        types = _check_types(s, errors, client, data.event_types)
        errors.raise_if_any()
        secret = webhooks.new_secret()
        e = WebhookEndpoint(client_id=client.id, site_id=site.id, url=url, event_types=types, secret=secret,
                            secret_prefix=webhooks.visible_prefix(secret), enabled=True, consecutive_failures=0,
                            created_by=actor.label)
        s.add(e)
        s.flush()
        audit.record(s, actor, "webhook.subscribe", "webhook_endpoint", e.id, site.id, None,
                     {"client": client.name, "url": e.url, "event_types": list(e.event_types)})
        return IssuedEndpoint(secret=secret, info=_endpoint_out(e))


def update_endpoint(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None,
                    endpoint_id: uuid.UUID, data: EndpointChange, *,
                    allow_http_loopback: bool | None = None) -> EndpointOut:
    """Change a subscription's URL and/or event types (a field left out stays as it is)."""
    errors = Errors()
    url = _check_url(errors, data.url, allow_http_loopback) if data.url is not None else None
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        types = _check_types(s, errors, client, data.event_types) if data.event_types is not None else None
        errors.raise_if_any()
        before = {"url": e.url, "event_types": list(e.event_types)}
        if url is not None:
            e.url = url
        if types is not None:
            e.event_types = types
        audit.record(s, actor, "webhook.update", "webhook_endpoint", e.id, site.id, before,
                     {"url": e.url, "event_types": list(e.event_types)})
        return _endpoint_out(e)


def rotate_secret(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None,
                  endpoint_id: uuid.UUID) -> IssuedEndpoint:
    """A new signing secret, returned here only. It signs every attempt from now on, including
    retries of deliveries still waiting; the old one stops at once."""
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        before = {"secret_prefix": e.secret_prefix}
        secret = webhooks.new_secret()
        e.secret, e.secret_prefix = secret, webhooks.visible_prefix(secret)
        audit.record(s, actor, "webhook.rotate_secret", "webhook_endpoint", e.id, site.id, before,
                     {"secret_prefix": e.secret_prefix})
        return IssuedEndpoint(secret=secret, info=_endpoint_out(e))


def list_endpoints(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None) -> list[EndpointOut]:
    with db.read() as s:
        site, client = _owned(s, actor, site_code, client_id)
        rows = s.scalars(select(WebhookEndpoint).where(WebhookEndpoint.client_id == client.id)
                         .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)).all()
        return [_endpoint_out(e) for e in rows]


def get_endpoint(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None,
                 endpoint_id: uuid.UUID) -> EndpointOut:
    with db.read() as s:
        site, client = _owned(s, actor, site_code, client_id)
        return _endpoint_out(_endpoint(s, client, endpoint_id))


def list_deliveries(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None, endpoint_id: uuid.UUID,
                    limit: int = 100) -> list[DeliveryOut]:
    """The endpoint's delivery log, newest first."""
    with db.read() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        rows = s.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == e.id)
                         .order_by(WebhookDelivery.id.desc()).limit(limit)).all()
        return [_delivery_out(d) for d in rows]


def redeliver(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None, endpoint_id: uuid.UUID,
              delivery_id: uuid.UUID) -> DeliveryOut:
    """Send a delivery again now (same message id, so a receiver that has it drops the copy)."""
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        d = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if d is None or d.endpoint_id != e.id:
            raise NotFound("Pengiriman webhook", "delivery")
        if d.status != SENDING:
            d.status, d.next_attempt_at, d.lease_token = PENDING, utcnow(), None
            d.attempts = 0  # a fresh round of retries
        audit.record(s, actor, "webhook.redeliver", "webhook_delivery", d.id, site.id, None,
                     {"endpoint": str(e.id), "event_type": d.event_type})
        return _delivery_out(d)


def set_enabled(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None, endpoint_id: uuid.UUID,
                enabled: bool) -> EndpointOut:
    """Switch an endpoint on again (its failure count starts afresh; waiting rows go out) or off."""
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        before = {"enabled": e.enabled}
        e.enabled = enabled
        if enabled:
            e.consecutive_failures, e.failing_since, e.disabled_at, e.disabled_reason = 0, None, None, None
        else:
            e.disabled_at, e.disabled_reason = utcnow(), f"Dinonaktifkan oleh {actor.label}."
        audit.record(s, actor, "webhook.enable" if enabled else "webhook.disable", "webhook_endpoint", e.id,
                     site.id, before, {"enabled": enabled})
        return _endpoint_out(e)


def delete_endpoint(db: Database, actor: Actor, site_code: str, client_id: uuid.UUID | None,
                    endpoint_id: uuid.UUID) -> None:
    with db.write() as s:
        site, client = _owned(s, actor, site_code, client_id)
        e = _endpoint(s, client, endpoint_id)
        audit.record(s, actor, "webhook.delete", "webhook_endpoint", e.id, site.id, {"url": e.url}, None)
        s.delete(e)


# ---------------------------------------------------------------- the outbox hook

def _site_of(channel: str) -> uuid.UUID | None:
    if not channel.startswith("site:"):
        return None
    try:
        return uuid.UUID(channel[len("site:"):])
    except ValueError:
        return None


def events_of(session: Session) -> list[domain_events.DomainEvent]:
    """Everything this transaction did that a webhook may report, in order."""
    out = domain_events.take(session)
    for channel, event in pending_publications(session):
        kind = webhooks.TICKET_BUS_TYPES.get(str(event.get("type")))
        site_id = _site_of(channel)
        if kind and site_id and event.get("ticket_id"):
            out.append(domain_events.DomainEvent(kind, site_id, f"ticket:{event['ticket_id']}", dict(event)))
    for entry in audit.recorded(session):
        if entry.entity_type in webhooks.CATALOGUE_ENTITIES and entry.site_id is not None:
            out.append(domain_events.DomainEvent(
                "catalogue.changed", entry.site_id, f"{entry.entity_type}:{entry.entity_id}",
                {"entity": entry.entity_type, "entity_id": str(entry.entity_id) if entry.entity_id else None,
                 "action": entry.action}, entry.at or utcnow()))
    audit.forget_recorded(session)
    return out


def _uuid(text: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def _agency_of(s: Session, event: domain_events.DomainEvent) -> uuid.UUID | None:
    """The event's agency: as noted by its use case, else a ticket's service's, a catalogue
    entry's own (an agency, or a service's or counter's agency). None: the whole site's."""
    if event.agency_id is not None:
        return event.agency_id
    if event.type.startswith("ticket.") and (service_id := _uuid(event.data.get("service_id"))):
        svc = catalogue.service(s, service_id)
        return svc.agency_id if svc else None
    if event.type == "catalogue.changed" and (entity_id := _uuid(event.data.get("entity_id"))):
        kind = event.data.get("entity")
        if kind == "agency":
            return entity_id
        if kind == "service":
            svc = catalogue.service(s, entity_id)
            return svc.agency_id if svc else None
        if kind == "counter":
            counter = catalogue.counter(s, entity_id)
            return counter.agency_id if counter else None
    return None


def write_outbox(session: Session) -> int:
    """The before-commit hook: one delivery per subscribed endpoint and event, in the caller's
    transaction. An endpoint hears its own site's events and those of the site's mobile events;
    only those its client's keys cover (webhooks.receives: a key of one agency hears that
    agency's only). Returns how many rows it added."""
    events = events_of(session)
    if not events:
        return 0
    parents: dict[uuid.UUID, uuid.UUID | None] = {}
    for site_id in {e.site_id for e in events}:
        facts = catalogue.site(session, site_id)
        parents[site_id] = facts.parent_site_id if facts else None
    sites = set(parents) | {p for p in parents.values() if p is not None}
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.site_id.in_(sites),
                                                              WebhookEndpoint.enabled.is_(True))).all()
    if not endpoints:
        return 0
    now = utcnow()
    grants = _grants_by_client(session, {e.client_id for e in endpoints}, now)
    added = 0
    for event in events:
        agency: uuid.UUID | None = None
        agency_known = False
        for ep in endpoints:
            if not webhooks.site_matches(ep.site_id, event.site_id, parents.get(event.site_id)):
                continue
            if event.type not in ep.event_types:
                continue
            if not agency_known:
                agency, agency_known = _agency_of(session, event), True
            if not webhooks.receives(grants.get(ep.client_id, {}), event.type, agency):
                continue  # its keys do not (or no longer) cover the type, or not this agency
            body = webhooks.body_of(webhooks.payload(event.type, event.at, event.data))
            session.add(WebhookDelivery(endpoint_id=ep.id, event_type=event.type, entity=event.entity[:80],
                                        body=body.decode(), status=PENDING, attempts=0, next_attempt_at=now,
                                        created_at=now))
            added += 1
    return added


# ---------------------------------------------------------------- delivery

@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secret: str
    body: bytes
    attempt: int
    lease_token: uuid.UUID


@dataclass(frozen=True)
class Attempt:
    status_code: int | None  # None: no answer (timeout, refused)
    duration_ms: int
    error: str | None = None  # None: delivered (2xx)


def claim_due(db: Database, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
    """Up to `limit` due deliveries of enabled endpoints, each the earliest still open for its
    entity and endpoint, marked sending under a new lease."""
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(and_(earlier.endpoint_id == WebhookDelivery.endpoint_id,
                                  earlier.entity == WebhookDelivery.entity,
                                  earlier.status.in_((PENDING, SENDING)), earlier.id < WebhookDelivery.id))
    out: list[Claimed] = []
    with db.write() as s:
        rows = s.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.enabled.is_(True), WebhookDelivery.next_attempt_at <= now,
                   WebhookDelivery.status.in_((PENDING, SENDING)), ~blocked)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)).all()
        for d in rows:
            ep = s.get(WebhookEndpoint, d.endpoint_id)
            assert ep is not None
            d.status = SENDING
            d.attempts += 1
            d.lease_token = uuid.uuid4()
            d.next_attempt_at = now + timedelta(seconds=lease_seconds)
            out.append(Claimed(d.id, ep.id, ep.url, ep.secret, d.body.encode(), d.attempts, d.lease_token))
    return out


def record_attempt(db: Database, claimed: Claimed, attempt: Attempt, *, now: datetime,
                   policy: webhooks.RetryPolicy) -> str | None:
    """Store one attempt's result; the new status, or None when the lease was lost."""
    disabled_client: tuple[ClientSystem, WebhookEndpoint] | None = None
    with db.write() as s:
        d = s.get(WebhookDelivery, claimed.id, with_for_update=True)
        if d is None or d.status != SENDING or d.lease_token != claimed.lease_token:
            return None
        ep = s.get(WebhookEndpoint, d.endpoint_id, with_for_update=True)
        assert ep is not None
        d.lease_token = None
        d.last_status_code, d.last_duration_ms, d.last_attempt_at = attempt.status_code, attempt.duration_ms, now
        if attempt.error is None:
            d.status, d.delivered_at, d.last_error = DELIVERED, now, None
            ep.consecutive_failures, ep.failing_since = 0, None
            return d.status
        d.last_error = attempt.error[:MAX_ERROR]
        retry_at = webhooks.next_attempt(d.attempts, now, policy, seed=str(d.id))
        if retry_at is None:
            d.status = FAILED
        else:
            d.status, d.next_attempt_at = PENDING, retry_at
        ep.consecutive_failures += 1
        ep.failing_since = ep.failing_since or now
        if ep.enabled and webhooks.should_disable(ep.consecutive_failures, ep.failing_since, now, policy):
            ep.enabled, ep.disabled_at = False, now
            ep.disabled_reason = f"Dinonaktifkan otomatis: {ep.consecutive_failures} kali gagal berturut-turut."
            client = s.get(ClientSystem, ep.client_id)
            assert client is not None
            audit.record(s, SYSTEM, "webhook.auto_disable", "webhook_endpoint", ep.id, ep.site_id,
                         {"enabled": True}, {"enabled": False, "reason": ep.disabled_reason})
            _tell_owner(s, client, ep)
            disabled_client = (client, ep)
        status = d.status
    if disabled_client is not None:
        log.warning("webhook.disabled", client=disabled_client[0].name, endpoint=str(disabled_client[1].id))
    return status


def _tell_owner(s: Session, client: ClientSystem, ep: WebhookEndpoint) -> None:
    """An e-mail to the client's contact, in the same transaction as the switch-off."""
    site = catalogue.site(s, ep.site_id)
    where = site.name if site else "SatuPintu"
    since = ep.failing_since.strftime("%Y-%m-%d %H:%M UTC") if ep.failing_since else "-"
    text = (f"Webhook sistem {client.name} ke {ep.url} dinonaktifkan karena terus gagal diterima.\n"
            f"{ep.disabled_reason} Gagal sejak {since}.\n"
            f"Periksa penerima Anda, lalu aktifkan kembali di halaman Integrasi {where}. "
            "Peristiwa yang belum terkirim menunggu dan dikirim setelah diaktifkan.")
    try:
        notify.enqueue(s, kind="webhook_disabled", channel="email", recipient=client.contact_email,
                       subject=f"Webhook {client.name} dinonaktifkan", body=text, reference=str(ep.id)[:100],
                       site_id=ep.site_id)
    except ValueError:  # no usable address: the audit entry and the page notice remain
        log.warning("webhook.owner_not_told", client=client.name)


def _old(now: datetime, keep_days: float) -> Any:
    return and_(WebhookDelivery.status.in_((DELIVERED, FAILED)),
                WebhookDelivery.created_at < now - timedelta(days=keep_days))


def forget_old(db: Database, now: datetime, keep_days: float, batch: int = 5000) -> int:
    """Settled deliveries (delivered or failed) older than `keep_days` leave the log, `batch` rows
    per transaction; one still waiting stays, whatever its age. Returns how many went."""
    return delete_in_batches(db, WebhookDelivery.id, _old(now, keep_days), batch)


def count_old(db: Database, now: datetime, keep_days: float) -> int:
    """How many settled deliveries `forget_old` would remove (the retention command's dry run)."""
    return count_where(db, WebhookDelivery.id, _old(now, keep_days))


def pending_count(db: Database) -> int:
    """Deliveries not settled yet (tests, a status line)."""
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(WebhookDelivery)
                            .where(WebhookDelivery.status.in_((PENDING, SENDING)))) or 0)


def backlog(db: Database) -> dict[str, tuple[int, datetime | None]]:
    """Deliveries not settled yet, for /metrics: per status (pending, sending) how many and
    when the oldest of them was written (None when there is none).

    One grouped query, filtered on the leading column of ix_webhook_deliveries_due (status): it
    reads the unsettled rows only, never the delivered log."""
    with db.read() as s:
        rows = s.execute(select(WebhookDelivery.status, func.count(), func.min(WebhookDelivery.created_at))
                         .where(WebhookDelivery.status.in_((PENDING, SENDING)))
                         .group_by(WebhookDelivery.status)).all()
    found = {str(status): (int(n), oldest) for status, n, oldest in rows}
    return {status: found.get(status, (0, None)) for status in (PENDING, SENDING)}
