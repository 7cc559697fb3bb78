"""The manager's queue settings page /kelola/{site}/loket/layanan: each service's ticket letter,
the queue groups those letters make (services sharing a letter share one numbering), the daily
ticket quota and last issue time, booking on/off and its slots. Linked from the counters page."""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service

router = APIRouter(include_in_schema=False)
NUMBERS = ("slot_minutes", "slot_quota", "booking_grace_minutes", "daily_quota")
MESSAGES = {
    "slot_minutes": "Lama slot harus angka menit, misalnya 30.",
    "slot_quota": "Kuota per slot harus angka, 0 bila tidak ada pemesanan.",
    "booking_grace_minutes": "Toleransi keterlambatan harus angka menit.",
    "daily_quota": "Kuota tiket harian harus angka, 0 bila tanpa batas.",
    "last_issue_time": "Tulis jam:menit, misalnya 14:00, atau kosongkan.",
}


@router.get("/kelola/{site}/loket/layanan")
def queue_settings_page(request: Request, site: str) -> Response:
    """Every service's letter and quotas, and the groups: which services share each letter."""
    actor = staff_actor(request)
    db = db_of(request)
    rows, groups = service.site_queue_settings(db, actor, site)
    return render(request, "queue/settings.html", site=catalogue.get_site(db, site), rows=rows, groups=groups,
                  saved=request.query_params.get("disimpan"))


def _form_of(out: Any) -> dict[str, str]:
    form = {k: str(getattr(out, k)) for k in ("prefix", *NUMBERS)}
    form["booking_enabled"] = "1" if out.booking_enabled else ""
    form["last_issue_time"] = out.last_issue_time.strftime("%H:%M") if out.last_issue_time else ""
    return form


def _edit(request: Request, site: str, code: str, form: dict[str, str] | None, errors: dict[str, str],
          status_code: int = 200) -> Response:
    db = db_of(request)
    rows, groups = service.site_queue_settings(db, request.state.actor, site)
    current = next((r for r in rows if r.service == code.upper()), None)
    if current is None:
        return RedirectResponse(f"/kelola/{site}/loket/layanan", status_code=303)
    return render(request, "queue/settings_edit.html", status_code=status_code, site=catalogue.get_site(db, site),
                  svc=current, form=form or _form_of(current), errors=errors, groups=groups)


@router.get("/kelola/{site}/loket/layanan/{code}")
def queue_settings_edit(request: Request, site: str, code: str) -> Response:
    staff_actor(request)
    return _edit(request, site, code, None, {})


@router.post("/kelola/{site}/loket/layanan/{code}")
async def queue_settings_save(request: Request, site: str, code: str) -> Response:
    raw = await request.form()
    return await run_in_threadpool(_save, request, site, code, raw)


def _save(request: Request, site: str, code: str, raw: Any) -> Response:
    """Check every field, then save in one transaction; each refusal shown beside its field."""
    actor = staff_actor(request)
    check_csrf(request, str(raw.get("csrf", "")))
    form = {k: str(raw.get(k, "")).strip() for k in ("prefix", *NUMBERS, "last_issue_time", "booking_enabled")}
    errors: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for key in NUMBERS:
        if form[key].isdigit():
            numbers[key] = int(form[key])
        else:
            errors[key] = MESSAGES[key]
    last: time | None = None
    if form["last_issue_time"]:
        try:
            last = time.fromisoformat(form["last_issue_time"])
        except ValueError:
            errors["last_issue_time"] = MESSAGES["last_issue_time"]
    try:
        # The bounds of every field at once, even when another field is not a number.
        service.check_queue_settings(form["prefix"].upper(), numbers.get("slot_minutes", 30),
                                     numbers.get("slot_quota", 0), numbers.get("booking_grace_minutes", 15),
                                     numbers.get("daily_quota", 0), last)
    except DomainError as exc:
        errors = {**errors_of(exc), **errors}
    if not errors:
        try:
            service.configure_service_queue(db_of(request), actor, site, code, form["prefix"].upper(),
                                            booking_enabled=bool(form["booking_enabled"]), last_issue_time=last,
                                            **numbers)
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                raise
            errors = errors_of(exc)
    if errors:
        return _edit(request, site, code, form, errors, status_code=422)
    return RedirectResponse(f"/kelola/{site}/loket/layanan?disimpan={code.upper()}", status_code=303)
