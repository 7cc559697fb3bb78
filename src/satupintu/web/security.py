"""Who is asking: a session cookie (pages), a bearer token (API) or a device token.

Forms carry a CSRF token tied to the session; API calls made with the session cookie must
send it in the X-CSRF-Token header. Bearer-token calls need none (no ambient credential).
"""

from __future__ import annotations

import hmac
import secrets
import uuid

from fastapi import Request

from ..accounts import service as accounts
from ..accounts.scope import Actor
from ..errors import DomainError, Unauthenticated, ValidationFailed
from .ratelimit import LoginGuard

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
        actor = accounts.actor_for_credential(request.app.state.db, uuid.UUID(raw), epoch)
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
        accounts.logout(request.app.state.db, actor)
    request.session.clear()


def authenticate(request: Request, username: str, password: str) -> Actor:
    """A sign-in under the login backoff: refused (TooManyRequests) while the username or the
    client address has too many recent failures, before the password is even verified."""
    guard = LoginGuard(request, username)
    guard.check()
    try:
        actor = accounts.authenticate(request.app.state.db, username, password)
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
        return accounts.change_password(request.app.state.db, actor, current, new)
    except ValidationFailed as exc:
        if exc.field == "current_password":
            guard.failed()
        raise


def api_actor(request: Request) -> Actor | None:
    """The caller of a JSON route, if any."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.actor_from_api_token(request.app.state.db, header[7:].strip())
    actor = session_actor(request)
    if actor is not None and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return actor


def require_api_actor(request: Request) -> Actor:
    actor = api_actor(request)
    if actor is None:
        raise Unauthenticated()
    return actor


def optional_api_actor(request: Request) -> Actor | None:
    return api_actor(request)
