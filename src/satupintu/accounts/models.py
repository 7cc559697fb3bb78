"""Account tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..roles import DeviceKind, Role
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class User(IdMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, name="role", native_enum=False, length=32))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id"), index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # The generation of the user's credentials: every session and API token carries the value
    # it was issued under and is refused once this moves on. Logging out, a password change and
    # deactivation add one, which ends every session and token of the user on every process.
    credentials_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DeviceToken(IdMixin, Base):
    """A long-lived credential for a kiosk or a display board. Only its hash is stored."""

    __tablename__ = "device_tokens"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[DeviceKind] = mapped_column(Enum(DeviceKind, name="device_kind", native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))  # last characters, to tell tokens apart
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    # What a board shows, when not the whole site: {"agencies": [codes], "floor": "Lantai 2"}.
    display_scope: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class DevicePairing(IdMixin, Base):
    """A device waiting on /pasang for a manager to type its code (rules in pairing.py).

    The device holds a secret (its claim) in an HttpOnly cookie; only the claim's hash is here.
    A manager's confirmation creates the DeviceToken and keeps the new token, encrypted, until
    the device's next poll with the claim takes it; then it is cleared (`delivered_at`)."""

    __tablename__ = "device_pairings"
    __table_args__ = (
        # A code is unique among the pairings still waiting (a confirmed one frees its code).
        Index("uq_device_pairings_pending_code", "code", unique=True,
              sqlite_where=text("device_id IS NULL"), postgresql_where=text("device_id IS NULL")),
    )

    code: Mapped[str] = mapped_column(String(8))
    claim_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device_tokens.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    token_sealed: Mapped[str | None] = mapped_column(EncryptedText)  # the new token until delivered
    delivered_at: Mapped[datetime | None] = mapped_column()
