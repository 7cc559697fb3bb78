"""The unit's tables: enrolment codes (at the centre) and the link to the centre (at the unit)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class EnrolmentCode(IdMixin, Base):
    """At the centre: a one-time code a manager gives the van's staff to enrol its laptop for one
    event. Only the code's keyed hash is kept; using it creates the unit's client system and key."""

    __tablename__ = "unit_enrolment_codes"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    # The client system the enrolment made (integration's), named for the unit's laptop.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("client_systems.id", ondelete="SET NULL"))
    unit_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Who answers for the van's laptop (the client system's contact; webhook failures go there).
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))


class CentreLink(IdMixin, Base):
    """At the unit: the centre it is enrolled with, for which event, with the key it calls with
    (stored encrypted) and how its last syncs went. At most one row."""

    __tablename__ = "unit_centre_links"

    centre_url: Mapped[str] = mapped_column(String(500))
    event_code: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[uuid.UUID] = mapped_column()
    api_key: Mapped[str] = mapped_column(EncryptedText)
    key_hint: Mapped[str] = mapped_column(String(16))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    centre_release: Mapped[str] = mapped_column(String(32), default="", server_default="")
    last_pull_at: Mapped[datetime | None] = mapped_column()
    last_push_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column()
    # Any answer from the centre (a refusal too) counts as contact; the error's code beside its message.
    last_contact_at: Mapped[datetime | None] = mapped_column()
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    # The last change (unit_changes.seq) the centre acknowledged; a push sends what is after it.
    pushed_seq: Mapped[int] = mapped_column(default=0, server_default="0")


class UnitChange(Base):
    """At the unit: one write to a unit-owned table (the table and the row's primary key as JSON),
    recorded by SQLite triggers made at enrolment, so every write path is caught."""

    __tablename__ = "unit_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_pk: Mapped[str] = mapped_column(Text)


class RefusedRecord(IdMixin, Base):
    """At the unit: a row the centre refused at a push, with its reason, for the status page
    (the row itself stays at the unit: nothing is lost)."""

    __tablename__ = "unit_refusals"

    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    refused_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedRecord(Base):
    """At the centre: a complaint or application that came up from a unit. Only these travel
    back down in the bundle's hand-over section, so a van never receives the contact details
    of complaints and applications filed at the centre."""

    __tablename__ = "unit_received_records"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
