"""Who is asking: a session cookie (pages), a bearer token (API) or a device token.

Forms carry a CSRF token tied to the session; API calls made with the session cookie must
send it in the X-CSRF-Token header. Bearer-token calls need none (no ambient credential).
"""

from __future__ import annotations

import hmac
import inspect
import secrets
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..cache import require_io
from ..errors import DomainError, Forbidden, Unauthenticated, ValidationFailed
from ..roles import Role
from ..scope import Actor, SiteRef, can_manage_agency, can_manage_site, can_read_site
from .providers import api_keys_of, credentials_of, site_lookup_of
from .ratelimit import LoginGuard, TooManyRequests, limiter_of, settings_of, tiers

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfError(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__("csrf_failed", "Sesi formulir tidak sah atau kedaluwarsa. Muat ulang halaman lalu coba lagi.")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError()


def session_actor(request: Request) -> Actor | None:
    """The signed-in user of a page session. The signed cookie names the user and the
    credentials epoch it was issued under; a logout, password change or deactivation since
    (on any app process) ends it, however long the cookie itself would still be valid."""
    raw, epoch = request.session.get("uid"), request.session.get("ep")
    if not raw:
        return None
    actor = None
    if isinstance(epoch, int):  # sessions from before epochs existed are ended
        actor = credentials_of(request).actor_for_session(uuid.UUID(raw), epoch)
    if actor is None:
        request.session.clear()
    return actor


def login_session(request: Request, actor: Actor) -> None:
    request.session.clear()  # a fresh session on login: no fixation
    request.session["uid"] = str(actor.user_id)
    request.session["ep"] = actor.epoch
    csrf_token(request)


def logout_session(request: Request) -> None:
    """End the signed-in user's sessions and tokens everywhere, and this browser's session."""
    actor = session_actor(request)
    if actor is not None:
        credentials_of(request).logout(actor)
    request.session.clear()


def authenticate(request: Request, username: str, password: str) -> Actor:
    """A sign-in under the login backoff: refused (TooManyRequests) while the username or the
    client address has too many recent failures, before the password is even verified."""
    guard = LoginGuard(request, username)
    guard.check()
    try:
        actor = credentials_of(request).authenticate(username, password)
    except Unauthenticated:
        guard.failed()
        raise
    guard.succeeded()
    return actor


def change_password(request: Request, actor: Actor, current: str, new: str) -> Actor:
    """The signed-in user's password change; a wrong current password counts as a failed
    sign-in, so a stolen session cannot be used to guess it."""
    guard = LoginGuard(request, actor.username)
    guard.check()
    try:
        return credentials_of(request).change_password(actor, current, new)
    except ValidationFailed as exc:
        if exc.field == "current_password":
            guard.failed()
        raise


class ScopeMissing(DomainError):
    status = 403

    def __init__(self, message: str) -> None:
        super().__init__("scope_missing", message)


def _presented_key(request: Request) -> str | None:
    """A client system's API key: `Authorization: Bearer sp_...` or `X-API-Key: sp_...`."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip().startswith("sp_"):
        return header[7:].strip()
    return request.headers.get("x-api-key") or None


def key_actor(request: Request, key: str) -> Actor:
    """The client system behind an API key, allowed on this route: its key is valid (else 401),
    the route is in the key scope table and the key holds that scope (else 403 scope_missing),
    and the key is within its requests per minute (else 429 with Retry-After). Each request is
    counted and recorded once, however many dependencies ask."""
    done = getattr(request.state, "key_actor", None)
    if done is not None:
        return done
    keys = api_keys_of(request)
    if keys is None:
        raise Unauthenticated("Kunci API tidak dikenali oleh layanan ini.")
    actor = keys.actor_for_key(key)
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    refusal = keys.scope_refusal(actor, request.method, path)
    if refusal is not None:
        raise ScopeMissing(refusal)
    settings = settings_of(request)
    limiter = limiter_of(request)
    # Everything that may reach Redis or the database comes after this point, so a cache-only
    # run (cache.without_thread) moves to a worker thread before anything was counted.
    if keys.needs_io(actor, request.method) or (settings.rate_limiting and limiter.storage_name == "redis"):
        require_io()
    assert actor.key is not None
    if settings.rate_limiting:
        wait = limiter.take(tiers(f"{actor.key.rate_per_minute}/minute"), "apikey", str(actor.key.key_id))
        if wait is not None:
            raise TooManyRequests(wait, "Batas permintaan kunci API ini per menit sudah tercapai. "
                                        "Tunggu sebentar lalu coba lagi.")
    keys.record_use(actor, request.method, path)
    request.state.key_actor = actor
    return actor


def api_actor(request: Request) -> Actor | None:
    """The caller of a JSON route, if any."""
    key = _presented_key(request)
    if key is not None:
        return key_actor(request, key)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return credentials_of(request).actor_for_api_token(header[7:].strip())
    actor = session_actor(request)
    if actor is not None and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return actor


# Dependencies that establish who is calling (and may refuse with 401 or 403). FastAPI resolves
# them before it validates the body, but it parses the body (JSON, forms) before them: when that
# parsing fails, the error handlers call them first (authenticate_first), so a caller without
# rights hears 401/403 and not what is wrong with the body.
_AUTHENTICATING: set[Callable[..., Any]] = set()


def authenticating(fn: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """Mark a dependency (taking only the request) as one that authenticates the caller."""
    _AUTHENTICATING.add(fn)
    return fn


def site_scope(request: Request, code: str) -> SiteRef:
    """The site of a route's {site} (the catalogue's lookup, cached briefly like its other facts)."""
    return site_lookup_of(request)(code)


@authenticating
def require_api_actor(request: Request) -> Actor:
    """A signed-in caller. On routes under /sites/{site} also one of that site's staff (or of the
    mall running that mobile event, or an overseer): every use case there demands at least that,
    so it is checked here, before the body, for every such route alike."""
    actor = api_actor(request)
    if actor is None:
        raise Unauthenticated()
    code = request.path_params.get("site")
    if code is not None and not actor.is_overseer and not can_read_site(actor, site_scope(request, code)):
        raise Forbidden()
    return actor


@authenticating
def require_site_manager(request: Request) -> Actor:
    """Routes only a site manager (of the route's {site}, or any when it has none) or an overseer may use."""
    actor = require_api_actor(request)
    code = request.path_params.get("site")
    allowed = (can_manage_site(actor, site_scope(request, code)) if code is not None
               else actor.is_overseer or actor.role is Role.site_manager)
    if not allowed:
        raise Forbidden()
    return actor


@authenticating
def require_agency_manager(request: Request) -> Actor:
    """Routes for an agency's services and officers: its agency admin, the site manager or an
    overseer. Which agency is the use case's to check; here only that the caller manages one."""
    actor = require_api_actor(request)
    code = request.path_params.get("site")
    allowed = (can_manage_agency(actor, site_scope(request, code), actor.agency_id) if code is not None
               else actor.is_overseer or actor.role in (Role.site_manager, Role.agency_admin))
    if not allowed or (actor.role is Role.agency_admin and actor.agency_id is None):
        raise Forbidden()
    return actor


@authenticating
def require_overseer(request: Request) -> Actor:
    """Routes only the national overseer may use."""
    actor = require_api_actor(request)
    if not actor.is_overseer:
        raise Forbidden("Hanya pengawas nasional yang berwenang atas ini.")
    return actor


def optional_api_actor(request: Request) -> Actor | None:
    return api_actor(request)


def _authenticating_calls(dependant: Any) -> list[Callable[..., Any]]:
    calls: list[Callable[..., Any]] = []
    for sub in getattr(dependant, "dependencies", ()):
        if sub.call in _AUTHENTICATING:
            calls.append(sub.call)
        else:
            calls.extend(_authenticating_calls(sub))
    return calls


async def authenticate_first(request: Request) -> None:
    """Run the authenticating dependencies of the route this request matched (if any): they
    raise 401 or 403 for a caller without rights. For error handlers that answer a request whose
    body could not be read, which happens before FastAPI resolves the dependencies."""
    route = request.scope.get("route")
    for call in _authenticating_calls(getattr(route, "dependant", None)):
        if inspect.iscoroutinefunction(call):
            await call(request)
        else:
            await run_in_threadpool(call, request)


# For route signatures: `actor: ManagerDep` on routes only a site manager may use, and so on.
ManagerDep = Annotated[Actor, Depends(require_site_manager)]
AgencyManagerDep = Annotated[Actor, Depends(require_agency_manager)]
OverseerDep = Annotated[Actor, Depends(require_overseer)]
