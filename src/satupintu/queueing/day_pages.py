"""The manager's day page, /kelola/{site}/hari: whether the queue is open today, its hours,
cut-off and when the day closes itself; the site's cut-off and grace; closing early with a
reason; and the days closed so far."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..timeutil import format_local, zone_label
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import day

router = APIRouter(include_in_schema=False)


def _page(request: Request, site: str, status_code: int = 200, errors: dict[str, str] | None = None,
          form: dict[str, Any] | None = None, notice: str = "") -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    overview = day.day_overview(db, actor, site)
    values = {"issue_cutoff_minutes": overview.issue_cutoff_minutes,
              "close_grace_minutes": overview.close_grace_minutes, "reason": ""}
    values.update(form or {})
    return render(request, "queue/day.html", status_code=status_code, site=catalogue.get_site(db, site),
                  day=overview, errors=errors or {}, form=values, notice=notice,
                  zone=zone_label(overview.timezone), when=lambda m: format_local(m, overview.timezone))


@router.get("/kelola/{site}/hari")
def day_page(request: Request, site: str, selesai: str = "") -> Response:
    return _page(request, site, notice=selesai if selesai in ("pengaturan", "tutup") else "")


@router.post("/kelola/{site}/hari/pengaturan")
def day_settings(request: Request, site: str, csrf: Annotated[str, Form()],
                 issue_cutoff_minutes: Annotated[str, Form()] = "",
                 close_grace_minutes: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    db = db_of(request)
    try:
        catalogue.set_day_settings(db, actor, site, issue_cutoff_minutes, close_grace_minutes)
    except DomainError as exc:
        return _page(request, site, 422, errors_of(exc), {"issue_cutoff_minutes": issue_cutoff_minutes,
                                                         "close_grace_minutes": close_grace_minutes})
    from . import lookup

    lookup.clear(db)
    return RedirectResponse(f"/kelola/{site}/hari?selesai=pengaturan", status_code=303)


@router.post("/kelola/{site}/hari/tutup")
def close_early(request: Request, site: str, csrf: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
                on_date: Annotated[str, Form(alias="date")] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    db = db_of(request)
    text = reason.strip()
    if len(text) < 5:
        return _page(request, site, 422, {"reason": "Tulis alasan penutupan (paling sedikit 5 huruf), "
                                                    "misalnya: listrik padam."}, {"reason": reason})
    if len(text) > 200:
        return _page(request, site, 422, {"reason": "Alasan paling panjang 200 huruf."}, {"reason": reason})
    try:
        day_to_close = date.fromisoformat(on_date) if on_date else day.day_overview(db, actor, site).today
        day.close_day(db, actor, site, day_to_close, text)
    except ValueError:
        return _page(request, site, 422, {"reason": "Tanggal tidak valid."}, {"reason": reason})
    except DomainError as exc:
        if exc.code != "day_already_closed":
            raise
        return _page(request, site, 409, {"reason": exc.message}, {"reason": reason})
    return RedirectResponse(f"/kelola/{site}/hari?selesai=tutup", status_code=303)
