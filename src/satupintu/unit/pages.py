"""The unit's pages: at the centre, an event's unit page (make an enrolment code, see the
enrolled laptops and their last contact); at the van, the sync status page (the link, the last
pull and push and why they failed, the backlog of records not yet at the centre, the records the
centre took over and the rows it refused with the reason, "Sinkronkan sekarang": push, then pull)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError, ValidationFailed
from ..timeutil import utcnow
from ..web.pages import db_of, errors_of, keep_once, staff_actor, take_once
from ..web.render import register_templates, render
from ..web.security import check_csrf
from . import enrolment, link, ownership, service

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
FLASH = "unit_new_code"


def _centre_page(request: Request, site: str, event: str, *, errors: dict[str, str] | None = None,
                 form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    db = db_of(request)
    units = enrolment.units_of(db, request.state.actor, event)
    shown = take_once(request, FLASH, ("event", event))
    expiry = datetime.fromisoformat(shown["expires_at"] or "") if shown else None
    return render(request, "unit/centre.html", status_code=status_code, site=catalogue.get_site(db, site),
                  ev=catalogue.get_site(db, event), units=units, shown=shown, shown_expiry=expiry, errors=errors or {},
                  form=form or {"contact_name": "", "contact_email": ""}, now=utcnow(),
                  centre_url=str(request.base_url).rstrip("/"))


@router.get("/kelola/{site}/pelayanan-bergerak/{event}/unit")
async def centre_page(request: Request, site: str, event: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(_centre_page, request, site, event)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/unit")
async def create_code(request: Request, site: str, event: str) -> Response:
    """Make a code and show it once on the next GET (a reload makes no second code)."""
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    form = {"contact_name": str(raw.get("contact_name", ""))[:200],
            "contact_email": str(raw.get("contact_email", ""))[:254]}

    def run() -> Response:
        try:
            issued = enrolment.create_code(db_of(request), actor, event, form["contact_name"], form["contact_email"])
        except ValidationFailed as exc:
            return _centre_page(request, site, event, errors=errors_of(exc), form=form, status_code=422)
        keep_once(request, FLASH, {"event": event, "code": issued.code, "expires_at": issued.expires_at.isoformat()})
        return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}/unit?kode=baru",
                                status_code=303)

    return await run_in_threadpool(run)


def _auto_every(request: Request) -> int:
    """The background sync's interval in whole seconds, 0 when it does not run."""
    settings = request.app.state.settings
    return int(settings.unit_sync_interval) if settings.unit_sync and db_of(request).dialect == "sqlite" else 0


def _status_page(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    db = db_of(request)
    found = link.status(db)
    tz, event_name = "Asia/Jakarta", ""
    if found is not None:
        try:
            event = catalogue.get_site(db, found.event_code)
            tz, event_name = event.timezone, event.name
        except DomainError:  # enrolled, but the first pull has not come through yet
            pass
    sent = refused = None
    q = request.query_params
    if q.get("kirim", "").isdigit() and q.get("tolak", "").isdigit():
        sent, refused = int(q["kirim"]), int(q["tolak"])
    lang = request.state.lang
    handed = service.handed_over_records(db, lang) if found is not None else []
    refusals = service.refused_rows(db) if found is not None else []
    return render(request, "unit/status.html", status_code=status_code, link=found, error=error, tz=tz,
                  event_name=event_name, done=q.get("hasil", "")[:10], sent=sent, refused=refused,
                  handed=handed, refusals=refusals, auto_every=_auto_every(request),
                  record_name=ownership.record_name)


@router.get("/unit")
async def status_page(request: Request) -> Response:
    staff_actor(request)
    return await run_in_threadpool(_status_page, request)


@router.post("/unit/sinkron")
async def sync_now(request: Request) -> Response:
    staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))

    def run() -> Response:
        try:
            pushed, applied = link.sync(db_of(request))  # the unit's records, then the centre's changes
        except DomainError as exc:
            return _status_page(request, error=exc.message, status_code=503 if exc.status == 503 else 422)
        return RedirectResponse(f"/unit?hasil={'berubah' if applied.total else 'sama'}"
                                f"&kirim={pushed.sent}&tolak={len(pushed.refused)}", status_code=303)

    return await run_in_threadpool(run)
