"""Feedback tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..secretbox import EncryptedText
from ..timeutil import utcnow


class SurveyResponse(IdMixin, Base):
    """One SKM response for one served ticket (so one per visit and service: no stuffing)."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_site_day", "site_id", "local_date"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    local_date: Mapped[date] = mapped_column(Date)
    regulation: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)  # {unsur key: 1..4}, never by position
    age: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))  # L | P
    education: Mapped[str | None] = mapped_column(String(32))
    occupation: Mapped[str | None] = mapped_column(String(32))
    suggestion: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default="link")  # kiosk | qr | link


class Complaint(IdMixin, Base):
    """A complaint, aspiration or request for information, followed by its tracking code."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_site_state", "site_id", "state"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # kiosk | web | officer | api
    kind: Mapped[str] = mapped_column(String(24))
    privacy: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_contact: Mapped[str] = mapped_column(EncryptedText, default="")  # shown to staff masked
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    verify_due_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()  # follow-up deadline, from verification
    answer: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # rejection / not-our-authority reason
    answered_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    escalated_at: Mapped[datetime | None] = mapped_column()


class ComplaintEvent(IdMixin, Base):
    __tablename__ = "complaint_events"

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_label: Mapped[str] = mapped_column(String(100))
    step: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=True)  # shown on the reporter's tracking page


class ComplaintSettings(Base):
    """A site's follow-up deadline, in working days, per severity (defaults: 2/5/14/60)."""

    __tablename__ = "complaint_settings"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    severity: Mapped[str] = mapped_column(String(12), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)


class SurveyTally(IdMixin, Base):
    """Surveys collected on paper, entered as counts per unsur and answer, with the regulation
    the questionnaire followed (PermenPANRB 14/2017, or KepMenPAN 25/2004 for old periods)."""

    __tablename__ = "survey_tallies"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    regulation: Mapped[str] = mapped_column(String(32))
    respondents: Mapped[int] = mapped_column(Integer)
    tally: Mapped[dict[str, Any]] = mapped_column(JSONType)  # {unsur: {"1": n, "2": n, "3": n, "4": n}}
    entered_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SkmPublication(IdMixin, Base):
    """An index a site manager published for the public, frozen as it was computed."""

    __tablename__ = "skm_publications"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType)
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintAttachment(IdMixin, Base):
    """An image or PDF a reporter attached; kept in the database so an offline unit syncs it too."""

    __tablename__ = "complaint_attachments"

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
