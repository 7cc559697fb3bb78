"""Integration tables: client systems and their API keys (webhooks live beside them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class ClientSystem(IdMixin, Base):
    """Another agency's system that calls the API for one site (a regency's portal, SIAK, ...)."""

    __tablename__ = "client_systems"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_agency: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class ApiKey(IdMixin, Base):
    """One key of a client system. Only its keyed hash is stored (see keys.py)."""

    __tablename__ = "api_keys"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client_systems.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(JSONType)
    # Limits the key to one agency of the site (its services, applications), else the whole site.
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    # Rotation: the key that replaced this one, and when this one stops (the overlap's end).
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id"))
    overlap_ends_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column()


class WebhookEndpoint(IdMixin, Base):
    """A client system's subscription: where to send which event types, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client_systems.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[Any]] = mapped_column(JSONType)
    # The signing secret (whsec_...), encrypted at rest: the worker needs it in clear to sign.
    secret: Mapped[str] = mapped_column(EncryptedText)
    secret_prefix: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column()  # first failure since the last success
    disabled_at: Mapped[datetime | None] = mapped_column()
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class WebhookDelivery(IdMixin, Base):
    """The outbox: one event for one endpoint, written in the transaction of the change, then
    sent by the delivery worker. Its id is the message id (`webhook-id`) of every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_entity", "endpoint_id", "entity", "status"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(80))  # e.g. ticket:<id>: deliveries of one entity go in order
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_token: Mapped[uuid.UUID | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
