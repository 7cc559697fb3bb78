"""Oversight's own records: the site's facilities checklist (sarana prasarana) and its photo evidence."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..timeutil import utcnow


class FacilityRow(Base):
    """What a site recorded about one facility of the checklist (oversight.facilities)."""

    __tablename__ = "facility_records"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # FacilityStatus value
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class FacilityPhoto(IdMixin, Base):
    """Photo evidence of a facility (JPEG or PNG checked to be whole), kept in the database like
    complaint attachments."""

    __tablename__ = "facility_photos"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")


class ReadinessScore(Base):
    """The manager's score of one manual indicator of the readiness self-assessment, with the
    evidence keys they say are in hand and a note."""

    __tablename__ = "readiness_scores"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[list[str]] = mapped_column(JSONType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    # The instrument version the score was given under (readiness_instruments.version); None for
    # scores given before the instrument was stored.
    instrument_version: Mapped[int | None] = mapped_column(Integer)


class ReadinessInstrumentVersion(Base):
    """One saved version of the readiness instrument (`readiness.Instrument.as_dict()`); the
    highest version is the current one. Versions are only added, never changed."""

    __tablename__ = "readiness_instruments"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class DailyRollup(Base):
    """A settled local day of a site, rolled up (oversight.rollup) once so figures never read its
    tickets and events again. `rollups` holds the day's rollups per agency and service (counter
    and officer folded in) as JSON; `headline` the whole site's day merged, with the service-time
    histogram per service, and `glance` what the national view reads of it. `closed_at` (the
    queue day close it was built after, None for a day without tickets) and `tickets` tell when
    the day changed since."""

    __tablename__ = "daily_rollups"
    # What the figures check before reading a row (is it there, fresh, when built), answered
    # from the index alone: the rows themselves are large.
    __table_args__ = (Index("ix_daily_rollups_marks", "site_id", "day", "built_at", "closed_at", "tickets"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime | None] = mapped_column()
    tickets: Mapped[int] = mapped_column(Integer)
    rollups: Mapped[str] = mapped_column(Text)
    headline: Mapped[str] = mapped_column(Text)
    # What the national view reads of the headline (rollup.Glance as JSON), written with it;
    # None in rows kept before it existed (the headline is read instead).
    glance: Mapped[str | None] = mapped_column(Text, nullable=True)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonthlyRollup(Base):
    """A past calendar month of a site: its settled days' headlines merged into one row, so the
    national view reads one row per site and month. `stamp` fingerprints what it was merged from
    (how many days were kept and the latest build, how many queue days closed and the latest
    close); a month whose days were rebuilt or closed again is merged again."""

    __tablename__ = "monthly_rollups"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    stamp: Mapped[str] = mapped_column(String(64))
    headline: Mapped[str] = mapped_column(Text)
    # What the national view reads of the headline (rollup.Glance as JSON), written with it;
    # None in rows kept before it existed (the headline is read instead).
    glance: Mapped[str | None] = mapped_column(Text, nullable=True)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


class RangeRollup(Base):
    """A site's settled days first..last (a long range the national view was asked for, such as a
    year) merged into one glance (`rollup.Glance` as JSON), so the national view over that range
    reads one row per site. `stamp` fingerprints the kept days and queue day closes of the range
    (how many and the latest build or close, as a month's stamp): a range one of whose days was
    rebuilt or closed again is merged again; a glance counted against other standards is not used."""

    __tablename__ = "range_rollups"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    first: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[date] = mapped_column(Date, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(64))
    glance: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
