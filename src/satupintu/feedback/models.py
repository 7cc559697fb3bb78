"""Feedback tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
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
