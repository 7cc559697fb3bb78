"""The mall manager's mobile service pages (Pelayanan Bergerak): the mall's events with the form
that creates one (/kelola/{site}/pelayanan-bergerak), and each event's page (its services, its
counters, opening and closing). The officers of an event are on staffing's page beside it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..errors import DomainError
from ..timeutil import INDONESIAN_ZONES, zone_label
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import register_templates, render
from ..web.security import check_csrf
from . import service
from .event_rules import suggest_code
from .events import STATUS_LABELS
from .hours import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID, WEEKDAYS
from .models import EventStatus

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
BASE = "/kelola/{site}/pelayanan-bergerak"


def _weekdays(lang: str) -> list[tuple[str, str]]:
    return list(zip(WEEKDAYS, WEEKDAY_NAMES_EN if lang == "en" else WEEKDAY_NAMES_ID, strict=True))


def _failed(exc: Exception) -> dict[str, str]:
    """A form's errors by field; a refusal of access or an unknown site is the page's own error."""
    if isinstance(exc, DomainError) and (exc.status in (401, 403) or exc.field in ("site", "event")
                                         and exc.status == 404):
        raise exc
    assert isinstance(exc, (ValidationError, DomainError))
    return errors_of(exc)


def _list_page(request: Request, site: str, form: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    db = db_of(request)
    actor = request.state.actor
    mall = service.get_site(db, site)
    events = service.list_events(db, actor, site)
    if form is None:
        form = {"name": "", "code": "", "address": "", "starts_on": "", "ends_on": "", "timezone": mall.timezone,
                **{f"opens-{d}": v[0] for d, v in mall.opening_hours.items()},
                **{f"closes-{d}": v[1] for d, v in mall.opening_hours.items()}}
    return render(request, "admin/events.html", status_code=status_code, site=mall, events=events, form=form,
                  errors=errors or {}, weekdays=_weekdays(request.state.lang),
                  zones=[(z, zone_label(z)) for z in INDONESIAN_ZONES], labels=STATUS_LABELS)


@router.get("/kelola/{site}/pelayanan-bergerak")
async def events_page(request: Request, site: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(_list_page, request, site)


def _hours_of(form: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The weekday rows of the form: both times, or neither (closed that day)."""
    hours: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for day in WEEKDAYS:
        opens, closes = form.get(f"opens-{day}", ""), form.get(f"closes-{day}", "")
        if opens and closes:
            hours[day] = [opens, closes]
        elif opens or closes:
            errors[f"opening_hours.{day}"] = "Isi jam buka dan jam tutup, atau kosongkan keduanya bila tutup."
    return hours, errors


def _date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text  # the schema names the field


@router.post("/kelola/{site}/pelayanan-bergerak")
async def event_create(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    form = {k: str(v).strip() for k, v in raw.items() if k != "csrf"}
    if not form.get("code"):
        form["code"] = suggest_code(form.get("name", ""), site)
    hours, errors = _hours_of(form)
    try:
        data = service.EventIn.model_validate({
            "name": form.get("name", ""), "code": form["code"], "address": form.get("address", ""),
            "starts_on": _date(form.get("starts_on", "")), "ends_on": _date(form.get("ends_on", "")),
            "timezone": form.get("timezone") or None, "opening_hours": hours})
    except ValidationError as exc:
        errors = {**errors_of(exc), **errors}
        return await run_in_threadpool(_list_page, request, site, form, errors, 422)
    if errors:
        return await run_in_threadpool(_list_page, request, site, form, errors, 422)
    try:
        event = await run_in_threadpool(service.create_mobile_event, db_of(request), actor, site, data)
    except DomainError as exc:
        return await run_in_threadpool(_list_page, request, site, form, _failed(exc), 422)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event.code)}?dibuat=1",
                            status_code=303)


def _event_page(request: Request, site: str, event: str, errors: dict[str, str] | None = None,
                counter_form: dict[str, Any] | None = None, status_code: int = 200,
                template: str = "admin/event.html") -> Response:
    db = db_of(request)
    view = service.event_view(db, request.state.actor, site, event)
    numbers = [c.number for c in view.counters]
    editing = next((c for c in view.counters if str(c.number) == request.query_params.get("ubah", "")), None)
    if counter_form is None and editing is not None:  # the counter form, filled with the counter to change
        counter_form = {"number": str(editing.number), "agency": editing.agency_code, "editing": editing.number,
                        "services": [f"{editing.agency_code}:{code}" for code in editing.services]}
    return render(request, template, status_code=status_code, site=service.get_site(db, site), view=view,
                  ev=view.event, errors=errors or {}, labels=STATUS_LABELS,
                  counter_form=counter_form or {"number": str(max(numbers, default=0) + 1), "agency": "",
                                                "services": []},
                  weekdays=_weekdays(request.state.lang))


@router.get("/kelola/{site}/pelayanan-bergerak/{event}")
async def event_page(request: Request, site: str, event: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(_event_page, request, site, event)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/layanan")
async def event_services(request: Request, site: str, event: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = db_of(request)
    await run_in_threadpool(service.event_view, db, actor, site, event)  # the event is this mall's
    try:
        await run_in_threadpool(service.set_event_services, db, actor, event,
                                [str(v) for v in raw.getlist("services")])
    except DomainError as exc:
        return await run_in_threadpool(_event_page, request, site, event, _failed(exc), None, 422)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}?layanan=1#layanan",
                            status_code=303)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/loket")
async def event_counter(request: Request, site: str, event: str) -> Response:
    return await _save_counter(request, site, event, None)


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/loket/{number}")
async def event_counter_update(request: Request, site: str, event: str, number: int) -> Response:
    return await _save_counter(request, site, event, number)


async def _save_counter(request: Request, site: str, event: str, editing: int | None) -> Response:
    """A new counter at the event, or a change to one (its number, agency and services)."""
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = db_of(request)
    await run_in_threadpool(service.event_view, db, actor, site, event)
    form: dict[str, Any] = {"number": str(raw.get("number", "")).strip(), "agency": str(raw.get("agency", "")),
                            "services": [str(v) for v in raw.getlist("services")], "editing": editing}
    agency = form["agency"]
    # The services ticked under another agency than the chosen one are not this counter's.
    services = [c.split(":", 1)[1] for c in form["services"] if c.split(":", 1)[0] == agency]
    errors: dict[str, str] = {}
    if not agency:
        errors["agency"] = "Pilih instansi pemilik loket."
    elif not services:
        errors["counter_services"] = "Centang minimal satu layanan instansi itu."
    try:
        data = service.CounterIn.model_validate({"number": form["number"] or 0, "agency": agency or "X",
                                                 "services": services})
    except ValidationError:
        errors["number"] = "Nomor loket berupa angka 1 sampai 999."
    if errors:
        return await run_in_threadpool(_event_page, request, site, event, errors, form, 422)
    try:
        if editing is None:
            await run_in_threadpool(service.create_counter, db, actor, event, data)
        else:
            await run_in_threadpool(service.update_counter, db, actor, event, editing, data)
    except DomainError as exc:
        # The counter form's services stand beside it, not beside the event's service choice.
        errors = {("counter_services" if k == "services" else k): v for k, v in _failed(exc).items()}
        return await run_in_threadpool(_event_page, request, site, event, errors, form, 422)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}?loket={data.number}#loket",
                            status_code=303)


@router.get("/kelola/{site}/pelayanan-bergerak/{event}/tutup")
async def event_close_confirm(request: Request, site: str, event: str) -> Response:
    """Closing an event asks first: its kiosk stops issuing tickets."""
    staff_actor(request)
    return await run_in_threadpool(lambda: _event_page(request, site, event, template="admin/event_close.html"))


@router.post("/kelola/{site}/pelayanan-bergerak/{event}/status")
async def event_status(request: Request, site: str, event: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = db_of(request)
    await run_in_threadpool(service.event_view, db, actor, site, event)
    wanted = str(raw.get("status", ""))
    try:
        status = EventStatus(wanted)
        await run_in_threadpool(service.set_event_status, db, actor, event, status)
    except ValueError:
        return await run_in_threadpool(_event_page, request, site, event, {"status": "Status tidak dikenal."},
                                       None, 422)
    except DomainError as exc:
        return await run_in_threadpool(_event_page, request, site, event, _failed(exc), None, 422)
    return RedirectResponse(f"/kelola/{quote(site)}/pelayanan-bergerak/{quote(event)}?status={status.value}",
                            status_code=303)
