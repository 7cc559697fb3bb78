"""The centre's side of unit sync: the event's bundle for its unit (a manager's token, or a
client key of the event or its mall with the `unit:sync` scope)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..errors import DomainError
from ..schemas import Strict
from ..scope import Actor
from ..web.security import ManagerDep, authenticating, require_api_actor, site_scope
from . import enrolment, release, service

router = APIRouter(tags=["unit"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


class UnitTooOld(DomainError):
    status = 409


def check_unit_release(request: Request) -> None:
    """A unit of a release the centre no longer syncs with is refused before anything is read
    or written (`unit_version_too_old`, naming the release to install); its records stay at the unit."""
    theirs = release.of_request(request.headers.get(release.HEADER), request.headers.get("user-agent"))
    if theirs is not None and not release.accepted(release.CENTRE, theirs):
        raise UnitTooOld(release.TOO_OLD, release.too_old_message(release.CENTRE, theirs), "release")


@authenticating
def require_unit_caller(request: Request) -> Actor:
    """A unit's whole-event key, or a manager of the event: checked before the body is read,
    and so is the unit's release."""
    actor = require_api_actor(request)
    service.may_sync(actor, site_scope(request, request.path_params["site"]))
    check_unit_release(request)
    return actor


UnitCallerDep = Annotated[Actor, Depends(require_unit_caller)]

# What the OpenAPI document says of the release rule on the routes a unit calls.
RELEASE_DOCS: dict[str, Any] = {
    "responses": {409: {"description": (
        f"`{release.TOO_OLD}`: the unit's release is too old for this centre (it syncs with its own release "
        "and the one before); the message names the release to install. Nothing was read or written; the "
        "unit keeps its records. On the push, also `handed_over` rows are listed as refused, not a 409.")}},
    "openapi_extra": {"parameters": [{
        "name": release.HEADER, "in": "header", "required": False, "schema": {"type": "string"},
        "example": "0.9.0",
        "description": ("The unit's SatuPintu release (MAJOR.MINOR.PATCH). Units before this header send "
                        "`User-Agent: SatuPintu-unit/<release>`; a caller sending neither is no unit and is "
                        "not checked.")}]},
}


@router.get("/sites/{site}/unit/bundle", operation_id="unit_event_bundle",
            summary="Everything a mobile service unit needs from the centre for one event (down sync)",
            **RELEASE_DOCS,
            description=("The event's centre-owned rows by table (catalogue, accounts of the mall's managers and "
                         "of the officers assigned to the event, devices, bookings, settings), with the bundle "
                         "`format`, the centre's `release` and its `schema` revision. A unit applies it whole."))
def event_bundle(request: Request, site: str, actor: ActorDep) -> dict[str, Any]:
    check_unit_release(request)
    return service.event_bundle(request.app.state.db, actor, site)


class CodeIn(Strict):
    contact_name: str = Field(max_length=200, description="Who answers for the van's laptop")
    contact_email: str = Field(max_length=254, description="Their e-mail address")


class CodeOut(BaseModel):
    code: str = Field(description="The one-time code, shown once (valid 30 minutes)")
    expires_at: datetime


class EnrolIn(Strict):
    code: str = Field(max_length=20, description="The one-time code from the centre's unit page")
    unit_name: str = Field(default="", max_length=100, description="A name for the laptop (its host name)")


class EnrolOut(BaseModel):
    key: str = Field(description="The unit's own API key (scope unit:sync), shown once")
    event_code: str
    event_id: uuid.UUID
    event_name: str
    centre_release: str


@router.post("/sites/{site}/unit/codes", operation_id="unit_create_enrolment_code", status_code=201,
             summary="A one-time code that enrols a mobile service unit's laptop for this event")
def create_code(request: Request, site: str, actor: ManagerDep, body: CodeIn) -> CodeOut:
    issued = enrolment.create_code(request.app.state.db, actor, site, body.contact_name, body.contact_email)
    return CodeOut(code=issued.code, expires_at=issued.expires_at)


@router.post("/unit/enrol", operation_id="unit_enrol", status_code=201,
             summary="Trade a one-time enrolment code for the unit's own key (no login: the code is the proof)")
def enrol(request: Request, body: EnrolIn) -> EnrolOut:
    done = enrolment.enrol(request.app.state.db, body.code, body.unit_name)
    return EnrolOut(key=done.key, event_code=done.event_code, event_id=done.event_id, event_name=done.event_name,
                    centre_release=done.centre_release)


class RecordsIn(Strict):
    format: int = Field(description="The batch format (1)")
    release: str = Field(default="", max_length=32, description="The unit's SatuPintu release")
    tables: dict[str, list[dict[str, Any]]] = Field(description="The unit's rows by table, parents first")
    history: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="For each complaint or application sent, the ids of its history rows "
                                          "the unit has (the centre's other rows mean it took the record over)")


class RefusalOut(BaseModel):
    table: str
    id: str
    code: str = Field(description="not_unit_owned, other_site, unknown_columns, status_backwards or handed_over")
    reason: str


class RecordsOut(BaseModel):
    written: dict[str, int] = Field(description="Rows inserted or changed, by table")
    unchanged: dict[str, int] = Field(description="Rows the centre already had as sent (a replay)")
    refused: list[RefusalOut]


@router.post("/sites/{site}/unit/records", operation_id="unit_push_records",
             summary="A batch of the mobile service unit's rows for its event (up sync)", **RELEASE_DOCS,
             description=("Rows of unit-owned tables (visits, tickets and their events, counter states, surveys, "
                          "complaints, applications, audit) in foreign-key order, applied in one transaction by "
                          "primary key: a replay writes nothing. Rows of another site or table, a ticket status "
                          "moving backwards, or a record the centre took over are refused and listed."))
def push_records(request: Request, site: str, actor: UnitCallerDep, body: RecordsIn) -> RecordsOut:
    done = service.receive_records(request.app.state.db, actor, site, body.model_dump())
    return RecordsOut(written=done.written, unchanged=done.unchanged,
                      refused=[RefusalOut(**r.__dict__) for r in done.refused])
