"""Staffing tables: officers, their days off, the roster (assignments) and the counters plan.

The roster is stored the way `roster.py` reasons about it: an assignment is one officer at one
counter on one day from a start minute to an end minute (local time, minutes since midnight);
an officer's breaks are the gaps between their assignments of a day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, IdMixin, JSONType
from ..timeutil import utcnow


class StaffOfficer(IdMixin, Base):
    """A counter officer of an agency at a site, with the services they may serve and their limits."""

    __tablename__ = "staff_officers"
    __table_args__ = (Index("ix_staff_officers_site_agency", "site_id", "agency_id"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    services: Mapped[list[str]] = mapped_column(JSONType, default=list)  # service codes
    max_minutes_per_day: Mapped[int] = mapped_column(Integer, default=480)
    max_minutes_per_week: Mapped[int] = mapped_column(Integer, default=2400)
    friday_prayer: Mapped[bool] = mapped_column(Boolean, default=False)
    workdays: Mapped[list[int]] = mapped_column(JSONType, default=list)  # 0 = Senin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffDayOff(IdMixin, Base):
    """Leave, training or sickness: the officer is not available on that day."""

    __tablename__ = "staff_days_off"
    __table_args__ = (UniqueConstraint("officer_id", "on_date"),)

    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_officers.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class StaffAssignment(IdMixin, Base):
    """One officer at one counter on one local day, from `start_minute` to `end_minute`."""

    __tablename__ = "staff_assignments"
    __table_args__ = (Index("ix_staff_assignments_site_day", "site_id", "on_date"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_officers.id", ondelete="CASCADE"), index=True)
    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffPlan(IdMixin, Base):
    """Counters of an agency to keep open on a weekday in the hour starting at `hour`."""

    __tablename__ = "staff_plans"
    __table_args__ = (UniqueConstraint("site_id", "agency_id", "weekday", "hour"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Senin
    hour: Mapped[int] = mapped_column(Integer)
    counters: Mapped[int] = mapped_column(Integer)


class VisitHistory(IdMixin, Base):
    """Past visits imported from before this queue ran (an earlier queue machine, paper logs) or
    generated for the demo. Forecasts and measured service times read these together with the
    queue's own tickets, so a site starts planning with its history on day one."""

    __tablename__ = "staff_visit_history"
    __table_args__ = (Index("ix_staff_visit_history_site_issued", "site_id", "issued_at"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    issued_at: Mapped[datetime] = mapped_column()
    called_at: Mapped[datetime | None] = mapped_column()
    serving_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    is_priority: Mapped[bool] = mapped_column(Boolean, default=False)
