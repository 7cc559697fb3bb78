"""Citizen pages for feedback: the survey after service, complaints, the published index."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..catalogue import service as catalogue
from ..errors import DomainError, Unauthenticated
from ..web.pages import db_of, errors_of, staff_actor
from ..web.ratelimit import limited
from ..web.render import register_templates, render
from ..web.security import check_csrf, session_actor
from . import complaint_service, service, skm
from .complaint_schemas import ComplaintIn, ReporterStepIn, StepIn
from .complaints import FLOW, MAX_ATTACHMENT_BYTES, STATE_LABELS
from .schemas import EDUCATION, OCCUPATION, SurveyIn

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
# For each state, the steps staff may take from it (the reporter's 'reopen' is not offered here).
FLOW_STEPS = {state.value: [step.value for (st, step), (_, party) in FLOW.items()
                            if st is state and party != "reporter"]
              for state in {st for st, _ in FLOW}}


def _read_upload(upload: UploadFile) -> bytes:
    """The sync route runs in a worker thread: read the spooled upload file directly."""
    upload.file.seek(0)
    return upload.file.read(MAX_ATTACHMENT_BYTES + 1)


def _survey(request: Request, ticket_id: uuid.UUID, code: str, status_code: int = 200,
            values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Response:
    """The survey page; without the ticket's survey code, a form asking for it."""
    try:
        form = service.survey_form(db_of(request), ticket_id, code)
    except service.SurveyCodeInvalid as exc:
        return render(request, "feedback/survey.html", status_code=403, form=None, ticket_id=ticket_id, code="",
                      values={}, errors={"code": exc.message} if code else {}, education=EDUCATION,
                      occupation=OCCUPATION)
    return render(request, "feedback/survey.html", status_code=status_code, form=form, ticket_id=ticket_id,
                  code=code, values=values or {}, errors=errors or {}, education=EDUCATION, occupation=OCCUPATION)


@router.get("/survei/{ticket_id}")
def survey_page(request: Request, ticket_id: uuid.UUID, kode: str = "") -> Response:
    return _survey(request, ticket_id, kode[:200])


@router.post("/survei/{ticket_id}", dependencies=[limited("survey")])
async def survey_submit(request: Request, ticket_id: uuid.UUID) -> Response:
    raw = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, raw.pop("csrf", ""))
    code = raw.pop("kode", "")[:200]
    answers = {k: int(raw[f"u_{k}"]) for k in skm.KEYS[service.CURRENT] if raw.get(f"u_{k}", "").isdigit()}
    data = {"answers": answers, "suggestion": raw.get("suggestion", ""), "channel": raw.get("channel") or "link"}
    for key in ("sex", "education", "occupation"):
        if raw.get(key):
            data[key] = raw[key]
    if raw.get("age", "").strip():
        data["age"] = raw["age"].strip()
    errors: dict[str, str] = {}
    try:
        service.submit_survey(db_of(request), ticket_id, code, SurveyIn.model_validate(data))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (401, 403, 404, 409):
            return _survey(request, ticket_id, code, status_code=exc.status, values=raw, errors={"_": exc.message})
        errors = errors_of(exc)
    if errors:
        return _survey(request, ticket_id, code, status_code=422, values=raw, errors=errors)
    return render(request, "feedback/thanks.html", message="Terima kasih atas penilaian Anda.")


@router.get("/mpp/{site}/pengaduan")
def complaint_form(request: Request, site: str) -> Response:
    return render(request, "feedback/complaint_form.html", site=catalogue.get_site(db_of(request), site), values={},
                  services=catalogue.list_services(db_of(request), site))


@router.post("/mpp/{site}/pengaduan", dependencies=[limited("complaint")])
def complaint_submit(request: Request, site: str, csrf: Annotated[str, Form()], title: Annotated[str, Form()] = "",
                     body: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "pengaduan",
                     privacy: Annotated[str, Form()] = "normal", reporter_name: Annotated[str, Form()] = "",
                     reporter_contact: Annotated[str, Form()] = "", service_code: Annotated[str, Form()] = "",
                     lampiran: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    check_csrf(request, csrf)
    files = [(f.filename or "lampiran", _read_upload(f)) for f in lampiran or [] if f.filename]
    values = {"title": title, "body": body, "kind": kind, "privacy": privacy, "reporter_name": reporter_name,
              "reporter_contact": reporter_contact, "service_code": service_code}
    try:
        data = ComplaintIn.model_validate({**{k: v for k, v in values.items() if k != "service_code"},
                                           "service": service_code or None})
        created = complaint_service.file_complaint(db_of(request), site, data, "web", attachments=files)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404 and exc.field == "site":
            raise
        return render(request, "feedback/complaint_form.html", status_code=422,
                      site=catalogue.get_site(db_of(request), site), values=values, errors=errors_of(exc),
                      services=catalogue.list_services(db_of(request), site))
    return RedirectResponse(f"/pengaduan/{created.tracking_code}?baru=1", status_code=303)


@router.get("/pengaduan")
def complaint_lookup(request: Request, kode: str = "") -> Response:
    if kode.strip():
        return RedirectResponse(f"/pengaduan/{kode.strip().upper()}", status_code=303)
    return render(request, "feedback/complaint_lookup.html")


@router.get("/pengaduan/{code}", dependencies=[limited("lookup")])
def complaint_track(request: Request, code: str) -> Response:
    view = complaint_service.track(db_of(request), code)
    return render(request, "feedback/complaint_track.html", c=view, labels=STATE_LABELS,
                  tz=catalogue.get_site(db_of(request), view.site).timezone)


@router.post("/pengaduan/{code}")
def complaint_reporter(request: Request, code: str, csrf: Annotated[str, Form()],
                       step: Annotated[str, Form()] = "respond", note: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        step_in = ReporterStepIn.model_validate({"step": step, "note": note})
        complaint_service.reporter_step(db_of(request), code, step_in)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        view = complaint_service.track(db_of(request), code)
        return render(request, "feedback/complaint_track.html", status_code=422, c=view, labels=STATE_LABELS,
                      errors=errors_of(exc), note=note, tz=catalogue.get_site(db_of(request), view.site).timezone)
    return RedirectResponse(f"/pengaduan/{code}", status_code=303)


@router.get("/mpp/{site}/ikm")
def published_index(request: Request, site: str) -> Response:
    return render(request, "feedback/published.html", site=catalogue.get_site(db_of(request), site),
                  publications=service.published(db_of(request), site))


# ---------------------------------------------------------------- staff: working complaints

@router.get("/kelola/{site}/pengaduan")
def staff_complaints(request: Request, site: str, tampil: str = "") -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    only = tampil if tampil in ("overdue", "due_soon", "open") else None
    return render(request, "feedback/staff_complaints.html", site=catalogue.get_site(db, site),
                  complaints=complaint_service.staff_list(db, actor, site, only), tampil=tampil,
                  agencies=catalogue.list_agencies(db, site), labels=STATE_LABELS, steps=FLOW_STEPS,
                  errors=request.session.pop("complaint_errors", {}))


@router.post("/kelola/{site}/pengaduan/{complaint_id}")
def staff_complaint_step(request: Request, site: str, complaint_id: uuid.UUID, csrf: Annotated[str, Form()],
                         step: Annotated[str, Form()], note: Annotated[str, Form()] = "",
                         agency: Annotated[str, Form()] = "", severity: Annotated[str, Form()] = "") -> Response:
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    check_csrf(request, csrf)
    try:
        data = StepIn.model_validate({"step": step, "note": note, "agency": agency or None,
                                      "severity": severity or None})
        complaint_service.take_step(db_of(request), actor, site, complaint_id, data)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (401, 403, 404):
            raise
        request.session["complaint_errors"] = {str(complaint_id): "; ".join(errors_of(exc).values())}
    return RedirectResponse(f"/kelola/{site}/pengaduan#c-{complaint_id}", status_code=303)
