"""Input and output shapes of the catalogue, shared by the JSON API and the pages."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field, field_validator

from ..schemas import Strict
from ..timeutil import INDONESIAN_ZONES
from .models import AgencyKind, CounterStatus, ServiceStatus, SiteKind, TimeUnit

Code = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")


class ClosureIn(Strict):
    date: date
    reason: str = Field(default="", max_length=200)


class SiteIn(Strict):
    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=3, max_length=200)
    kind: SiteKind = SiteKind.permanent
    address: str = Field(default="", max_length=2000)
    timezone: str = "Asia/Jakarta"
    opening_hours: dict[str, list[str]] = Field(default_factory=dict)
    closed_dates: list[ClosureIn] = Field(default_factory=list)
    parent_site: str | None = None  # code of the permanent site that runs a mobile event
    starts_on: date | None = None
    ends_on: date | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        if v not in INDONESIAN_ZONES:
            raise ValueError("zona waktu harus salah satu dari: " + ", ".join(INDONESIAN_ZONES))
        return v


class SiteOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: SiteKind
    address: str
    timezone: str
    zone_label: str
    opening_hours: dict[str, list[str]]
    closed_dates: list[ClosureIn]
    parent_site: str | None
    starts_on: date | None
    ends_on: date | None


class AgreementIn(Strict):
    kind: str = Field(pattern=r"^(MoU|PKS)$")
    number: str = Field(min_length=1, max_length=120)
    title: str = Field(default="", max_length=2000)
    starts_on: date
    ends_on: date
    notes: str = Field(default="", max_length=4000)


class AgreementOut(BaseModel):
    id: uuid.UUID
    kind: str
    number: str
    title: str
    starts_on: date
    ends_on: date
    state: str
    days_left: int
    notes: str = ""
    renews_id: uuid.UUID | None = None  # the agreement this one continues


class AgencyIn(Strict):
    code: str = Code
    name: str = Field(min_length=2, max_length=200)
    short_name: str = Field(default="", max_length=64)
    kind: AgencyKind
    description: str = Field(default="", max_length=5000)


class AgencyOut(BaseModel):
    id: uuid.UUID
    site: str
    code: str
    name: str
    short_name: str
    kind: AgencyKind
    description: str
    service_count: int = 0
    agreements: list[AgreementOut] = Field(default_factory=list)


class StandardIn(Strict):
    requirements: list[str] = Field(default_factory=list, max_length=100)
    procedure: list[str] = Field(default_factory=list, max_length=100)
    time_value: int | None = Field(default=None, ge=1, le=24 * 60)
    time_unit: TimeUnit | None = None
    fee: int | None = Field(default=None, ge=0, le=2_000_000_000)  # whole Rupiah
    fee_legal_basis: str = Field(default="", max_length=5000)
    product: str = Field(default="", max_length=5000)
    complaint_channel: str = Field(default="", max_length=5000)
    legal_basis: str = Field(default="", max_length=10000)
    facilities: str = Field(default="", max_length=5000)
    competence: str = Field(default="", max_length=5000)
    internal_supervision: str = Field(default="", max_length=5000)
    officer_count: str = Field(default="", max_length=1000)
    service_guarantee: str = Field(default="", max_length=5000)
    security_guarantee: str = Field(default="", max_length=5000)
    performance_evaluation: str = Field(default="", max_length=5000)


class ServiceIn(StandardIn):
    code: str = Code
    agency: str = Code  # agency code at the site
    name: str = Field(min_length=3, max_length=250)
    description: str = Field(default="", max_length=5000)
    keywords: list[str] = Field(default_factory=list, max_length=50)


class ServiceSummary(BaseModel):
    id: uuid.UUID
    site: str
    code: str
    name: str
    agency_code: str
    agency_name: str
    status: ServiceStatus
    time_value: int | None
    time_unit: TimeUnit | None
    fee: int | None


class ServiceOut(ServiceSummary):
    description: str
    keywords: list[str]
    requirements: list[str]
    procedure: list[str]
    fee_legal_basis: str
    product: str
    complaint_channel: str
    legal_basis: str
    facilities: str
    competence: str
    internal_supervision: str
    officer_count: str
    service_guarantee: str
    security_guarantee: str
    performance_evaluation: str
    counters: list[int]


class CounterIn(Strict):
    number: int = Field(ge=1, le=999)
    name: str = Field(default="", max_length=100)
    agency: str = Code
    services: list[str] = Field(default_factory=list, max_length=500)
    floor: str = Field(default="", max_length=40)  # e.g. "Lantai 2"
    location: str = Field(default="", max_length=120)  # e.g. "sayap timur"
    status: CounterStatus = CounterStatus.open


class CounterOut(BaseModel):
    id: uuid.UUID
    number: int
    name: str
    agency_code: str
    agency_name: str = ""
    services: list[str]
    floor: str = ""
    location: str = ""
    status: CounterStatus = CounterStatus.open


class ServedAt(BaseModel):
    """Where a service is served: a counter of a site, with its floor and location."""

    site: str
    site_name: str
    here: bool  # at the site asked about
    number: int
    name: str
    floor: str
    location: str


class BoothIn(Strict):
    name: str = Field(min_length=2, max_length=200)
    owner_name: str = Field(min_length=2, max_length=200)
    products: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=200)


class BoothOut(BoothIn):
    id: uuid.UUID


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    agencies_created: int
