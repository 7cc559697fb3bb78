"""Complaint input and output shapes. Views differ by who is looking (privacy)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import Strict
from .complaints import Kind, Privacy, Severity, State, Step


class ComplaintIn(Strict):
    kind: Kind = Kind.complaint
    privacy: Privacy = Privacy.normal
    title: str = Field(min_length=5, max_length=200)
    body: str = Field(min_length=10, max_length=5000)
    reporter_name: str = Field(default="", max_length=200)
    reporter_contact: str = Field(default="", max_length=200)
    service: str | None = Field(default=None, max_length=32)


class StepIn(Strict):
    step: Step
    note: str = Field(default="", max_length=5000)
    agency: str | None = Field(default=None, max_length=32)  # for 'assign'
    severity: Severity | None = None  # for 'verify'


class ReporterStepIn(Strict):
    step: Literal["reopen", "respond"]
    note: str = Field(min_length=2, max_length=5000)


class EventView(BaseModel):
    at: datetime
    step: str
    state: State
    note: str
    by: str


class AttachmentOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int


class ComplaintView(BaseModel):
    id: uuid.UUID | None  # hidden on the public list
    tracking_code: str | None
    site: str
    kind: Kind
    privacy: Privacy
    severity: Severity
    title: str
    body: str
    reporter_name: str | None  # None when hidden from this viewer
    reporter_contact: str | None
    agency: str | None
    state: State
    state_label: str
    received_at: datetime
    verify_due_at: datetime
    due_at: datetime | None
    answer: str
    reason: str
    overdue: bool
    due_soon: bool
    escalated: bool
    handed_over: bool = Field(default=False, description="At a mobile service unit: the centre took this "
                                                          "complaint over, so it is changed there, not here")
    deadline_at: datetime | None = None  # the deadline that applies now: to verify, then to follow up
    deadline_kind: Literal["verify", "follow_up"] | None = None
    events: list[EventView]
    attachments: list[AttachmentOut] = Field(default_factory=list)  # staff views only


class AgencyOption(BaseModel):
    code: str
    name: str


class ComplaintDesk(BaseModel):
    """The staff complaint desk: the site, its complaints as this actor may see them, the agencies
    a complaint can be assigned to, and whether the actor may export for SP4N-LAPOR!."""

    site: str
    site_name: str
    timezone: str
    only: str | None
    complaints: list[ComplaintView]
    agencies: list[AgencyOption]
    can_export: bool


class Created(BaseModel):
    tracking_code: str
    message: str


class DeadlinesIn(Strict):
    days: dict[Severity, int] = Field(description="Working days to follow up, per severity")
