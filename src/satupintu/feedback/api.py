"""Survey JSON routes under /api/v1."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ..accounts.scope import Actor
from ..web.security import require_api_actor
from . import service
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
