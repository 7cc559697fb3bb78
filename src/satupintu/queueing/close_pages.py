"""Closing a counter, /loket/{site}/{number}/tutup: the officer picks a reason; when the counter
is the last open one of a service with people waiting the page shows what waits and which
closed counters could cover, and a supervisor may confirm on this screen with their username
and password (verified under the login backoff) and a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import DomainError, Unauthenticated
from ..web.pages import db_of, staff_actor
from ..web.ratelimit import TooManyRequests
from ..web.render import render
from ..web.security import authenticate, check_csrf
from . import service
from .closeguard import CLOSE_REASONS, LastOpenCounter

router = APIRouter(include_in_schema=False)


def _page(request: Request, site: str, number: int, status_code: int = 200, errors: dict[str, str] | None = None,
          form: dict[str, Any] | None = None, refusal: LastOpenCounter | None = None) -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    state = service.counter_status(db, actor, site, number)
    if refusal is None:
        refusal = service.close_refusal(db, actor, site, number)
    values = {"reason": "", "other": "", "supervisor": "", "confirm_reason": ""}
    values.update(form or {})
    return render(request, "queue/close.html", status_code=status_code, site=site, number=number, counter=state,
                  reasons=CLOSE_REASONS, errors=errors or {}, form=values, refusal=refusal)


@router.get("/loket/{site}/{number}/tutup")
def close_form(request: Request, site: str, number: int) -> Response:
    return _page(request, site, number)


@router.post("/loket/{site}/{number}/tutup")
def close_submit(request: Request, site: str, number: int, csrf: Annotated[str, Form()],
                 reason: Annotated[str, Form()] = "", other: Annotated[str, Form()] = "",
                 supervisor: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                 confirm_reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    db = db_of(request)
    form = {"reason": reason, "other": other, "supervisor": supervisor, "confirm_reason": confirm_reason}
    if reason not in CLOSE_REASONS:
        return _page(request, site, number, 422, {"reason": "Pilih alasan menutup loket."}, form)
    text = CLOSE_REASONS[reason] if reason != "lainnya" else other.strip()
    if reason == "lainnya" and len(text) < 3:
        return _page(request, site, number, 422, {"other": "Tulis alasan lain (paling sedikit 3 huruf)."}, form)
    if reason == "lainnya":
        text = f"Lainnya: {text}"[:200]
    signer = None
    if supervisor.strip():
        if not confirm_reason.strip():
            return _page(request, site, number, 422, {"confirm_reason": "Penyelia menulis alasan konfirmasi."}, form)
        try:
            signer = authenticate(request, supervisor, password)
        except TooManyRequests as exc:
            return _page(request, site, number, 429, {"password": exc.message}, form)
        except Unauthenticated as exc:
            return _page(request, site, number, 401, {"password": exc.message}, form)
    try:
        service.close_counter(db, actor, site, number, text, supervisor=signer,
                              confirm_reason=confirm_reason[:300])
    except LastOpenCounter as refusal:
        return _page(request, site, number, 409, form=form, refusal=refusal)
    except DomainError as exc:
        field = "supervisor" if exc.status == 403 else "reason"
        return _page(request, site, number, exc.status, {field: exc.message}, form)
    if actor.role is not None and actor.role.value == "site_manager":
        return RedirectResponse(f"/kelola/{site}/antrian", status_code=303)
    return RedirectResponse(f"/loket/{site}/{number}", status_code=303)
