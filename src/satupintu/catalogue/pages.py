"""Public catalogue pages (Indonesian by default) and the catalogue management pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..errors import DomainError, NotFound, ValidationFailed
from ..timeutil import to_local, utcnow
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import register_templates, render
from ..web.security import check_csrf, session_actor
from . import service, spreadsheet, transfer
from .agreements import LABELS as AGREEMENT_LABELS
from .agreements import AgreementState
from .hours import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID, WEEKDAYS
from .models import SiteKind
from .schemas import CounterIn, ServiceIn
from .standard import COMPONENTS, format_rupiah, format_time

router = APIRouter(include_in_schema=False)
# The catalogue's pages, and the Standar Pelayanan helpers its templates call.
register_templates(Path(__file__).parent / "templates", format_rupiah=format_rupiah, format_time=format_time,
                   COMPONENTS=COMPONENTS)


def _weekday_names(lang: str) -> dict[str, str]:
    names = WEEKDAY_NAMES_ID if lang == "id" else WEEKDAY_NAMES_EN
    return dict(zip(WEEKDAYS, names, strict=True))


@router.get("/")
def home(request: Request) -> Response:
    sites = [s for s in service.list_sites(db_of(request)) if s.kind is SiteKind.permanent]
    if len(sites) == 1:
        return RedirectResponse(f"/mpp/{sites[0].code}", status_code=303)
    return RedirectResponse("/mpp", status_code=303)


@router.get("/mpp")
def sites_page(request: Request) -> Response:
    request.state.actor = session_actor(request)
    return render(request, "sites.html", sites=service.list_sites(db_of(request)))


@router.get("/mpp/{site}")
def site_page(request: Request, site: str) -> Response:
    request.state.actor = session_actor(request)
    db = db_of(request)
    site_view = service.get_site(db, site)
    events = [s for s in service.list_sites(db) if s.parent_site == site_view.code]
    today = to_local(utcnow(), site_view.timezone).date()
    upcoming = [c for c in site_view.closed_dates if c.date >= today][:5]
    return render(request, "site.html", site=site_view, agencies=service.list_agencies(db, site),
                  events=events, closures=upcoming, weekday_names=_weekday_names(request.state.lang),
                  booths=service.booths_today(db, site))


@router.get("/mpp/{site}/layanan")
def services_page(request: Request, site: str, q: str = "", instansi: str = "") -> Response:
    request.state.actor = session_actor(request)
    db = db_of(request)
    q = q[:200]
    site_view = service.get_site(db, site)
    results = service.list_services(db, site, q or None, instansi or None)
    return render(request, "services.html", site=site_view, services=results, q=q, instansi=instansi,
                  agencies=service.list_agencies(db, site))


@router.get("/mpp/{site}/layanan/{code}")
def service_page(request: Request, site: str, code: str) -> Response:
    actor = request.state.actor = session_actor(request)
    db = db_of(request)
    return render(request, "service.html", site=service.get_site(db, site),
                  svc=service.get_service(db, site, code, actor), served_at=service.served_at(db, site, code))


@router.get("/mpp/{site}/instansi/{code}")
def agency_page(request: Request, site: str, code: str) -> Response:
    actor = request.state.actor = session_actor(request)
    db = db_of(request)
    return render(request, "agency.html", site=service.get_site(db, site),
                  agency=service.get_agency(db, site, code, actor),
                  services=service.list_services(db, site, None, code),
                  agreement_labels={s.value: AGREEMENT_LABELS[s] for s in AgreementState})


# ---------------------------------------------------------------- management
# (The site's management home, /kelola/{site}, is the accounts pages': it also lists the site's users.)


@router.get("/kelola/{site}/katalog")
def catalogue_page(request: Request, site: str) -> Response:
    staff_actor(request)
    return render(request, "admin/catalogue.html", site=service.get_site(db_of(request), site))


@router.post("/kelola/{site}/katalog/impor")
async def catalogue_import(request: Request, site: str, csrf: Annotated[str, Form()],
                           file: Annotated[UploadFile, File()]) -> Response:
    actor = await run_in_threadpool(staff_actor, request)
    check_csrf(request, csrf)
    db = db_of(request)
    site_view = await run_in_threadpool(service.get_site, db, site)
    data = await file.read(spreadsheet.MAX_BYTES + 1)
    try:
        # Parsing a large workbook is slow: keep it off the event loop.
        result = await run_in_threadpool(transfer.import_catalogue, db, actor, site, data, file.filename or "")
    except ValidationFailed as exc:
        return render(request, "admin/catalogue.html", status_code=422, site=site_view, failure=exc,
                      filename=file.filename)
    return render(request, "admin/catalogue.html", site=site_view, result=result, filename=file.filename)


@router.get("/kelola/{site}/katalog.{fmt}")
def catalogue_export(request: Request, site: str, fmt: str) -> Response:
    actor = staff_actor(request)
    from .api import MEDIA

    if fmt not in MEDIA:
        raise NotFound("Format ekspor", "fmt")
    body = transfer.export_catalogue(db_of(request), actor, site, fmt)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="katalog-{site}.{fmt}"'})


LIST_FIELDS = ("requirements", "procedure", "keywords")


@router.get("/kelola/{site}/layanan/{code}")
def service_edit(request: Request, site: str, code: str) -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    svc = service.get_service(db, site, code, actor)
    form = svc.model_dump(mode="json")
    form["agency"] = svc.agency_code
    for key in LIST_FIELDS:
        form[key] = "\n".join(form[key])
    return render(request, "admin/service_edit.html", site=service.get_site(db, site), svc=svc, form=form,
                  agencies=service.list_agencies(db, site))


@router.post("/kelola/{site}/layanan/{code}")
async def service_save(request: Request, site: str, code: str) -> Response:
    raw = dict(await request.form())
    return await run_in_threadpool(_service_save, request, site, code, raw)


def _service_save(request: Request, site: str, code: str, raw: dict[str, Any]) -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    check_csrf(request, str(raw.pop("csrf", "")))
    form = {k: str(v) for k, v in raw.items()}
    data: dict[str, object] = dict(form)
    for key in LIST_FIELDS:
        data[key] = [line.strip() for line in form.get(key, "").splitlines() if line.strip()]
    for key in ("time_value", "fee"):
        data[key] = form.get(key) or None
    data["time_unit"] = form.get("time_unit") or None
    errors: dict[str, str] = {}
    try:
        service.update_service(db, actor, site, code, ServiceIn.model_validate(data))
    except ValidationError as exc:
        for e in exc.errors():
            errors.setdefault(str(e["loc"][0]), "Isian tidak valid: " + e["msg"])
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            raise
        for d in exc.details or []:
            errors.setdefault(d.field, d.message)
        if not exc.details:
            errors[exc.field or "_"] = exc.message
    if errors:
        svc = service.get_service(db, site, code, actor)
        return render(request, "admin/service_edit.html", status_code=422, site=service.get_site(db, site),
                      svc=svc, form=form, errors=errors, agencies=service.list_agencies(db, site))
    new_code = form.get("code", code).upper()
    return RedirectResponse(f"/kelola/{site}/layanan/{new_code}?saved=1", status_code=303)


# ---------------------------------------------------------------- counters (loket)

COUNTER_FIELDS = ("number", "name", "agency", "floor", "location", "status")


def _counters_view(request: Request, site: str, template: str, status_code: int = 200, **extra: Any) -> Response:
    actor = request.state.actor
    db = db_of(request)
    return render(request, template, status_code=status_code, site=service.get_site(db, site),
                  choices=service.counter_choices(db, actor, site), **extra)


@router.get("/kelola/{site}/loket")
def counters_page(request: Request, site: str) -> Response:
    """The site's counters: number, agency, services, floor and location, status."""
    actor = staff_actor(request)
    db = db_of(request)
    choices = service.counter_choices(db, actor, site)  # checks the manager's scope
    names = {svc.code: svc.name for _, services in choices for svc in services}
    return render(request, "admin/counters.html", site=service.get_site(db, site),
                  counters=service.list_counters(db, site), names=names, saved=request.query_params.get("disimpan"))


@router.get("/kelola/{site}/loket/baru")
def counter_new(request: Request, site: str) -> Response:
    staff_actor(request)
    taken = {c.number for c in service.list_counters(db_of(request), site)}
    number = next(n for n in range(1, 1000) if n not in taken)
    form = {"number": str(number), "status": "open", "services": []}
    return _counters_view(request, site, "admin/counter_form.html", form=form, errors={}, editing=None)


@router.get("/kelola/{site}/loket/{number:int}")
def counter_edit(request: Request, site: str, number: int) -> Response:
    actor = staff_actor(request)
    current = service.get_counter(db_of(request), actor, site, number)
    form: dict[str, Any] = {k: str(getattr(current, k).value if k == "status" else getattr(current, k))
                            for k in COUNTER_FIELDS if k != "agency"}
    form.update(agency=current.agency_code, services=current.services)
    return _counters_view(request, site, "admin/counter_form.html", form=form, errors={}, editing=number)


@router.post("/kelola/{site}/loket/baru")
async def counter_create(request: Request, site: str) -> Response:
    raw = await request.form()
    return await run_in_threadpool(_counter_save, request, site, None, raw)


@router.post("/kelola/{site}/loket/{number:int}")
async def counter_update(request: Request, site: str, number: int) -> Response:
    raw = await request.form()
    return await run_in_threadpool(_counter_save, request, site, number, raw)


def _counter_save(request: Request, site: str, number: int | None, raw: Any) -> Response:
    """Save a counter: every refused field is shown beside it and nothing is written."""
    actor = staff_actor(request)
    check_csrf(request, str(raw.get("csrf", "")))
    form: dict[str, Any] = {k: str(raw.get(k, "")).strip() for k in COUNTER_FIELDS}
    form["services"] = [str(v) for v in raw.getlist("services")]
    errors: dict[str, str] = {}
    if not form["number"].isdigit():
        errors["number"] = "Nomor loket harus angka 1-999."
    try:
        data = CounterIn.model_validate({**form, "number": int(form["number"]) if form["number"].isdigit() else 0})
    except ValidationError as exc:
        for e in exc.errors():
            key = str(e["loc"][0]) if e["loc"] else "_"
            errors.setdefault(key, COUNTER_MESSAGES.get(key, "Isian tidak valid."))
    if not errors:
        try:
            if number is None:
                service.create_counter(db_of(request), actor, site, data)
            else:
                service.update_counter(db_of(request), actor, site, number, data)
        except DomainError as exc:
            if exc.status in (401, 403) or exc.field == "site":
                raise
            errors = errors_of(exc)
    if errors:
        return _counters_view(request, site, "admin/counter_form.html", status_code=422, form=form, errors=errors,
                              editing=number)
    return RedirectResponse(f"/kelola/{site}/loket?disimpan={data.number}", status_code=303)


COUNTER_MESSAGES = {
    "number": "Nomor loket harus angka 1-999.",
    "name": "Nama loket paling panjang 100 huruf.",
    "agency": "Pilih instansi pemilik loket.",
    "floor": "Lantai paling panjang 40 huruf.",
    "location": "Letak paling panjang 120 huruf.",
    "status": "Pilih status loket.",
    "services": "Pilihan layanan tidak valid.",
}
