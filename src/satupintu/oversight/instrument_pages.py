"""The readiness instrument page (`/nasional/instrumen`): the national overseer edits the aspects,
indicators, weights, scoring bands and evidence required, each problem shown beside its field,
and saves them as a new version; any other staff member reads the current version."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import DomainError, FieldError, Forbidden, ValidationFailed
from ..web.pages import db_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import instrument_form as form
from . import instrument_service
from .readiness import MEASURES, SCALE_MAX, Instrument

router = APIRouter(include_in_schema=False)


def _page(request: Request, *, rows: list[form.AspectRow] | None = None, errors: dict[str, str] | None = None,
          status_code: int = 200, done: str = "", name: str | None = None, note: str = "",
          base_version: int | None = None) -> Response:
    view = instrument_service.current(db_of(request), request.state.actor)
    return render(request, "oversight/instrument.html", status_code=status_code, view=view,
                  rows=rows if rows is not None else form.rows_of(view.instrument.as_dict()),
                  errors=errors or {}, done=done, instrument_name=view.instrument.name if name is None else name,
                  note=note,
                  base_version=view.version if base_version is None else base_version, measures=MEASURES,
                  scale=range(1, SCALE_MAX + 1), bands_text=form.bands_text, evidence_text=form.evidence_text)


@router.get("/nasional/instrumen")
def instrument_page(request: Request, done: str = "") -> Response:
    staff_actor(request)
    return _page(request, done=done[:20])


@router.post("/nasional/instrumen")
async def instrument_save(request: Request) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    if not actor.is_overseer:  # before reading the form: a manager hears no more than "not yours"
        raise Forbidden("Hanya pengawas nasional yang dapat mengubah instrumen penilaian.")
    pairs = [(k, str(v)) for k, v in raw.multi_items() if k != "csrf"]
    parsed = form.parse(pairs)
    note = str(raw.get("note", ""))
    base = str(raw.get("base_version", ""))
    base_version = int(base) if base.isdigit() else None

    def again(errors: dict[str, str], status: int) -> Response:
        return _page(request, rows=form.rows_posted(pairs), errors=errors, status_code=status,
                     name=str(raw.get("name", "")), note=note, base_version=base_version)

    def run() -> Response:
        try:
            if parsed.errors:  # the boxes that could not be read, with whatever else the instrument lacks
                try:
                    Instrument.from_dict(parsed.data)
                    found: list[FieldError] = []
                except ValidationFailed as exc:
                    found = exc.details
                return again(form.page_errors(found, parsed), 422)
            version = instrument_service.save(db_of(request), actor, parsed.data, base_version=base_version,
                                              note=note).version
        except ValidationFailed as exc:
            if exc.field == "note":
                return again({"note": exc.message}, 422)
            return again(form.page_errors(exc.details, parsed), 422)
        except DomainError as exc:
            if exc.status != 409:
                raise
            return again({"_": exc.message}, 409)
        return RedirectResponse(f"/nasional/instrumen?done=v{version}", status_code=303)

    return await run_in_threadpool(run)
