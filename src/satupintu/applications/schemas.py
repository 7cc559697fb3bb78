"""Application input and output shapes. The public view carries no personal data."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..schemas import Strict


class ApplicationIn(Strict):
    service: str = Field(min_length=1, max_length=32)
    applicant_name: str = Field(min_length=2, max_length=200)
    nik: str = Field(min_length=1, max_length=32)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=200)
    notify: bool = False
    ticket_id: uuid.UUID | None = None
    documents_received: list[int] = Field(default_factory=list, description="Positions (0-based) of the "
                                                                            "requirements handed in")
    note: str = Field(default="", max_length=2000)
    external_ref: str | None = Field(default=None, max_length=64, description=(
        "Client systems only (API key): your own reference number for this application, unique "
        "among your client's applications"))


class ActionIn(Strict):
    action: str = Field(default="", max_length=40, description=(
        "The workflow action (e.g. verifikasi); or leave it out and send `status`"))
    status: str = Field(default="", max_length=40, description=(
        "The status to move to (e.g. diproses), for a system that pushes its own case status: the one "
        "action from the current status to it is taken"))
    note: str = Field(default="", max_length=2000, description=(
        "Shown to staff in the history; the citizen sees it only on actions that require a reason"))
    external_ref: str | None = Field(default=None, max_length=64, description=(
        "Client systems only (API key): attach your own reference number, if not attached yet"))


class DocumentsIn(Strict):
    received: list[int]


class WorkflowIn(Strict):
    definition: dict[str, Any]


class DocumentView(BaseModel):
    position: int
    requirement: str
    received: bool


class StepView(BaseModel):
    at: datetime
    action: str
    action_label: str
    state: str
    state_label: str
    note: str
    by: str | None  # staff views only


class ExternalRefView(BaseModel):
    client: str
    external_ref: str


class ActionView(BaseModel):
    name: str
    label: str
    note_required: bool


class ApplicationView(BaseModel):
    id: uuid.UUID | None  # staff views only
    tracking_number: str
    site: str
    service_code: str
    service_name: str
    agency: str
    state: str
    state_label: str
    received_at: datetime
    due_at: datetime | None
    due_day: date | None = None  # for working-day standards: the last working day (due_at is its end)
    paused: bool
    finished_at: datetime | None
    deadline_status: str | None  # on_time | due_soon | overdue
    standard: str | None  # "5 hari kerja"
    history: list[StepView]
    # staff views only:
    applicant_name: str | None = None
    nik_masked: str | None = None
    phone_masked: str | None = None
    ticket_number: str | None = None
    documents: list[DocumentView] | None = None
    actions: list[ActionView] | None = None
    # At a mobile service unit: the centre took this application over (it is changed there; no action here).
    handed_over: bool = False
    # Client systems' own reference numbers (a client's key sees only its own):
    external_refs: list[ExternalRefView] | None = None


class ReceiptView(BaseModel):
    """The tanda terima staff print when they accept an application: what was handed in, for
    which service, when it is promised; the applicant's NIK and phone only masked."""

    tracking_number: str
    site: str
    site_name: str
    site_address: str
    timezone: str
    agency: str
    service_name: str
    applicant_name: str
    nik_masked: str
    phone_masked: str
    received_at: datetime
    received_by: str
    standard: str | None
    due_at: datetime | None
    due_day: date | None
    paused: bool
    documents_received: list[str]
    documents_missing: list[str]


class OpenedView(BaseModel):
    tracking_number: str
    application: ApplicationView
    message: str


class OnTimeRow(BaseModel):
    service_code: str
    service_name: str
    agency: str
    finished: int
    on_time: int
    on_time_rate: float | None  # 0..1
    open: int
    overdue_open: int
