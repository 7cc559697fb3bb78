"""Application (permohonan) JSON routes under /api/v1."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from ..scope import Actor
from ..web.paging import PageDep, paginate
from ..web.ratelimit import limited
from ..web.security import AgencyManagerDep, require_api_actor
from . import service
from .schemas import ActionIn, ApplicationIn, ApplicationView, DocumentsIn, OnTimeRow, OpenedView, WorkflowIn

router = APIRouter(tags=["applications"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


def _lang(request: Request) -> str:
    return request.state.lang


@router.post("/sites/{site}/applications", status_code=201, response_model=OpenedView,
             summary="Open an application (from a served ticket, or at the desk); returns its tracking number")
def open_application(request: Request, site: str, data: ApplicationIn, actor: ActorDep) -> OpenedView:
    return service.open_application(request.app.state.db, actor, site, data, _lang(request))


@router.get("/sites/{site}/applications", response_model=list[ApplicationView],
            summary="The site's applications for staff; only=open|overdue|due_soon, agency=code, "
                    "external_ref=a client system's own reference number")
def list_applications(request: Request, response: Response, page: PageDep, site: str, actor: ActorDep,
                      only: Literal["open", "overdue", "due_soon"] | None = None,
                      agency: str | None = None,
                      external_ref: Annotated[str | None, Query(max_length=64)] = None) -> list[ApplicationView]:
    items = service.staff_list(request.app.state.db, actor, site, only, agency, _lang(request), external_ref)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/applications/on-time", response_model=list[OnTimeRow],
            summary="Per service: finished, finished on time, on-time rate, open and overdue")
def on_time(request: Request, response: Response, page: PageDep,
            site: str, actor: ActorDep, starts_on: date | None = None,
            ends_on: date | None = None) -> list[OnTimeRow]:
    items = service.on_time_report(request.app.state.db, actor, site, starts_on, ends_on)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/applications/{application_id}", response_model=ApplicationView)
def get_application(request: Request, site: str, application_id: uuid.UUID, actor: ActorDep) -> ApplicationView:
    return service.get_application(request.app.state.db, actor, site, application_id, _lang(request))


@router.post("/sites/{site}/applications/{application_id}/actions", response_model=ApplicationView,
             summary="Take a workflow action (verifikasi, proses, selesaikan, serahkan, minta_perbaikan, "
                     "kirim_perbaikan, tolak) with a note, or push the status to move to; 409 "
                     "illegal_transition when the workflow does not allow it from the current status")
def act(request: Request, site: str, application_id: uuid.UUID, data: ActionIn, actor: ActorDep) -> ApplicationView:
    return service.take_action(request.app.state.db, actor, site, application_id, data.action, data.note,
                               _lang(request), data.status, data.external_ref)


@router.put("/sites/{site}/applications/{application_id}/documents", response_model=ApplicationView,
            summary="Which requirements (0-based positions) the applicant has handed in")
def documents(request: Request, site: str, application_id: uuid.UUID, data: DocumentsIn,
              actor: ActorDep) -> ApplicationView:
    return service.set_documents(request.app.state.db, actor, site, application_id, data.received, _lang(request))


@router.get("/applications/track/{number}", response_model=ApplicationView, dependencies=[limited("lookup")],
            summary="Public status by tracking number: state, history and due date, no personal data")
def track_application(request: Request, number: str) -> ApplicationView:
    return service.track(request.app.state.db, number, _lang(request))


@router.get("/sites/{site}/services/{code}/workflow", summary="The service's application workflow")
def get_workflow(request: Request, site: str, code: str) -> dict[str, Any]:
    return service.get_workflow(request.app.state.db, site, code)


@router.put("/sites/{site}/services/{code}/workflow",
            summary="Give the service its own workflow (agency admin); definition null restores the default")
def put_workflow(request: Request, site: str, code: str, data: WorkflowIn, actor: AgencyManagerDep) -> dict[str, Any]:
    return service.set_workflow(request.app.state.db, actor, site, code, data.definition)


@router.delete("/sites/{site}/services/{code}/workflow", summary="Back to the default workflow")
def reset_workflow(request: Request, site: str, code: str, actor: AgencyManagerDep) -> dict[str, Any]:
    return service.set_workflow(request.app.state.db, actor, site, code, None)
