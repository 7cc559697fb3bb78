"""Login, logout, the management entry pages (all sites, and each site's home) and the audit log page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..catalogue import service as catalogue
from ..catalogue.agreements import LABELS as AGREEMENT_LABELS
from ..catalogue.agreements import AgreementState
from ..errors import DomainError, Unauthenticated
from ..web import security
from ..web.pages import db_of, errors_of, staff_actor
from ..web.ratelimit import TooManyRequests, wait_minutes
from ..web.render import register_templates, render
from ..web.security import check_csrf, login_session, logout_session, session_actor
from . import service

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this server after login."""
    if not target:
        return "/kelola"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/kelola"
    return target


@router.get("/masuk")
def login_form(request: Request, next: str = "") -> Response:
    return render(request, "login.html", next=_safe_next(next), username="")


@router.post("/masuk")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        actor = security.authenticate(request, username, password)
    except TooManyRequests as exc:
        response = render(request, "login.html", status_code=429, next=_safe_next(next), username=username,
                          errors={"password": exc.message}, locked_minutes=wait_minutes(exc.retry_after))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthenticated as exc:
        return render(request, "login.html", status_code=401, next=_safe_next(next), username=username,
                      errors={"password": exc.message})
    login_session(request, actor)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/keluar")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    """Signing out ends this user's sessions and tokens everywhere, not only this cookie."""
    check_csrf(request, csrf)
    logout_session(request)
    return RedirectResponse("/", status_code=303)


@router.get("/kelola/sandi")
def password_form(request: Request) -> Response:
    staff_actor(request)
    return render(request, "password.html")


@router.post("/kelola/sandi")
def password_change(request: Request, csrf: Annotated[str, Form()], current_password: Annotated[str, Form()] = "",
                    new_password: Annotated[str, Form()] = "",
                    new_password_again: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    if new_password != new_password_again:
        return render(request, "password.html", status_code=422,
                      errors={"new_password_again": "Ulangi kata sandi baru yang sama persis."})
    try:
        changed = security.change_password(request, actor, current_password, new_password)
    except TooManyRequests as exc:
        response = render(request, "password.html", status_code=429, locked_minutes=wait_minutes(exc.retry_after),
                          errors={"current_password": exc.message})
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        return render(request, "password.html", status_code=422, errors=errors_of(exc))
    login_session(request, changed)  # this browser stays signed in; every other session ends
    request.state.actor = changed
    return render(request, "password.html", done=True)


@router.get("/kelola")
def manage(request: Request) -> Response:
    actor = session_actor(request)
    if actor is None:
        return RedirectResponse("/masuk?next=/kelola", status_code=303)
    db = db_of(request)
    for site in catalogue.list_sites(db):
        if site.id == actor.site_id:
            return RedirectResponse(f"/kelola/{site.code}", status_code=303)
    request.state.actor = actor
    return render(request, "sites.html", sites=catalogue.list_sites(db), manage=True)


@router.get("/kelola/{site}")
def dashboard(request: Request, site: str) -> Response:
    """A site's management home: its catalogue at a glance, its staff accounts, the agreements
    that need attention, and the way to every management page."""
    actor = staff_actor(request)
    db = db_of(request)
    site_view = catalogue.get_site(db, site)
    warnings = catalogue.agreement_warnings(db, actor, site)
    all_services = catalogue.list_services(db, site, actor=actor, include_unpublished=True)
    return render(request, "admin/dashboard.html", site=site_view, warnings=warnings, services=all_services,
                  counters=catalogue.list_counters(db, site), users=service.list_users(db, actor, site),
                  agreement_labels={s.value: AGREEMENT_LABELS[s] for s in AgreementState})


@router.get("/kelola/{site}/audit")
def audit_page(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    return render(request, "admin/audit.html", site=catalogue.get_site(db, site),
                  entries=service.audit_log(db, actor, site))
