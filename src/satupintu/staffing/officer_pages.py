"""The officers page: who can be rostered, which services they may serve, their limits.

A site manager (or an agency's admin, for its own officers) adds, changes and takes officers
off the roster here; the roster generator and checker read the same records. A form that
fails comes back with every value kept and the reason beside its field.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError, NotFound
from ..web.i18n import gettext
from ..web.pages import errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service
from .pages import day_name
from .service import OfficerIn, OfficerOut

router = APIRouter(include_in_schema=False)

# What the form says beside a refused field (Indonesian source text; English in staffing.po).
FIELD_MESSAGES = {
    "agency": "Pilih instansi.",
    "name": "Nama petugas wajib diisi.",
    "max_minutes_per_day": "Isi jam kerja harian antara 0 dan 24 jam.",
    "max_minutes_per_week": "Isi jam kerja mingguan antara 0 dan 168 jam.",
    "workdays": "Pilih hari kerja dari Senin sampai Minggu.",
    "days_off": "Tanggal libur/cuti tidak valid: tulis TTTT-BB-HH, satu per baris.",
}


def _blank_form() -> dict[str, Any]:
    return {"agency": "", "name": "", "services": "", "hours_day": "8", "hours_week": "40",
            "friday_prayer": False, "workdays": [0, 1, 2, 3, 4], "days_off": "", "username": ""}


def _form_of(o: OfficerOut) -> dict[str, Any]:
    return {"agency": o.agency, "name": o.name, "services": ", ".join(o.services),
            "hours_day": f"{o.max_minutes_per_day / 60:g}", "hours_week": f"{o.max_minutes_per_week / 60:g}",
            "friday_prayer": o.friday_prayer, "workdays": o.workdays,
            "days_off": "\n".join(d.isoformat() for d in o.days_off), "username": o.username or ""}


def _hours_to_minutes(text: str) -> Any:
    """'8' or '7,5' hours -> minutes; anything else goes to validation as it is (and fails there)."""
    try:
        return round(float(text.strip().replace(",", ".")) * 60)
    except ValueError:
        return text


def _parse(form: dict[str, Any]) -> tuple[OfficerIn | None, dict[str, str]]:
    """The submitted form as OfficerIn, or the problems by field (Indonesian)."""
    errors: dict[str, str] = {}
    days_off: list[Any] = []
    for line in form["days_off"].replace(",", "\n").splitlines():
        if line.strip():
            try:
                days_off.append(date.fromisoformat(line.strip()))
            except ValueError:
                errors["days_off"] = FIELD_MESSAGES["days_off"]
    try:
        data = OfficerIn.model_validate({
            "agency": form["agency"], "name": form["name"],
            "services": [c for c in form["services"].replace(";", ",").split(",") if c.strip()],
            "max_minutes_per_day": _hours_to_minutes(form["hours_day"]),
            "max_minutes_per_week": _hours_to_minutes(form["hours_week"]),
            "friday_prayer": form["friday_prayer"], "workdays": form["workdays"], "days_off": days_off,
            "username": form["username"].strip() or None})
    except ValidationError as exc:
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "_"
            errors.setdefault(field, FIELD_MESSAGES.get(field, "Isian tidak valid."))
        return None, errors
    return (None, errors) if errors else (data, errors)


async def _read_form(request: Request) -> tuple[dict[str, Any], str]:
    raw = await request.form()
    workdays = []
    for v in raw.getlist("workdays"):
        if isinstance(v, str) and v.isdigit():
            workdays.append(int(v))
    form: dict[str, Any] = {key: str(raw.get(key, "")) for key in ("agency", "name", "services", "hours_day",
                                                                   "hours_week", "days_off", "username")}
    form["friday_prayer"] = bool(raw.get("friday_prayer"))
    form["workdays"] = workdays
    return form, str(raw.get("csrf", ""))


def _page(request: Request, site: str, *, form: dict[str, Any], errors: dict[str, str] | None = None,
          editing: OfficerOut | None = None, status_code: int = 200) -> Response:
    actor = request.state.actor
    db = request.app.state.db
    lang = request.state.lang
    officers = service.list_officers(db, actor, site, include_inactive=True)
    translated = {k: gettext(lang, v) for k, v in (errors or {}).items()}
    return render(request, "staffing/officers.html", status_code=status_code, site=catalogue.get_site(db, site),
                  officers=officers, agencies=catalogue.list_agencies(db, site), form=form, errors=translated,
                  editing=editing, weekdays=[(d, day_name(d, lang)) for d in range(7)],
                  hours=lambda minutes: f"{minutes / 60:g}")


def _officer(db: Any, actor: Any, site: str, officer_id: uuid.UUID) -> OfficerOut:
    for o in service.list_officers(db, actor, site, include_inactive=True):
        if o.id == officer_id:
            return o
    raise NotFound("Petugas", "officer_id")


@router.get("/kelola/{site}/petugas")
async def officers_page(request: Request, site: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(lambda: _page(request, site, form=_blank_form()))


@router.get("/kelola/{site}/petugas/{officer_id}")
async def officer_edit_page(request: Request, site: str, officer_id: uuid.UUID) -> Response:
    actor = staff_actor(request)
    db = request.app.state.db
    officer = await run_in_threadpool(_officer, db, actor, site, officer_id)
    return await run_in_threadpool(lambda: _page(request, site, form=_form_of(officer), editing=officer))


async def _save(request: Request, site: str, officer_id: uuid.UUID | None) -> Response:
    actor = staff_actor(request)
    db = request.app.state.db
    form, csrf = await _read_form(request)
    check_csrf(request, csrf)
    editing = await run_in_threadpool(_officer, db, actor, site, officer_id) if officer_id else None
    data, errors = _parse(form)
    if data is not None:
        if editing is not None:
            data.active = editing.active
        try:
            if officer_id is None:
                await run_in_threadpool(service.create_officer, db, actor, site, data)
            else:
                await run_in_threadpool(service.update_officer, db, actor, site, officer_id, data)
            return RedirectResponse(f"/kelola/{site}/petugas?disimpan=1", status_code=303)
        except DomainError as exc:
            if exc.status in (401, 403) or (exc.status == 404 and exc.field in (None, "site")):
                raise
            errors = errors_of(exc)
    return await run_in_threadpool(lambda: _page(request, site, form=form, errors=errors, editing=editing,
                                                 status_code=422))


@router.post("/kelola/{site}/petugas")
async def officer_create(request: Request, site: str) -> Response:
    return await _save(request, site, None)


@router.post("/kelola/{site}/petugas/{officer_id}")
async def officer_update(request: Request, site: str, officer_id: uuid.UUID) -> Response:
    return await _save(request, site, officer_id)


@router.post("/kelola/{site}/petugas/{officer_id}/nonaktifkan")
async def officer_deactivate(request: Request, site: str, officer_id: uuid.UUID) -> Response:
    """Off the roster (future assignments removed); the officer stays in history."""
    actor = staff_actor(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    await run_in_threadpool(service.deactivate_officer, request.app.state.db, actor, site, officer_id)
    return RedirectResponse(f"/kelola/{site}/petugas?dinonaktifkan=1", status_code=303)
