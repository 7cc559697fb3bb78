"""Manager pages for agreements (/kelola/{site}/perjanjian: MoU/PKS per agency, their files and
renewals) and UMKM booths (/kelola/{site}/umkm: booths and their rota). Each route parses the
form, calls one use case of service.py and renders; the use case checks the scope."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..errors import DomainError
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service
from .agreement_schemas import BoothTurnIn
from .agreements import LABELS, MAX_FILE_BYTES, AgreementState, renewal_starts_on
from .schemas import AgreementIn, BoothIn

router = APIRouter(include_in_schema=False)

AGREEMENT_FIELDS = ("agency", "kind", "number", "title", "starts_on", "ends_on", "notes")
BOOTH_FIELDS = ("name", "owner_name", "products", "location")
TURN_FIELDS = ("starts_on", "ends_on", "owner_name", "products")
# What to say beside a field the schema refused (empty, too long, not a date).
FIELD_HELP = {
    "agency": "Pilih instansi.",
    "kind": "Pilih jenis: MoU atau PKS.",
    "number": "Isi nomor perjanjian.",
    "starts_on": "Isi tanggal mulai (hh-bb-tttt).",
    "ends_on": "Isi tanggal berakhir (hh-bb-tttt).",
    "name": "Isi nama gerai (paling sedikit 2 huruf).",
    "owner_name": "Isi nama pemilik (paling sedikit 2 huruf).",
}


def _labels() -> dict[str, tuple[str, str]]:
    return {s.value: LABELS[s] for s in AgreementState}


def _messages(exc: ValidationError | DomainError) -> dict[str, str]:
    if isinstance(exc, DomainError):
        if exc.status in (401, 403) or (exc.status == 404 and exc.field in ("site", "agreement", "booth")):
            raise exc
        return errors_of(exc)
    return {k: FIELD_HELP.get(k, v) for k, v in errors_of(exc).items()}


async def _form(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    return {k: str(raw.get(k, "")).strip() for k in fields}


def _nulls(form: dict[str, str]) -> dict[str, Any]:
    """Empty dates as missing, so the schema names them."""
    return {k: v for k, v in form.items() if not (k in ("starts_on", "ends_on") and not v)}


# ---------------------------------------------------------------- agreements

def _agreements(request: Request, site: str, *, form: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200, done: str = "") -> Response:
    db = db_of(request)
    actor = request.state.actor
    view = service.agreements_page(db, actor, site)
    return render(request, "admin/agreements.html", status_code=status_code, site=service.get_site(db, site),
                  view=view, warnings=service.agreement_warnings(db, actor, site), agreement_labels=_labels(),
                  form=form or {"kind": "PKS"}, errors=errors or {}, done=done, max_mb=MAX_FILE_BYTES // 2**20)


@router.get("/kelola/{site}/perjanjian")
def agreements(request: Request, site: str, done: str = "") -> Response:
    """Every agency's MoU/PKS with its state and files; the panel of those about to end."""
    staff_actor(request)
    return _agreements(request, site, done=done[:40])


@router.post("/kelola/{site}/perjanjian")
async def agreement_add(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    form = await _form(request, AGREEMENT_FIELDS)

    def run() -> Response:  # the database work off the event loop
        try:
            data = AgreementIn.model_validate({k: v for k, v in _nulls(form).items() if k != "agency"})
            if not form["agency"]:
                return _agreements(request, site, form=form, errors={"agency": FIELD_HELP["agency"]}, status_code=422)
            service.add_agreement(db_of(request), actor, site, form["agency"], data)
        except (ValidationError, DomainError) as exc:
            errors = _messages(exc)
            if not form["agency"]:
                errors["agency"] = FIELD_HELP["agency"]
            return _agreements(request, site, form=form, errors=errors, status_code=422)
        return RedirectResponse(f"/kelola/{site}/perjanjian?done=added", status_code=303)

    return await run_in_threadpool(run)

def _renewal(request: Request, site: str, agreement_id: uuid.UUID, form: dict[str, str] | None = None,
             errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    db = db_of(request)
    view = service.agreements_page(db, request.state.actor, site)
    found = next(((a, r) for a in view.agencies for r in a.rows if r.agreement.id == agreement_id), None)
    if found is None:
        return RedirectResponse(f"/kelola/{site}/perjanjian", status_code=303)
    agency, row = found
    old = row.agreement
    defaults = {"kind": old.kind, "number": "", "title": old.title,
                "starts_on": renewal_starts_on(old.ends_on).isoformat(), "ends_on": "", "notes": ""}
    return render(request, "admin/agreement_renew.html", status_code=status_code, site=service.get_site(db, site),
                  agency=agency, row=row, form=form or defaults, errors=errors or {}, agreement_labels=_labels())


@router.get("/kelola/{site}/perjanjian/{agreement_id}/perpanjang")
def agreement_renew_form(request: Request, site: str, agreement_id: uuid.UUID) -> Response:
    """A renewal form filled from the old agreement, starting the day after it ends."""
    staff_actor(request)
    return _renewal(request, site, agreement_id)


@router.post("/kelola/{site}/perjanjian/{agreement_id}/perpanjang")
async def agreement_renew(request: Request, site: str, agreement_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    form = await _form(request, AGREEMENT_FIELDS)

    def run() -> Response:  # the database work off the event loop
        try:
            data = AgreementIn.model_validate({k: v for k, v in _nulls(form).items() if k != "agency"})
            service.renew_agreement(db_of(request), actor, site, agreement_id, data)
        except (ValidationError, DomainError) as exc:
            return _renewal(request, site, agreement_id, form=form, errors=_messages(exc), status_code=422)
        return RedirectResponse(f"/kelola/{site}/perjanjian?done=renewed", status_code=303)

    return await run_in_threadpool(run)


@router.post("/kelola/{site}/perjanjian/{agreement_id}/berkas")
async def agreement_upload(request: Request, site: str, agreement_id: uuid.UUID) -> Response:
    """Attach a scanned PDF/JPEG/PNG; the error, if any, stands beside that agreement's file field."""
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    upload = raw.get("file")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        data = await upload.read(MAX_FILE_BYTES + 1)
        name = upload.filename or ""

    def run() -> Response:  # the database work off the event loop
        try:
            service.add_agreement_file(db_of(request), actor, site, agreement_id, name, data)
        except DomainError as exc:
            errors = {f"file-{agreement_id}": m for m in _messages(exc).values()}
            return _agreements(request, site, errors=errors, status_code=422)
        return RedirectResponse(f"/kelola/{site}/perjanjian?done=file#agreement-{agreement_id}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/kelola/{site}/perjanjian/berkas/{file_id}")
def agreement_download(request: Request, site: str, file_id: uuid.UUID) -> Response:
    """The stored scan, for staff of the site only, as a download (never rendered inline)."""
    actor = staff_actor(request)
    f = service.agreement_file(db_of(request), actor, site, file_id)
    return Response(f.data, media_type=f.content_type, headers={
        "Content-Disposition": f'attachment; filename="{f.filename}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


# ---------------------------------------------------------------- UMKM booths

def _booths(request: Request, site: str, *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
            status_code: int = 200, done: str = "") -> Response:
    db = db_of(request)
    return render(request, "admin/booths.html", status_code=status_code, site=service.get_site(db, site),
                  view=service.booths_page(db, request.state.actor, site), form=form or {}, errors=errors or {},
                  done=done)


@router.get("/kelola/{site}/umkm")
def booths(request: Request, site: str, done: str = "") -> Response:
    """The site's UMKM booths: who is in each today and next; add a booth."""
    staff_actor(request)
    return _booths(request, site, done=done[:40])


@router.post("/kelola/{site}/umkm")
async def booth_add(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    form = await _form(request, BOOTH_FIELDS)

    def run() -> Response:  # the database work off the event loop
        try:
            service.create_booth(db_of(request), actor, site, BoothIn.model_validate(form))
        except (ValidationError, DomainError) as exc:
            return _booths(request, site, form=form, errors=_messages(exc), status_code=422)
        return RedirectResponse(f"/kelola/{site}/umkm?done=added", status_code=303)

    return await run_in_threadpool(run)

def _booth(request: Request, site: str, booth_id: uuid.UUID, *, form: dict[str, str] | None = None,
           turn: dict[str, str] | None = None, errors: dict[str, str] | None = None, status_code: int = 200,
           done: str = "") -> Response:
    db = db_of(request)
    view = service.booths_page(db, request.state.actor, site)
    row = next((r for r in view.booths if r.booth.id == booth_id), None)
    if row is None:
        return RedirectResponse(f"/kelola/{site}/umkm", status_code=303)
    b = row.booth
    return render(request, "admin/booth.html", status_code=status_code, site=service.get_site(db, site), view=view,
                  row=row, form=form or {"name": b.name, "owner_name": b.owner_name, "products": b.products,
                                         "location": b.location},
                  turn=turn or {}, errors=errors or {}, done=done)


@router.get("/kelola/{site}/umkm/{booth_id}")
def booth_page(request: Request, site: str, booth_id: uuid.UUID, done: str = "") -> Response:
    """One booth: edit it, and its rota when small businesses take turns in it."""
    staff_actor(request)
    return _booth(request, site, booth_id, done=done[:40])


@router.post("/kelola/{site}/umkm/{booth_id}")
async def booth_edit(request: Request, site: str, booth_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    form = await _form(request, BOOTH_FIELDS)

    def run() -> Response:  # the database work off the event loop
        try:
            service.update_booth(db_of(request), actor, site, booth_id, BoothIn.model_validate(form))
        except (ValidationError, DomainError) as exc:
            return _booth(request, site, booth_id, form=form, errors=_messages(exc), status_code=422)
        return RedirectResponse(f"/kelola/{site}/umkm/{booth_id}?done=saved", status_code=303)

    return await run_in_threadpool(run)


@router.post("/kelola/{site}/umkm/{booth_id}/giliran")
async def booth_turn_add(request: Request, site: str, booth_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    turn = await _form(request, TURN_FIELDS)

    def run() -> Response:  # the database work off the event loop
        try:
            service.add_booth_turn(db_of(request), actor, site, booth_id, BoothTurnIn.model_validate(_nulls(turn)))
        except (ValidationError, DomainError) as exc:
            errors = {f"turn-{k}": v for k, v in _messages(exc).items()}
            return _booth(request, site, booth_id, turn=turn, errors=errors, status_code=422)
        return RedirectResponse(f"/kelola/{site}/umkm/{booth_id}?done=turn", status_code=303)

    return await run_in_threadpool(run)


@router.post("/kelola/{site}/umkm/{booth_id}/giliran/{turn_id}/hapus")
async def booth_turn_remove(request: Request, site: str, booth_id: uuid.UUID, turn_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    await _form(request, ())

    def run() -> Response:  # the database work off the event loop
        service.remove_booth_turn(db_of(request), actor, site, booth_id, turn_id)
        return RedirectResponse(f"/kelola/{site}/umkm/{booth_id}?done=removed", status_code=303)

    return await run_in_threadpool(run)
