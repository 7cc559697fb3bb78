"""Catalogue tables."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, IdMixin, JSONType
from ..scope import SiteRef
from ..timeutil import utcnow


class SiteKind(str, enum.Enum):
    permanent = "permanent"  # a Mal Pelayanan Publik building
    mobile = "mobile"  # Pelayanan Bergerak: a van or temporary venue for some dates


class AgencyKind(str, enum.Enum):
    regional_agency = "regional_agency"  # OPD
    vertical_institution = "vertical_institution"  # police, prosecutors, tax office, court...
    state_company = "state_company"  # BUMN / BPJS / PLN
    bank = "bank"


class TimeUnit(str, enum.Enum):
    minutes = "minutes"
    working_days = "working_days"


class EventStatus(str, enum.Enum):
    planned = "planned"  # set up, not yet serving
    open = "open"
    closed = "closed"


class CounterStatus(str, enum.Enum):
    open = "open"  # in use
    planned = "planned"  # set up ahead of its first day; its services count as served
    retired = "retired"  # no longer used; its services are not served by it


class ServiceStatus(str, enum.Enum):
    draft = "draft"
    published = "published"
    archived = "archived"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=32, validate_strings=True)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Site(IdMixin, Timestamps, Base):
    __tablename__ = "sites"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SiteKind] = mapped_column(_enum(SiteKind, "site_kind"))
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    # A mobile event belongs to the permanent site whose agencies staff it.
    parent_site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # A mobile event is planned, then opened and closed by its manager (EventStatus).
    event_status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    # The day: issuing stops this long before closing; the day closes itself this long after.
    issue_cutoff_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    close_grace_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")

    parent: Mapped[Site | None] = relationship(remote_side="Site.id")
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )
    closures: Mapped[list[SiteClosure]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteClosure.on_date"
    )

    @property
    def ref(self) -> SiteRef:
        """This site as the access rules see it: itself and the mall it belongs to."""
        return SiteRef(self.id, self.parent_site_id)

    @property
    def home_id(self) -> uuid.UUID:
        """The site whose catalogue this one offers: its parent mall, or itself."""
        return self.parent_site_id or self.id


class OpeningHours(IdMixin, Base):
    __tablename__ = "site_opening_hours"
    __table_args__ = (UniqueConstraint("site_id", "weekday"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    site: Mapped[Site] = relationship(back_populates="opening_hours")


class SiteClosure(IdMixin, Base):
    __tablename__ = "site_closures"
    __table_args__ = (UniqueConstraint("site_id", "on_date"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    site: Mapped[Site] = relationship(back_populates="closures")


class Agency(IdMixin, Timestamps, Base):
    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind, "agency_kind"))
    description: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship()
    agreements: Mapped[list[Agreement]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="Agreement.starts_on"
    )
    services: Mapped[list[Service]] = relationship(back_populates="agency", order_by="Service.code")


class Agreement(IdMixin, Timestamps, Base):
    """A cooperation agreement (MoU or PKS) between the site's government and an agency."""

    __tablename__ = "agreements"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # MoU | PKS
    number: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A renewal is a new agreement that names the one it continues.
    renews_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agreements.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship(back_populates="agreements")


class AgreementFile(IdMixin, Base):
    """A scanned agreement (PDF or image), kept in the database like complaint attachments."""

    __tablename__ = "agreement_files"

    agreement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


counter_services = Table(
    "counter_services",
    Base.metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)

site_offerings = Table(
    "site_offerings",
    Base.metadata,
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Counter(IdMixin, Timestamps, Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    floor: Mapped[str] = mapped_column(String(40), default="", server_default="")  # e.g. "Lantai 2"
    location: Mapped[str] = mapped_column(String(120), default="", server_default="")  # e.g. "sayap timur"
    status: Mapped[CounterStatus] = mapped_column(_enum(CounterStatus, "counter_status"), default=CounterStatus.open,
                                                  server_default="open")

    agency: Mapped[Agency] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=counter_services, order_by="Service.code")


class Service(IdMixin, Timestamps, Base):
    """A service type with its Standar Pelayanan (PermenPANRB 15/2014, 14 components)."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("site_id", "code"), Index("ix_services_site_status", "site_id", "status"))

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[ServiceStatus] = mapped_column(_enum(ServiceStatus, "service_status"), default=ServiceStatus.draft)

    # Service delivery components (required before publishing)
    requirements: Mapped[list[str]] = mapped_column(JSONType, default=list)
    procedure: Mapped[list[str]] = mapped_column(JSONType, default=list)
    time_value: Mapped[int | None] = mapped_column(Integer)
    time_unit: Mapped[TimeUnit | None] = mapped_column(_enum(TimeUnit, "time_unit"))
    fee: Mapped[int | None] = mapped_column(Integer)  # whole Rupiah; 0 = free
    fee_legal_basis: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(Text, default="")
    complaint_channel: Mapped[str] = mapped_column(Text, default="")
    # Service management components
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    facilities: Mapped[str] = mapped_column(Text, default="")
    competence: Mapped[str] = mapped_column(Text, default="")
    internal_supervision: Mapped[str] = mapped_column(Text, default="")
    officer_count: Mapped[str] = mapped_column(Text, default="")
    service_guarantee: Mapped[str] = mapped_column(Text, default="")
    security_guarantee: Mapped[str] = mapped_column(Text, default="")
    performance_evaluation: Mapped[str] = mapped_column(Text, default="")

    agency: Mapped[Agency] = relationship(back_populates="services")
    counters: Mapped[list[Counter]] = relationship(secondary=counter_services, viewonly=True)

    def counters_at(self, site_id: uuid.UUID | None = None) -> list[Counter]:
        """The counters of one site that serve this service (its own mall by default): a mobile
        event's desks serve the mall's services too, but are numbered on their own."""
        wanted = site_id or self.site_id
        return [c for c in self.counters if c.site_id == wanted]


class Booth(IdMixin, Timestamps, Base):
    """A UMKM stall in the building."""

    __tablename__ = "booths"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200))
    products: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")


class BoothTurn(IdMixin, Base):
    """Who occupies a rotating booth for a span of dates (the booth rota)."""

    __tablename__ = "booth_turns"

    booth_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    owner_name: Mapped[str] = mapped_column(String(200))
    products: Mapped[str] = mapped_column(Text, default="")
