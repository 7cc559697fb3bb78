"""Survey JSON routes under /api/v1."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..accounts.scope import Actor
from ..web.security import api_actor, require_api_actor
from . import complaint_service, service
from .complaint_schemas import ComplaintIn, ComplaintView, Created, ReporterStepIn, StepIn
from .schemas import SkmReport, SurveyForm, SurveyIn

router = APIRouter(tags=["feedback"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


@router.get("/tickets/{ticket_id}/survey", response_model=SurveyForm,
            summary="The SKM questions for a served ticket, and whether it can still be answered")
def survey_form(request: Request, ticket_id: uuid.UUID) -> SurveyForm:
    return service.survey_form(request.app.state.db, ticket_id)


@router.post("/tickets/{ticket_id}/survey", status_code=201,
             summary="Answer the survey once for a served ticket (no login: the ticket link is the key)")
def submit(request: Request, ticket_id: uuid.UUID, data: SurveyIn) -> dict[str, str]:
    service.submit_survey(request.app.state.db, ticket_id, data)
    return {"status": "ok", "message": "Terima kasih atas penilaian Anda."}


@router.get("/sites/{site}/skm", response_model=SkmReport,
            summary="SKM index of a site, agency or service over a period (PermenPANRB 14/2017)")
def report(request: Request, site: str, starts_on: date, ends_on: date, actor: ActorDep,
           service_code: str | None = None, agency: str | None = None) -> SkmReport:
    return service.report(request.app.state.db, actor, site, starts_on, ends_on, service_code, agency)


# ---------------------------------------------------------------- complaints (pengaduan)

@router.post("/sites/{site}/complaints", response_model=Created, status_code=201,
             summary="File a complaint, aspiration or request for information; returns a tracking code")
def file_complaint(request: Request, site: str, data: ComplaintIn) -> Created:
    actor = api_actor(request)
    channel = "officer" if actor is not None else ("kiosk" if request.headers.get("x-device-token") else "api")
    return complaint_service.file_complaint(request.app.state.db, site, data, channel, actor)


@router.get("/complaints/{code}", response_model=ComplaintView,
            summary="Follow a complaint by its tracking code (no login; the reporter's identity is not shown)")
def track(request: Request, code: str) -> ComplaintView:
    return complaint_service.track(request.app.state.db, code)


@router.post("/complaints/{code}/reporter", response_model=ComplaintView,
             summary="The reporter responds to the answer, or reopens within 10 days")
def reporter_step(request: Request, code: str, data: ReporterStepIn) -> ComplaintView:
    return complaint_service.reporter_step(request.app.state.db, code, data)


@router.get("/sites/{site}/complaints/public", response_model=list[ComplaintView],
            summary="Complaints the public may read (never 'rahasia', never who filed them)")
def public_complaints(request: Request, site: str) -> list[ComplaintView]:
    return complaint_service.public_list(request.app.state.db, site)


@router.get("/sites/{site}/complaints", response_model=list[ComplaintView],
            summary="Staff list; only=overdue|due_soon|open")
def staff_complaints(request: Request, site: str, actor: ActorDep,
                     only: Literal["overdue", "due_soon", "open"] | None = None) -> list[ComplaintView]:
    return complaint_service.staff_list(request.app.state.db, actor, site, only)


@router.post("/sites/{site}/complaints/{complaint_id}/steps", response_model=ComplaintView,
             summary="verify (with severity) / reject / not_authority / assign / follow_up / answer / close")
def complaint_step(request: Request, site: str, complaint_id: uuid.UUID, data: StepIn,
                   actor: ActorDep) -> ComplaintView:
    return complaint_service.take_step(request.app.state.db, actor, site, complaint_id, data)


@router.get("/sites/{site}/complaints.lapor.csv", response_class=Response,
            summary="Export for transcription into SP4N-LAPOR!")
def export_lapor(request: Request, site: str, actor: ActorDep) -> Response:
    body = complaint_service.export_lapor(request.app.state.db, actor, site)
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="pengaduan-{site}-lapor.csv"'})
