"""Staffing's input and output shapes: officers, roster assignments and their check, roster
generation, the counters plan, the arrival forecast and the capacity recommendation.

Inputs derive from the strict base schema (the text rule, no unknown fields); outputs are what
the JSON API returns and the pages render.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field, field_validator

from ..schemas import Strict  # one base for input: the text rule, no unknown fields

Day = date  # fields named `date` shadow the type inside a model
MAX_DAYS = 7  # a roster is read, checked and generated for at most a week


class OfficerIn(Strict):
    agency: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    services: list[str] = Field(default_factory=list, description="Service codes; empty: every service of the agency")
    max_minutes_per_day: int = Field(480, ge=0, le=1440)
    max_minutes_per_week: int = Field(2400, ge=0, le=10080)
    friday_prayer: bool = False
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5], description="0 = Senin ... 6 = Minggu")
    days_off: list[date] = Field(default_factory=list)
    username: str | None = Field(None, description="Link to the officer's user account")
    active: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("Nama petugas wajib diisi.")
        return v.strip()

    @field_validator("workdays")
    @classmethod
    def _workdays(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in v):
            raise ValueError("Hari kerja berupa angka 0 (Senin) sampai 6 (Minggu).")
        return sorted(set(v))


class OfficerOut(BaseModel):
    id: uuid.UUID
    agency: str
    name: str
    services: list[str]
    max_minutes_per_day: int
    max_minutes_per_week: int
    friday_prayer: bool
    workdays: list[int]
    days_off: list[date]
    username: str | None
    active: bool


class AssignmentIn(Strict):
    officer_id: uuid.UUID
    counter: int = Field(ge=1, description="Counter number")
    date: Day
    start: str = Field(description="HH:MM, local time")
    end: str = Field(description="HH:MM, local time")


class AssignmentOut(BaseModel):
    id: uuid.UUID | None = None
    officer_id: uuid.UUID
    officer: str
    counter: int
    counter_name: str
    agency: str
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int


class FindingOut(BaseModel):
    kind: str
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int
    message: str
    counter: int | None = None
    officer_id: uuid.UUID | None = None


class OpeningOut(BaseModel):
    counter: int
    date: Day
    start: str
    end: str
    start_minute: int
    end_minute: int


class RosterCheckOut(BaseModel):
    site: str
    start: date
    days: int
    dates: list[date]
    findings: list[FindingOut]
    counts: dict[str, int]
    openings: list[OpeningOut]
    assignments: list[AssignmentOut]


class GenerateIn(Strict):
    start: date
    days: int = Field(1, ge=1, le=MAX_DAYS)
    time_limit_s: float = Field(20.0, gt=0, le=60)
    slot_minutes: int = Field(30)
    save: bool = Field(False, description="Replace the saved roster of these days with the generated one")

    @field_validator("slot_minutes")
    @classmethod
    def _slot(cls, v: int) -> int:
        if v not in (15, 30, 60):
            raise ValueError("Panjang slot harus 15, 30 atau 60 menit.")
        return v


class ReasonOut(BaseModel):
    code: str
    message: str
    date: Day | None = None
    start: str | None = None
    end: str | None = None
    counters: list[int] = []
    officer_ids: list[uuid.UUID] = []


class GenerateOut(BaseModel):
    status: str  # optimal | feasible | infeasible | unknown
    ok: bool
    saved: bool
    wall_seconds: float
    assignments: list[AssignmentOut]
    reasons: list[ReasonOut]
    findings: list[FindingOut]


class PlanRow(Strict):
    agency: str
    weekday: int = Field(ge=0, le=6)
    hour: int = Field(ge=0, le=23)
    counters: int = Field(ge=0)


class PlanIn(Strict):
    rows: list[PlanRow]


class PlanOut(BaseModel):
    site: str
    rows: list[PlanRow]


class ForecastRow(BaseModel):
    agency: str
    weekday: int
    hour: int
    arrivals: float


class ForecastOut(BaseModel):
    site: str
    as_of: date
    weeks: int
    rows: list[ForecastRow]
    peaks: dict[str, dict[int, int]]  # agency -> weekday -> busiest hour


class CapacityHour(BaseModel):
    hour: int
    arrivals: float
    handling_minutes: float
    traffic: float
    current: int
    recommended: int
    erlang_level: float
    capped: bool
    wait_before: float | None  # mean wait (minutes) simulated with the current counters
    wait_after: float | None
    p90_before: float | None
    p90_after: float | None
    within_before: float | None  # share called within the target wait
    within_after: float | None


class CapacityAgency(BaseModel):
    agency: str
    name: str
    counters_available: int
    handling_minutes: float
    hours: list[CapacityHour]


class CapacityOut(BaseModel):
    site: str
    weekday: int
    weekday_name: str
    as_of: date
    weeks: int
    target_wait: float
    target_level: float
    unserved_before: float
    unserved_after: float
    agencies: list[CapacityAgency]
    notes: list[str]
