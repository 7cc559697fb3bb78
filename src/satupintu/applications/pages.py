"""Application pages: staff open and work applications; citizens follow theirs by tracking
number (and its QR) without logging in."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..web.pages import db_of, errors_of, staff_actor
from ..web.qr import qr_svg
from ..web.ratelimit import limited
from ..web.render import register_templates, render
from ..web.security import check_csrf
from . import service
from .schemas import ApplicationIn

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
INVALID = "Isian tidak valid atau terlalu pendek."


def _public_url(request: Request, number: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/permohonan/{number}"


@router.get("/kelola/{site}/permohonan")
def staff_list(request: Request, site: str, tampil: str = "", layanan: str = "", tiket: str = "",
               instansi: str = "") -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    only = tampil if tampil in ("open", "overdue", "due_soon") else None
    chosen = catalogue.get_service(db, site, layanan) if layanan else None
    return render(request, "applications/staff_list.html", site=catalogue.get_site(db, site),
                  applications=service.staff_list(db, actor, site, only, instansi or None, lang=request.state.lang),
                  tampil=tampil, instansi=instansi, agencies=catalogue.list_agencies(db, site),
                  services=catalogue.list_services(db, site), chosen=chosen, ticket=tiket,
                  on_time=service.on_time_report(db, actor, site), errors={}, form={})


@router.post("/kelola/{site}/permohonan")
def staff_open(request: Request, site: str, csrf: Annotated[str, Form()], service_code: Annotated[str, Form()],
               applicant_name: Annotated[str, Form()] = "", nik: Annotated[str, Form()] = "",
               phone: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
               notify: Annotated[str, Form()] = "", ticket_id: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "", doc: Annotated[list[str] | None, Form()] = None) -> Response:
    actor = staff_actor(request)
    check_csrf(request, csrf)
    db = db_of(request)
    form = {"applicant_name": applicant_name, "phone": phone, "email": email, "notify": bool(notify), "note": note}
    received = [int(v) for v in doc or [] if v.isdigit()]
    try:
        data = ApplicationIn.model_validate({
            "service": service_code, "applicant_name": applicant_name, "nik": nik, "phone": phone, "email": email,
            "notify": bool(notify), "ticket_id": ticket_id or None, "documents_received": received, "note": note})
        opened = service.open_application(db, actor, site, data, request.state.lang)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (401, 403):
            raise
        chosen = catalogue.get_service(db, site, service_code)
        return render(request, "applications/staff_list.html", status_code=422, site=catalogue.get_site(db, site),
                      applications=service.staff_list(db, actor, site, lang=request.state.lang), tampil="",
                      instansi="", agencies=catalogue.list_agencies(db, site),
                      services=catalogue.list_services(db, site), chosen=chosen, ticket=ticket_id,
                      on_time=service.on_time_report(db, actor, site), errors=errors_of(exc, INVALID), form=form,
                      received=received)
    return RedirectResponse(f"/kelola/{site}/permohonan/{opened.application.id}?baru=1", status_code=303)


@router.get("/kelola/{site}/permohonan/{application_id}")
def staff_detail(request: Request, site: str, application_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    app = service.get_application(db, actor, site, application_id, request.state.lang)
    return render(request, "applications/staff_detail.html", site=catalogue.get_site(db, site), a=app,
                  errors=request.session.pop("application_errors", {}),
                  qr=qr_svg(_public_url(request, app.tracking_number)))


@router.get("/kelola/{site}/permohonan/{application_id}/tanda-terima")
def staff_receipt(request: Request, site: str, application_id: uuid.UUID) -> Response:
    """The printable tanda terima (A5 or A4, one page): opening it prints it; ?cetak=0 only shows it."""
    r = service.receipt(db_of(request), staff_actor(request), site, application_id, request.state.lang)
    url = _public_url(request, r.tracking_number)
    return render(request, "applications/receipt.html", r=r, qr=qr_svg(url, fit=True), track_url=url,
                  back=f"/kelola/{site}/permohonan/{application_id}")


@router.post("/kelola/{site}/permohonan/{application_id}")
def staff_act(request: Request, site: str, application_id: uuid.UUID, csrf: Annotated[str, Form()],
              action: Annotated[str, Form()], note: Annotated[str, Form()] = "",
              doc: Annotated[list[str] | None, Form()] = None) -> Response:
    actor = staff_actor(request)
    check_csrf(request, csrf)
    db = db_of(request)
    try:
        if action == "_documents":
            received = [int(v) for v in doc or [] if v.isdigit()]
            service.set_documents(db, actor, site, application_id, received)
        else:
            service.take_action(db, actor, site, application_id, action, note)
    except DomainError as exc:
        if exc.status in (401, 404) or (exc.status == 403 and exc.code != "role_not_allowed"):
            raise
        request.session["application_errors"] = errors_of(exc, INVALID)
    return RedirectResponse(f"/kelola/{site}/permohonan/{application_id}", status_code=303)


@router.get("/permohonan")
def lookup(request: Request, nomor: str = "") -> Response:
    if nomor.strip():
        return RedirectResponse(f"/permohonan/{nomor.strip().upper()}", status_code=303)
    return render(request, "applications/lookup.html", errors={})


@router.get("/permohonan/{number}", dependencies=[limited("lookup")])
def track(request: Request, number: str) -> Response:
    db = db_of(request)
    try:
        app = service.track(db, number, request.state.lang)
    except DomainError as exc:
        if exc.status == 404 or exc.code == "invalid_tracking_number":
            return render(request, "applications/lookup.html", status_code=404 if exc.status == 404 else 422,
                          errors={"nomor": exc.message}, nomor=number)
        raise
    return render(request, "applications/track.html", a=app, site=catalogue.get_site(db, app.site),
                  qr=qr_svg(_public_url(request, app.tracking_number)))
