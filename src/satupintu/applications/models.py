"""Application (permohonan) tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class ServiceWorkflow(Base):
    """A service's own workflow, when it differs from the default (workflow.py)."""

    __tablename__ = "service_workflows"

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Application(IdMixin, Base):
    """A multi-day application, followed by its tracking number against the service's time standard."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_site_agency_state", "site_id", "agency_id", "state"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"))
    tracking_number: Mapped[str] = mapped_column(String(16), unique=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    nik_hash: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash: find by NIK, never show it
    nik_masked: Mapped[str] = mapped_column(String(20))
    # Kept only to send the notifications the applicant asked for, encrypted at rest, shown
    # masked, and cleared when the application reaches its last state (collected, refused).
    phone: Mapped[str] = mapped_column(EncryptedText, default="")
    email: Mapped[str] = mapped_column(EncryptedText, default="")
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(40))
    origin_state: Mapped[str] = mapped_column(String(40), default="")  # where a returned repair goes back to
    standard_value: Mapped[int | None] = mapped_column(Integer)  # the time standard when received
    standard_unit: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column()  # None: no standard, or the clock is paused
    paused_since: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()  # reached a finished state (ready / rejected)
    closed_at: Mapped[datetime | None] = mapped_column()  # reached a terminal state


class ApplicationDocument(IdMixin, Base):
    """One line of the service's requirements checklist, and whether it was handed in."""

    __tablename__ = "application_documents"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                      index=True)
    position: Mapped[int] = mapped_column(Integer)
    requirement: Mapped[str] = mapped_column(Text)
    received: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")


class ApplicationEvent(IdMixin, Base):
    """Every transition with its actor, time and note; `public` ones show on the tracking page."""

    __tablename__ = "application_events"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                      index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_label: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    note_public: Mapped[bool] = mapped_column(Boolean, default=False)


class ApplicationExternalRef(IdMixin, Base):
    """A client system's own reference number for an application (its case number at the agency's
    system): one per client and application, and unique within the client, so the client finds the
    application by its own number."""

    __tablename__ = "application_external_refs"
    __table_args__ = (UniqueConstraint("client_id", "external_ref"),
                      UniqueConstraint("application_id", "client_id"))

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                      index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client_systems.id", ondelete="CASCADE"))
    client_name: Mapped[str] = mapped_column(String(100))
    external_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
