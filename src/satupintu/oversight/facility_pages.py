"""The facilities checklist page (`/kelola/{site}/sarana`): every facility of the checklist with
its status, note, due date and photo evidence, the measure at the top, saved all at once."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..errors import DomainError, ValidationFailed
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import facility_service as facilities
from .facilities import MAX_NOTE

router = APIRouter(include_in_schema=False)


def _page(request: Request, site: str, *, errors: dict[str, str] | None = None,
          entered: list[facilities.FacilityIn] | None = None, status_code: int = 200, done: str = "") -> Response:
    view = facilities.checklist(db_of(request), request.state.actor, site)
    typed = {e.key: e for e in entered or []}
    return render(request, "oversight/facilities.html", status_code=status_code, view=view, typed=typed,
                  errors=errors or {}, done=done, max_note=MAX_NOTE, site_code=site)


@router.get("/kelola/{site}/sarana")
def checklist_page(request: Request, site: str, done: str = "") -> Response:
    staff_actor(request)
    return _page(request, site, done=done[:20])


@router.post("/kelola/{site}/sarana")
async def checklist_save(request: Request, site: str) -> Response:
    """Save every row; a wrong field is named beside its row and nothing is saved."""
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    keys = [str(k) for k in raw.getlist("key")]
    entries = [facilities.FacilityIn(key, str(raw.get(f"status-{key}", "")), str(raw.get(f"note-{key}", ""))[:2000],
                                     str(raw.get(f"due-{key}", ""))) for key in keys]

    def run() -> Response:
        try:
            facilities.save_checklist(db_of(request), actor, site, entries)
        except ValidationFailed as exc:
            return _page(request, site, errors=_by_row(exc, [e for e in entries if e.status]), entered=entries,
                         status_code=422)
        return RedirectResponse(f"/kelola/{site}/sarana?done=saved", status_code=303)

    return await run_in_threadpool(run)


def _by_row(exc: ValidationFailed, saved: list[facilities.FacilityIn]) -> dict[str, str]:
    """'facilities[3].due_on' -> 'due-<key of the 3rd row with a status>', the field's id on the page."""
    out: dict[str, str] = {}
    names = {"status": "status", "note": "note", "due_on": "due", "key": "status"}
    for field, message in errors_of(exc).items():
        if field.startswith("facilities[") and "]." in field:
            index, name = field[len("facilities["):].split("].", 1)
            if index.isdigit() and int(index) < len(saved):
                out[f"{names.get(name, name)}-{saved[int(index)].key}"] = message
                continue
        out.setdefault("_", message)
    return out


@router.post("/kelola/{site}/sarana/{key}/foto")
async def photo_upload(request: Request, site: str, key: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    upload = raw.get("file")
    data = await upload.read(facilities.MAX_PHOTO_BYTES + 1) if isinstance(upload, UploadFile) else b""

    def run() -> Response:
        try:
            facilities.add_photo(db_of(request), actor, site, key, data)
        except DomainError as exc:
            if exc.status in (401, 403) or (exc.status == 404 and exc.field != "key"):
                raise
            return _page(request, site, errors={f"photo-{key}": m for m in errors_of(exc).values()}, status_code=422)
        return RedirectResponse(f"/kelola/{site}/sarana?done=photo#row-{key}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/kelola/{site}/sarana/foto/{photo_id}")
def photo_view(request: Request, site: str, photo_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    content_type, data = facilities.photo(db_of(request), actor, site, photo_id)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store",
                                                            "X-Content-Type-Options": "nosniff"})


@router.post("/kelola/{site}/sarana/foto/{photo_id}/hapus")
async def photo_delete(request: Request, site: str, photo_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    await run_in_threadpool(facilities.delete_photo, db_of(request), actor, site, photo_id)
    return RedirectResponse(f"/kelola/{site}/sarana?done=deleted", status_code=303)
