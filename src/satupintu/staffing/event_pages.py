"""The officers of a mobile service event (/kelola/{site}/pelayanan-bergerak/{event}/petugas):
the mall's officers put at the event's counters on its days. Staffing's page, beside the
catalogue's event page, because it joins the event's counters with the roster."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service

router = APIRouter(include_in_schema=False)


def _page(request: Request, site: str, event: str, form: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    db = db_of(request)
    actor = request.state.actor
    view = catalogue.event_view(db, actor, site, event)  # the event is this mall's
    roster = service.event_roster(db, actor, event)
    if form is None:
        first = roster.days[0]
        start, end = view.event.opening_hours.get(catalogue.WEEKDAYS[first.weekday()], ["08:00", "15:00"])
        form = {"officer_id": "", "counter": str(roster.counters[0].number) if roster.counters else "",
                "date": first.isoformat(), "start": start, "end": end}
    return render(request, "staffing/event_officers.html", status_code=status_code, site=catalogue.get_site(db, site),
                  ev=view.event, roster=roster, form=form, errors=errors or {})


@router.get("/kelola/{site}/pelayanan-bergerak/{event}/petugas")
async def event_officers(request: Request, site: str, event: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(_page, request, site, event)


def _failed(exc: Exception) -> dict[str, str]:
    if isinstance(exc, DomainError) and (exc.status in (401, 403) or exc.field in ("site", "event")
                                         and exc.status == 404):
        raise exc
    assert isinstance(exc, (ValidationError, DomainError))
    return errors_of(exc)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/petugas")
async def event_assign(request: Request, site: str, event: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = db_of(request)
    form = {k: str(raw.get(k, "")).strip() for k in ("officer_id", "counter", "date", "start", "end")}
    await run_in_threadpool(catalogue.event_view, db, actor, site, event)
    try:
        data = service.AssignmentIn.model_validate({**form, "officer_id": form["officer_id"] or None})
        await run_in_threadpool(service.assign_at_event, db, actor, event, data)
    except ValidationError as exc:
        errors = {k: {"officer_id": "Pilih petugas dari daftar.", "counter": "Pilih loket.",
                      "date": "Pilih tanggal kegiatan."}.get(k, v) for k, v in errors_of(exc).items()}
        return await run_in_threadpool(_page, request, site, event, form, errors, 422)
    except DomainError as exc:
        return await run_in_threadpool(_page, request, site, event, form, _failed(exc), 422)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}/petugas?ditugaskan=1",
                            status_code=303)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/petugas/{assignment_id}/hapus")
async def event_unassign(request: Request, site: str, event: str, assignment_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = db_of(request)
    await run_in_threadpool(catalogue.event_view, db, actor, site, event)
    await run_in_threadpool(service.delete_assignment, db, actor, event, assignment_id)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}/petugas?dihapus=1",
                            status_code=303)
