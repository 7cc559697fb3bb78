"""The users page /kelola/{site}/pengguna: create, deactivate and reactivate accounts, reset a
password, link a login to the officer record of the roster.

It lives in staffing because it joins accounts with the roster's officers, and staffing already
reaches accounts through accounts.service (the other way would make a cycle). A one-time
password is rendered once in the response to the POST that made it (no-store), never stored."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..accounts import service as accounts
from ..catalogue import service as catalogue
from ..errors import DomainError
from ..web.pages import errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service

router = APIRouter(include_in_schema=False)
FIELDS = ("username", "full_name", "role", "agency", "site", "password")


def _page(request: Request, site: str, *, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          shown: dict[str, str] | None = None, status_code: int = 200) -> Response:
    db = request.app.state.db
    view = service.accounts_page(db, request.state.actor, site)
    response = render(request, "staffing/users.html", status_code=status_code, site=catalogue.get_site(db, site),
                      view=view, form=form or {"site": site, "role": "counter_officer"}, errors=errors or {},
                      shown=shown)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/kelola/{site}/pengguna")
async def users_page(request: Request, site: str) -> Response:
    staff_actor(request)
    return await run_in_threadpool(lambda: _page(request, site))


def _failed(exc: Exception) -> dict[str, str]:
    if isinstance(exc, DomainError) and (exc.status in (401, 403) or exc.field == "site" and exc.status == 404):
        raise exc
    assert isinstance(exc, (ValidationError, DomainError))
    return errors_of(exc)


@router.post("/kelola/{site}/pengguna")
async def user_create(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    form = {k: str(raw.get(k, "")).strip() for k in FIELDS}
    try:
        data = accounts.AccountIn.model_validate({**form, "agency": form["agency"] or None,
                                                  "site": form["site"] or site})
        user, made = await run_in_threadpool(accounts.open_account, request.app.state.db, actor, data)
    except (ValidationError, DomainError) as exc:
        form["password"] = ""
        errors = _failed(exc)
        return await run_in_threadpool(lambda: _page(request, site, form=form, errors=errors, status_code=422))
    shown = {"username": user.username, "password": made or "", "what": "created"}
    return await run_in_threadpool(lambda: _page(request, site, shown=shown))


@router.get("/kelola/{site}/pengguna/{user_id}/{action}")
async def user_confirm(request: Request, site: str, user_id: uuid.UUID, action: str) -> Response:
    """Deactivation, reactivation and a password reset ask first."""
    actor = staff_actor(request)
    if action not in ("nonaktifkan", "aktifkan", "sandi"):
        return RedirectResponse(f"/kelola/{site}/pengguna", status_code=303)
    view = await run_in_threadpool(service.accounts_page, request.app.state.db, actor, site)
    user = next((u for u in view.users.accounts if u.id == user_id), None)
    if user is None:
        return RedirectResponse(f"/kelola/{site}/pengguna", status_code=303)
    return render(request, "staffing/user_confirm.html", site=catalogue.get_site(request.app.state.db, site),
                  user=user, action=action, errors={})


@router.post("/kelola/{site}/pengguna/{user_id}/{action}")
async def user_act(request: Request, site: str, user_id: uuid.UUID, action: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    db = request.app.state.db
    try:
        if action in ("nonaktifkan", "aktifkan"):
            out = await run_in_threadpool(accounts.set_active, db, actor, user_id, action == "aktifkan")
            return RedirectResponse(f"/kelola/{site}/pengguna?{action}={out.username}", status_code=303)
        if action == "sandi":
            made = await run_in_threadpool(accounts.reset_password, db, actor, user_id,
                                           str(raw.get("password", "")))
            name = next((u.username for u in accounts.list_users(db, actor, site) if u.id == user_id), "")
            return await run_in_threadpool(lambda: _page(request, site, shown={
                "username": name, "password": made or "", "what": "reset"}))
        if action == "petugas":
            officer = str(raw.get("officer", ""))
            await run_in_threadpool(service.link_login, db, actor, site, user_id,
                                    uuid.UUID(officer) if officer else None)
            return RedirectResponse(f"/kelola/{site}/pengguna?terhubung=1", status_code=303)
    except (ValueError, DomainError) as exc:
        if isinstance(exc, DomainError):
            errors = {f"{k}-{user_id}": v for k, v in _failed(exc).items()}
        else:
            errors = {f"officer-{user_id}": "Pilih petugas dari daftar."}
        if action == "sandi":
            view = await run_in_threadpool(service.accounts_page, db, actor, site)
            user = next(u for u in view.users.accounts if u.id == user_id)
            return render(request, "staffing/user_confirm.html", status_code=422,
                          site=catalogue.get_site(db, site), user=user, action=action,
                          errors={"password": next(iter(errors.values()))})
        return await run_in_threadpool(lambda: _page(request, site, errors=errors, status_code=422))
    return RedirectResponse(f"/kelola/{site}/pengguna", status_code=303)
