"""Citizen pages for feedback: the survey after service, complaints, the published index."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError, FieldError, Unauthenticated, ValidationFailed
from ..web.pages import db_of, errors_of, staff_actor
from ..web.ratelimit import limited
from ..web.render import register_templates, render
from ..web.security import check_csrf, session_actor
from . import complaint_service, service, skm
from .complaint_schemas import ComplaintIn, ReporterStepIn, StepIn
from .complaints import FLOW, MAX_ATTACHMENT_BYTES, SEVERITY_LABELS, STATE_LABELS, STEP_LABELS, Severity
from .periods import KINDS
from .schemas import EDUCATION, OCCUPATION, SurveyIn, TallyIn

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates", complaint_step_labels=STEP_LABELS,
                   severity_labels=SEVERITY_LABELS)
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
    desk = complaint_service.desk(db_of(request), staff_actor(request), site, tampil or None)
    return render(request, "feedback/staff_complaints.html", desk=desk, tampil=tampil, labels=STATE_LABELS,
                  steps=FLOW_STEPS, severities=list(Severity), errors=request.session.pop("complaint_errors", {}))


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


# ---------------------------------------------------------------- staff: the SKM desk

def _chosen_period(periode: str, tahun: str) -> tuple[str | None, int | None, int | None]:
    """'triwulan-4' and '2026' from the period picker; anything else is left for the service to refuse."""
    kind, _, number = periode.partition("-")
    return (kind or None, int(tahun) if tahun.strip().isdigit() else None,
            int(number) if number.isdigit() else None)


def _period_query(kind: str, year: int, number: int) -> str:
    return f"periode={kind}-{number}&tahun={year}"


def _back_query(periode: str, tahun: str) -> str:
    """The period a form came from, for the page it returns to: only what the picker can send."""
    kind, year, number = _chosen_period(periode, tahun)
    if kind not in KINDS or year is None or number is None:
        return ""
    return _period_query(kind, min(year, 9999), min(number, 12))


def parse_tally_form(raw: dict[str, str]) -> TallyIn:
    """The paper-tally form: the service, the dates, the respondents and, per unsur, how many
    answered 1 to 4. Every problem is named beside its field, in Indonesian."""
    errors: list[FieldError] = []
    service_code = raw.get("service", "").strip()
    if not service_code:
        errors.append(FieldError("service", "Pilih layanan yang disurvei.", "required"))
    dates = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = date.fromisoformat(raw.get(name, "").strip())
        except ValueError:
            errors.append(FieldError(name, "Isi tanggal (hari-bulan-tahun).", "required"))
    respondents_raw = raw.get("respondents", "").strip()
    respondents = int(respondents_raw) if respondents_raw.isdigit() else 0
    if respondents < 1:
        errors.append(FieldError("respondents", "Isi jumlah kuesioner kertas yang terkumpul (1 atau lebih).",
                                 "required"))
    tally: dict[str, dict[str, int]] = {}
    for key in skm.KEYS[service.CURRENT]:
        per: dict[str, int] = {}
        for value in ("1", "2", "3", "4"):
            cell = raw.get(f"t_{key}_{value}", "").strip()
            if cell and not cell.isdigit():
                errors.append(FieldError(f"tally.{key}", "Isi dengan angka bulat 0 atau lebih."))
                break
            if cell and int(cell):
                per[value] = int(cell)
        else:
            if not per:
                errors.append(FieldError(f"tally.{key}", "Unsur ini belum diisi: tulis berapa responden memilih "
                                                         "tiap jawaban.", "required"))
            elif respondents and sum(per.values()) > respondents:
                errors.append(FieldError(f"tally.{key}", f"Jumlah jawaban ({sum(per.values())}) melebihi jumlah "
                                                         f"responden ({respondents})."))
        tally[key] = per
    if errors:
        raise ValidationFailed(errors)
    return TallyIn.model_validate({"service": service_code, "starts_on": dates["starts_on"],
                                   "ends_on": dates["ends_on"], "respondents": respondents, "tally": tally})


def _saved(flag: str) -> str | None:
    """What the page says was just saved: 'terbit' (published) or the respondents a tally added."""
    return flag if flag == "terbit" or (flag.isdigit() and len(flag) <= 7) else None


@router.get("/kelola/{site}/skm")
def skm_desk(request: Request, site: str, periode: str = "", tahun: str = "") -> Response:
    kind, year, number = _chosen_period(periode, tahun)
    desk = service.skm_desk(db_of(request), staff_actor(request), site, kind, year, number, request.state.lang)
    tally = request.session.pop("skm_tally", None) or {}
    return render(request, "feedback/skm_desk.html", desk=desk, unsur=skm.UNSUR_2017, kinds=KINDS,
                  errors={**desk.errors, **tally.get("errors", {})}, values=tally.get("values", {}),
                  tally_errors=bool(tally.get("errors")),
                  saved=_saved(request.query_params.get("tersimpan", "")),
                  period_query=_period_query(desk.kind, desk.year, desk.number))


@router.post("/kelola/{site}/skm/tally")
async def skm_tally(request: Request, site: str) -> Response:
    raw = {k: str(v)[:200] for k, v in (await request.form()).items()}
    check_csrf(request, raw.pop("csrf", ""))
    actor = staff_actor(request)
    back = f"/kelola/{site}/skm?{_back_query(raw.get('periode', ''), raw.get('tahun', ''))}"
    try:
        added = await run_in_threadpool(service.enter_tally, db_of(request), actor, site, parse_tally_form(raw))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (401, 403):
            raise
        # Kept in the signed session cookie for the page it returns to: only the form's own fields, short.
        kept = {k: v[:40] for k, v in raw.items() if k in ("service", "starts_on", "ends_on", "respondents")
                or re.fullmatch(r"t_[a-z_]{1,30}_[1-4]", k)}
        request.session["skm_tally"] = {"errors": errors_of(exc), "values": kept}
        return RedirectResponse(back + "#tally", status_code=303)
    return RedirectResponse(f"{back}&tersimpan={added}#ringkasan", status_code=303)


@router.get("/kelola/{site}/skm/terbitkan")
def skm_publish_confirm(request: Request, site: str, periode: str = "", tahun: str = "") -> Response:
    kind, year, number = _chosen_period(periode, tahun)
    desk = service.skm_desk(db_of(request), staff_actor(request), site, kind, year, number, request.state.lang)
    form = request.session.pop("skm_publish", None) or {}
    return render(request, "feedback/skm_publish.html", desk=desk, errors=form.get("errors", {}),
                  title=form.get("title", desk.default_title),
                  period_query=_period_query(desk.kind, desk.year, desk.number))


@router.post("/kelola/{site}/skm/terbitkan")
def skm_publish(request: Request, site: str, csrf: Annotated[str, Form()], title: Annotated[str, Form()] = "",
                starts_on: Annotated[str, Form()] = "", ends_on: Annotated[str, Form()] = "",
                periode: Annotated[str, Form()] = "", tahun: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    query = _back_query(periode, tahun)
    try:
        if len(title.strip()) < 3:
            raise ValidationFailed([FieldError("title", "Judul paling sedikit 3 huruf, misalnya \"IKM MPP "
                                                        "Triwulan IV 2026\".", "required")])
        service.publish(db_of(request), actor, site, title.strip()[:200], date.fromisoformat(starts_on),
                        date.fromisoformat(ends_on))
    except (ValueError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (401, 403, 404):
            raise
        errors = errors_of(exc) if isinstance(exc, DomainError) else {"_": "Periode tidak valid."}
        request.session["skm_publish"] = {"errors": errors, "title": title}
        return RedirectResponse(f"/kelola/{site}/skm/terbitkan?{query}", status_code=303)
    return RedirectResponse(f"/kelola/{site}/skm?{query}&tersimpan=terbit#terbit", status_code=303)
