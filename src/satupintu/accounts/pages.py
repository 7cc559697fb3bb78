"""Login, logout, the management entry pages (all sites, and each site's home) and the audit log page."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from ..catalogue import service as catalogue
from ..catalogue.agreements import LABELS as AGREEMENT_LABELS
from ..catalogue.agreements import AgreementState
from ..errors import DomainError, NotFound, Unauthenticated, ValidationFailed
from ..roles import DeviceKind, Role
from ..scope import Actor
from ..timeutil import format_local, utcnow
from ..web import security
from ..web.frontdoor import is_https
from ..web.pages import db_of, errors_of, staff_actor
from ..web.ratelimit import DEVICE_COOKIE, AttemptGuard, TooManyRequests, limited, wait_minutes
from ..web.render import register_templates, render
from ..web.security import check_csrf, login_session, logout_session, session_actor
from . import pairing, service

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


def _landing(actor: Actor) -> str:
    """Where a sign-in without an explicit `next` goes: a counter officer to their counter
    ("my counter", /loket), everyone else to management as before."""
    return "/loket" if actor.role is Role.counter_officer else "/kelola"


@router.get("/masuk")
def login_form(request: Request, next: str = "") -> Response:
    return render(request, "login.html", next=_safe_next(next) if next else "", username="")


@router.post("/masuk")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        actor = security.authenticate(request, username, password)
    except TooManyRequests as exc:
        response = render(request, "login.html", status_code=429, next=_safe_next(next) if next else "",
                          username=username, errors={"password": exc.message},
                          locked_minutes=wait_minutes(exc.retry_after))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthenticated as exc:
        return render(request, "login.html", status_code=401, next=_safe_next(next) if next else "", username=username,
                      errors={"password": exc.message})
    login_session(request, actor)
    return RedirectResponse(_safe_next(next) if next else _landing(actor), status_code=303)


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


# ---------------------------------------------------------------- pairing a kiosk or a board

CLAIM_COOKIE = "satupintu_pairing"  # the waiting device's secret; HttpOnly, never shown
PAUSED = ("Terlalu banyak kode yang salah. Tunggu {minutes} menit, lalu periksa kode di layar perangkat "
          "dan coba lagi.")
DEVICE_HOME = {DeviceKind.kiosk: "/kios/{site}", DeviceKind.board: "/papan/{site}"}


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies or is_https(request.scope))


def _hand_over(response: Response, request: Request, state: service.PairingState) -> Response:
    """The device's cookies after a poll: its token once paired (exactly once: the service
    forgets it), and the claim removed once it has nothing more to wait for."""
    if state.token:
        response.set_cookie(DEVICE_COOKIE, state.token, max_age=5 * 365 * 86400, httponly=True, samesite="lax",
                            secure=_secure(request))
    if state.state in ("paired", "delivered", "unknown"):
        response.delete_cookie(CLAIM_COOKIE, httponly=True, samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


def _next_of(state: service.PairingState) -> str | None:
    if state.kind is None or state.site is None:
        return None
    return DEVICE_HOME[state.kind].format(site=quote(state.site))


@router.get("/pasang", dependencies=[limited("pairing_start")])
def pair_device(request: Request, klaim: str = "") -> Response:
    """A kiosk or board that is not yet registered shows a short code here for the manager to
    type on their own screen; the page polls /pasang/status and moves on once paired. With
    `klaim` (a one-time link printed for a device paired in advance, e.g. by the demo) the
    device collects its token at once; a used or unknown link falls back to a fresh code."""
    if klaim:
        state = service.pairing_status(db_of(request), klaim[:100])
        target = _next_of(state)
        if state.state == "paired" and target:
            return _hand_over(RedirectResponse(target, status_code=303), request, state)
    state, claim = service.open_pairing(db_of(request), request.cookies.get(CLAIM_COOKIE))
    target = _next_of(state)
    if state.state == "paired" and target:
        return _hand_over(RedirectResponse(target, status_code=303), request, state)
    assert state.code is not None and state.expires_at is not None  # a waiting pairing has both
    response = render(request, "pasang.html", code=pairing.display(state.code),
                      seconds_left=max(0, int((state.expires_at - utcnow()).total_seconds())),
                      minutes=pairing.PAIRING_MINUTES)
    if claim:
        lasts = timedelta(minutes=pairing.PAIRING_MINUTES) + service.CLAIM_GRACE
        response.set_cookie(CLAIM_COOKIE, claim, max_age=int(lasts.total_seconds()), httponly=True, samesite="lax",
                            secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/pasang/status", dependencies=[limited("pairing_status")])
def pair_status(request: Request) -> Response:
    """The waiting device's poll: {"state": "waiting" | "expired" | "paired" | "delivered" |
    "unknown", "next": where to go once paired}. The token travels only in the HttpOnly cookie."""
    claim = request.cookies.get(CLAIM_COOKIE)
    state = service.pairing_status(db_of(request), claim) if claim else service.PairingState("unknown")
    body: dict[str, object] = {"state": state.state, "next": _next_of(state)}
    if state.state in ("waiting", "expired") and state.expires_at is not None:
        body["seconds_left"] = max(0, int((state.expires_at - utcnow()).total_seconds()))
    return _hand_over(JSONResponse(body), request, state)


def _ago(moment: object, tz: str, lang: str) -> str:
    """'5 menit lalu' within a day, else '23-11-2026 09:05 WIB'; '-' for never."""
    if not isinstance(moment, datetime):
        return "-" if lang == "id" else "never"
    seconds = (utcnow() - moment).total_seconds()
    if seconds < 60:
        return "baru saja" if lang == "id" else "just now"
    if seconds < 3600:
        n = int(seconds // 60)
        return f"{n} menit lalu" if lang == "id" else f"{n} min ago"
    if seconds < 86400:
        n = int(seconds // 3600)
        return f"{n} jam lalu" if lang == "id" else f"{n} h ago"
    return format_local(moment, tz)


def _devices_response(request: Request, actor: Actor, site: str, status_code: int = 200,
                      errors: dict[str, str] | None = None, form: dict[str, object] | None = None,
                      paused_minutes: int | None = None) -> Response:
    view = service.devices_page(db_of(request), actor, site)
    return render(request, "admin/devices.html", status_code=status_code, view=view, site=view.site,
                  errors=errors or {}, paused_minutes=paused_minutes,
                  form=form or {"code": "", "name": "", "kind": "kiosk", "site": view.site.code, "agencies": [],
                                "floor": ""},
                  ago=lambda d: _ago(d.last_seen_at, d.timezone, request.state.lang))


@router.get("/kelola/{site}/perangkat")
def devices(request: Request, site: str) -> Response:
    """Kiosks and boards of a site: pair a new one by its code, rename, revoke, last seen."""
    return _devices_response(request, staff_actor(request), site)


def pairing_guard(request: Request, actor: Actor) -> AttemptGuard:
    """A manager's wrong pairing codes (pairing.MAX_WRONG_ATTEMPTS in WRONG_ATTEMPT_WINDOW),
    shared by the page and the API; counted by the rate limiter, so nothing is written."""
    return AttemptGuard(request, "pairing.wrong_code", str(actor.user_id), pairing.MAX_WRONG_ATTEMPTS,
                        int(pairing.WRONG_ATTEMPT_WINDOW.total_seconds()), PAUSED)


@router.post("/kelola/{site}/perangkat")
def devices_pair(request: Request, site: str, csrf: Annotated[str, Form()], code: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "kiosk",
                 device_site: Annotated[str, Form(alias="site")] = "",
                 agencies: Annotated[list[str] | None, Form()] = None,
                 floor: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    form: dict[str, object] = {"code": code, "name": name, "kind": kind, "site": device_site,
                               "agencies": agencies or [], "floor": floor}
    guard = pairing_guard(request, actor)
    try:
        guard.check()
        device = service.confirm_pairing(db_of(request), actor, site, service.PairingIn.model_validate(form))
    except TooManyRequests as exc:
        response = _devices_response(request, actor, site, 429, {"code": exc.message}, form,
                                     wait_minutes(exc.retry_after))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (ValidationError, ValidationFailed) as exc:
        if isinstance(exc, ValidationFailed) and any(d.code == "wrong_code" for d in exc.details):
            guard.failed()
        return _devices_response(request, actor, site, 422, errors_of(exc), form)
    return RedirectResponse(f"/kelola/{quote(site)}/perangkat?dipasang={quote(device.name)}", status_code=303)


@router.post("/kelola/{site}/perangkat/{device_id}/nama")
def devices_rename(request: Request, site: str, device_id: uuid.UUID, csrf: Annotated[str, Form()],
                   name: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    try:
        service.rename_device(db_of(request), actor, device_id, name)
    except ValidationFailed as exc:
        return _devices_response(request, actor, site, 422, {f"name-{device_id}": exc.details[0].message})
    return RedirectResponse(f"/kelola/{quote(site)}/perangkat?diubah=1", status_code=303)


@router.get("/kelola/{site}/perangkat/{device_id}/cabut")
def devices_revoke_confirm(request: Request, site: str, device_id: uuid.UUID) -> Response:
    """Revoking asks first: the screen stops working at once and must be paired again."""
    actor = staff_actor(request)
    view = service.devices_page(db_of(request), actor, site)
    device = next((d for d in view.devices if d.id == device_id), None)
    if device is None:
        raise NotFound("Perangkat", "device")
    return render(request, "admin/device_revoke.html", site=view.site, device=device)


@router.post("/kelola/{site}/perangkat/{device_id}/cabut")
def devices_revoke(request: Request, site: str, device_id: uuid.UUID, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    service.revoke_device(db_of(request), staff_actor(request), device_id)
    return RedirectResponse(f"/kelola/{quote(site)}/perangkat?dicabut=1", status_code=303)
