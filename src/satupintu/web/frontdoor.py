"""The first thing every request meets, for every route alike: refuse what no route can use
(NUL characters, a body over MAX_BODY however it is sent), pick the page language, give the
request an id, add the security headers, and write one access-log line.

A plain ASGI middleware rather than Starlette's BaseHTTPMiddleware (`@app.middleware`):
that one wraps each request in an extra task and streams the response through a memory
channel, which cost about a millisecond of Python per request on the queue's hot paths.

The body limit counts the bytes the server actually hands over (`receive`), so a chunked
upload with no Content-Length is stopped at the limit like a declared one: the 413 is sent
at once, with `Connection: close` so the server stops reading the rest, and the route (which
was reading the body) is abandoned.

The access log replaces uvicorn's (which `satupintu serve` turns off): uvicorn writes the full
URL, and NIKs and phone numbers do appear in URLs. Here the path and query pass through
logs.mask_url, the line goes through the masking structlog processor, and it carries the
request id that the response echoes in X-Request-ID.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

import structlog
from starlette.types import ASGIApp
from starlette.types import Receive as ASGIReceive
from starlette.types import Scope as ASGIScope
from starlette.types import Send as ASGISend

from ..logs import mask_url
from .i18n import pick_language

log = structlog.get_logger("satupintu.http")

MAX_BODY = 12 * 1024 * 1024
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# What every page may load: only this origin's scripts (no inline script, no eval), styles from
# here plus inline style attributes and blocks (the print and report templates size themselves),
# images from here or data: URIs; live updates (EventSource, fetch) to this origin only. No page
# may be framed by another site (clickjacking of the staff consoles).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# FastAPI's interactive API documentation loads Swagger UI from its CDN with an inline start-up
# script; it reflects no input and holds no credentials, so it gets its own, wider policy.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/api/v1/docs", "/docs/oauth2-redirect")
# Browser features no page uses are off; the kiosk reads booking QR codes with its camera.
# (Notifications, speech synthesis and Web Audio on the board and the citizen's page are not
# features this header governs.)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
KIOSK_PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
KIOSK_PREFIX = "/kios/"

BASE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                (b"x-frame-options", b"DENY"))
_PAGE_HEADERS = (*BASE_HEADERS, (b"content-security-policy", CSP.encode()),
                 (b"permissions-policy", PERMISSIONS.encode()))
_KIOSK_HEADERS = (*BASE_HEADERS, (b"content-security-policy", CSP.encode()),
                  (b"permissions-policy", KIOSK_PERMISSIONS.encode()))
_DOCS_HEADERS = (*BASE_HEADERS, (b"content-security-policy", DOCS_CSP.encode()),
                 (b"permissions-policy", PERMISSIONS.encode()))

# An incoming X-Request-ID (from a proxy or a client) is kept when it is short and plain, and
# holds no run of digits that could be a NIK or a phone number (the log does not mask it).
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of a response to this path."""
    if path.startswith(KIOSK_PREFIX):
        return _KIOSK_HEADERS
    return _DOCS_HEADERS if path in DOCS_PATHS else _PAGE_HEADERS


def request_id_of(incoming: str | None) -> str:
    """The caller's X-Request-ID when it is sane, else a new one."""
    if incoming and _REQUEST_ID.fullmatch(incoming) and mask_url(incoming) == incoming:
        return incoming
    return uuid.uuid4().hex


def is_https(scope: Mapping[str, Any]) -> bool:
    """Whether the browser reached us over HTTPS. Behind a reverse proxy uvicorn's proxy_headers
    set the scheme from X-Forwarded-Proto, for the proxies listed in SATUPINTU_FORWARDED_ALLOW_IPS."""
    return scope.get("scheme") in ("https", "wss")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw or name not in raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header from some other site's script: ignore it
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class _BodyTooLarge(Exception):
    """Raised into the route reading a body past MAX_BODY, after the 413 has been sent."""


class FrontDoor:
    def __init__(self, app: Callable[..., Awaitable[None]], secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies  # Secure cookies even on plain HTTP (a proxy that hides the scheme)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        path = scope["path"]
        request_id = request_id_of(_header(scope, b"x-request-id"))
        extra_headers = [*security_headers(path), (b"x-request-id", request_id.encode("latin-1"))]
        status = 0
        response_started = False

        async def respond(code: int, error: str, message: str, field: str | None, close: bool = False) -> None:
            """An answer of the front door's own, in the project's error shape on the API."""
            nonlocal status, response_started
            if path.startswith("/api/"):
                body = json.dumps({"error": {"code": error, "message": message, "field": field}}).encode()
                kind = b"application/json"
            else:
                body, kind = message.encode(), b"text/plain; charset=utf-8"
            headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *extra_headers]
            if close:
                headers.append((b"connection", b"close"))
            status, response_started = code, True
            await send({"type": "http.response.start", "status": code, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        try:
            refusal = _refusal(scope)
            if refusal is not None:
                await respond(*refusal, close=refusal[0] == 413)  # close: do not read what was declared
                return
            query = scope.get("query_string", b"")
            query_lang = None
            if b"lang=" in query:
                query_lang = dict(parse_qsl(query.decode("latin-1"))).get("lang")
            state = scope.setdefault("state", {})
            state["lang"] = pick_language(query_lang, _cookie(scope, "lang"))
            state["actor"] = None
            state["request_id"] = request_id
            secure = "; Secure" if self.secure_cookies or is_https(scope) else ""
            received = 0
            too_large = False

            async def counted_receive() -> Message:
                nonlocal received, too_large
                if too_large:
                    return {"type": "http.disconnect"}
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > MAX_BODY:
                        too_large = True
                        if not response_started:
                            await respond(413, "too_large", "Data yang dikirim terlalu besar (maksimal 12 MB).",
                                          "body", close=True)
                        raise _BodyTooLarge()
                return message

            async def send_with_headers(message: Message) -> None:
                nonlocal status, response_started
                if too_large:
                    return  # the 413 has gone out; whatever the abandoned route answers is dropped
                if message["type"] == "http.response.start":
                    status, response_started = message["status"], True
                    headers = list(message.get("headers", ()))
                    present = {k.lower() for k, _ in headers}
                    headers.extend(h for h in extra_headers if h[0] not in present)
                    if query_lang in ("id", "en"):
                        headers.append((b"set-cookie", f"lang={query_lang}; Max-Age=31536000; Path=/; SameSite=lax"
                                                       f"{secure}".encode()))
                    message = {**message, "headers": headers}
                await send(message)

            try:
                # Every log line written while serving the request carries its id.
                with structlog.contextvars.bound_contextvars(request_id=request_id):
                    await self.app(scope, counted_receive, send_with_headers)
            except _BodyTooLarge:
                pass
            except Exception:
                # One line with the request's id and the masked traceback (uvicorn logs it again, without the id).
                log.error("http.error", request_id=request_id, method=scope["method"], path=mask_url(path),
                          exc_info=True)
                if not response_started:
                    await respond(500, "internal_error", "Terjadi kesalahan pada server. Coba lagi sebentar lagi.",
                                  None)
                raise  # for the server's error log, with the traceback
        finally:
            if log.is_enabled_for(logging.INFO):  # (masking costs a little: not for nothing)
                log.info("http.request", request_id=request_id, method=scope["method"], path=mask_url(path),
                         query=mask_url(scope.get("query_string", b"").decode("latin-1")), status=status,
                         ms=round((time.perf_counter() - started_at) * 1000, 1),
                         client=(scope.get("client") or ("",))[0])


def _refusal(scope: Scope) -> tuple[int, str, str, str] | None:
    """What no route may receive: (status, code, message, field), else None."""
    query = scope.get("query_string", b"")
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    # NUL characters: no database stores them, so refuse them before any route parses them.
    if "\x00" in scope["path"] or b"%00" in query or b"%00" in raw_path:
        return 400, "invalid_characters", "Alamat memuat karakter yang tidak sah.", "path"
    length = _header(scope, b"content-length")
    if length is not None:
        if not length.strip().isdigit():
            return 400, "invalid_length", "Panjang data (Content-Length) tidak sah.", "body"
        if int(length) > MAX_BODY:
            return 413, "too_large", "Data yang dikirim terlalu besar (maksimal 12 MB).", "body"
    return None


class SessionCookies:
    """Starlette's signed-cookie sessions, with the cookie marked Secure whenever the request came
    over HTTPS (or `force_secure`): SessionMiddleware fixes that flag when it is built, so one is
    built for each case and every request goes to the one that fits it."""

    def __init__(self, app: ASGIApp, /, force_secure: bool = False, **options: Any) -> None:
        from starlette.middleware.sessions import SessionMiddleware

        self.secure = SessionMiddleware(app, https_only=True, **options)
        self.plain = self.secure if force_secure else SessionMiddleware(app, https_only=False, **options)

    async def __call__(self, scope: ASGIScope, receive: ASGIReceive, send: ASGISend) -> None:
        await (self.secure if is_https(scope) else self.plain)(scope, receive, send)
