"""Feedback JSON routes under /api/v1: the SKM survey and complaints."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..accounts import service as accounts
from ..errors import FieldError, Forbidden, Unauthenticated, ValidationFailed
from ..roles import DeviceKind
from ..scope import Actor
from ..web.paging import PageDep, paginate
from ..web.ratelimit import limited
from ..web.security import AgencyManagerDep, ManagerDep, api_actor, require_api_actor
from . import complaint_service, service, skm, survey_codes
from .complaint_schemas import (
    AttachmentOut,
    ComplaintIn,
    ComplaintView,
    Created,
    DeadlinesIn,
    ReporterStepIn,
    StepIn,
)
from .complaints import MAX_ATTACHMENT_BYTES
from .periods import period_bounds
from .schemas import PublishedOut, PublishIn, SkmReport, SurveyCodeOut, SurveyForm, SurveyIn, TallyIn

router = APIRouter(tags=["feedback"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


SurveyCode = Annotated[str, Query(max_length=200, description="The survey code printed on the ticket "
                                                                "(also in its QR), e.g. ABCD-EFGH")]


@router.get("/tickets/{ticket_id}/survey", response_model=SurveyForm,
            summary="The SKM questions for a served ticket, and whether it can still be answered")
def survey_form(request: Request, ticket_id: uuid.UUID, code: SurveyCode = "") -> SurveyForm:
    return service.survey_form(request.app.state.db, ticket_id, code)


@router.post("/tickets/{ticket_id}/survey", status_code=201, dependencies=[limited("survey")],
             summary="Answer the survey once for a served ticket (no login: the survey code on the ticket is "
                     "the key)")
def submit(request: Request, ticket_id: uuid.UUID, data: SurveyIn, code: SurveyCode = "") -> dict[str, str]:
    service.submit_survey(request.app.state.db, ticket_id, code, data)
    return {"status": "ok", "message": "Terima kasih atas penilaian Anda."}


@router.get("/tickets/{ticket_id}/survey-code", response_model=SurveyCodeOut,
            summary="The survey code to print on a ticket: only for the kiosk (X-Device-Token) or staff member "
                    "who issued it")
def survey_code(request: Request, ticket_id: uuid.UUID) -> SurveyCodeOut:
    db = request.app.state.db
    token = request.headers.get("x-device-token")
    if token:
        device = accounts.device_from_token(db, token)
        if device.kind is not DeviceKind.kiosk:
            raise Forbidden("Hanya perangkat kios yang mencetak tiket.")
        # The issuer label queueing records for a kiosk, at the kiosk's own site.
        code = service.printable_survey_code(db, ticket_id, f"kios:{device.name}", device.site_id)
    else:
        actor = api_actor(request)
        if actor is None:
            raise Unauthenticated("Gunakan token perangkat kios (X-Device-Token) atau masuk sebagai petugas.")
        code = service.printable_survey_code(db, ticket_id, actor.label)
    if code is None:
        raise Forbidden("Kode survei hanya diberikan kepada kios atau petugas yang mengeluarkan tiket ini.")
    return SurveyCodeOut(code=code, display=survey_codes.display(code), ticket_path=f"/antrian/{ticket_id}?kode={code}")


def _period(starts_on: date | None, ends_on: date | None, period: str | None, year: int | None,
            number: int | None) -> tuple[date, date]:
    if starts_on and ends_on:
        return starts_on, ends_on
    if period and year:
        try:
            return period_bounds(period, year, number or 1)
        except ValueError as exc:
            raise ValidationFailed([FieldError("period", str(exc))]) from exc
    raise ValidationFailed([FieldError("starts_on", "Isi starts_on dan ends_on, atau period (bulan/triwulan/"
                                                    "semester/tahun) dengan year dan number.", "required")])


@router.get("/sites/{site}/skm", response_model=SkmReport,
            summary="SKM index of a site, agency or service over a period (dates, or period=bulan|triwulan|"
                    "semester|tahun with year and number)")
def report(request: Request, site: str, actor: ActorDep, starts_on: date | None = None, ends_on: date | None = None,
           period: str | None = None, year: int | None = None, number: int | None = None,
           service_code: str | None = None, agency: str | None = None,
           regulation: skm.Regulation = skm.Regulation.permenpanrb_14_2017) -> SkmReport:
    start, end = _period(starts_on, ends_on, period, year, number)
    return service.report(request.app.state.db, actor, site, start, end, service_code, agency, regulation)


@router.post("/sites/{site}/skm/tallies", status_code=201, summary="Enter surveys collected on paper")
def enter_tally(request: Request, site: str, data: TallyIn, actor: AgencyManagerDep) -> dict[str, int]:
    return {"respondents": service.enter_tally(request.app.state.db, actor, site, data)}


@router.post("/sites/{site}/skm/publish", response_model=SkmReport, status_code=201,
             summary="Publish the site's index for a period on its public page")
def publish(request: Request, site: str, data: PublishIn, actor: ManagerDep) -> SkmReport:
    return service.publish(request.app.state.db, actor, site, data.title, data.starts_on, data.ends_on)


@router.get("/sites/{site}/skm/published", response_model=list[PublishedOut], summary="Published indexes (public)")
def published(request: Request, response: Response, page: PageDep, site: str) -> list[PublishedOut]:
    items = service.published(request.app.state.db, site)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/skm.{fmt}", response_class=Response,
            summary="The SKM report as XLSX or PDF, in the layout agencies publish")
def export(request: Request, site: str, fmt: str, actor: ActorDep, starts_on: date | None = None,
           ends_on: date | None = None, period: str | None = None, year: int | None = None,
           number: int | None = None, service_code: str | None = None, agency: str | None = None) -> Response:
    start, end = _period(starts_on, ends_on, period, year, number)
    body = service.report_document(request.app.state.db, actor, site, fmt, start, end, service_code, agency)
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
             else "application/pdf")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="skm-{site}-{start}-{end}.{fmt}"'})


# ---------------------------------------------------------------- complaints (pengaduan)

@router.post("/sites/{site}/complaints", response_model=Created, status_code=201, dependencies=[limited("complaint")],
             summary="File a complaint, aspiration or request for information; returns a tracking code")
def file_complaint(request: Request, site: str, data: ComplaintIn) -> Created:
    db = request.app.state.db
    actor = api_actor(request)
    channel = "api"
    if actor is not None:
        channel = "officer"
    elif request.headers.get("x-device-token"):
        device = accounts.device_from_token(db, request.headers["x-device-token"])  # a forged token is refused
        if device.site_code != site:
            raise Forbidden("Perangkat ini bukan milik lokasi layanan tersebut.")
        channel = "kiosk"
    return complaint_service.file_complaint(db, site, data, channel, actor)


@router.get("/complaints/{code}", response_model=ComplaintView, dependencies=[limited("lookup")],
            summary="Follow a complaint by its tracking code (no login; the reporter's identity is not shown)")
def track_complaint(request: Request, code: str) -> ComplaintView:
    return complaint_service.track(request.app.state.db, code)


@router.post("/complaints/{code}/reporter", response_model=ComplaintView,
             summary="The reporter responds to the answer, or reopens within 10 days")
def reporter_step(request: Request, code: str, data: ReporterStepIn) -> ComplaintView:
    return complaint_service.reporter_step(request.app.state.db, code, data)


@router.get("/sites/{site}/complaints/public", response_model=list[ComplaintView],
            summary="Complaints the public may read (never 'rahasia', never who filed them)")
def public_complaints(request: Request, response: Response, page: PageDep, site: str) -> list[ComplaintView]:
    items = complaint_service.public_list(request.app.state.db, site)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/complaints", response_model=list[ComplaintView],
            summary="Staff list; only=overdue|due_soon|open")
def staff_complaints(request: Request, response: Response, page: PageDep, site: str, actor: ActorDep,
                     only: Literal["overdue", "due_soon", "open"] | None = None) -> list[ComplaintView]:
    items = complaint_service.staff_list(request.app.state.db, actor, site, only)
    return paginate(request, response, items, page)


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


@router.put("/sites/{site}/complaint-deadlines", summary="Follow-up deadlines in working days, per severity")
def set_deadlines(request: Request, site: str, data: DeadlinesIn, actor: ManagerDep) -> dict[str, int]:
    return complaint_service.set_deadline_days(request.app.state.db, actor, site, data.days)


@router.post("/complaints/{code}/attachments", response_model=AttachmentOut, status_code=201,
             dependencies=[limited("complaint")],
             summary="The reporter attaches an image (PNG/JPEG) or PDF, 5 MB at most")
async def attach(request: Request, code: str, file: Annotated[UploadFile, File()]) -> AttachmentOut:
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    return await run_in_threadpool(complaint_service.attach, request.app.state.db, code, file.filename or "", data)


@router.get("/sites/{site}/complaints/{complaint_id}/attachments/{attachment_id}", response_class=Response)
def download(request: Request, site: str, complaint_id: uuid.UUID, attachment_id: uuid.UUID,
             actor: ActorDep) -> Response:
    name, content_type, data = complaint_service.attachment(request.app.state.db, actor, site, complaint_id,
                                                             attachment_id)
    return Response(data, media_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                            "X-Content-Type-Options": "nosniff"})
