"""The first thing every request meets: refuse what no route can use, pick the page
language, and add the security headers to every response.

A plain ASGI middleware rather than Starlette's BaseHTTPMiddleware (`@app.middleware`):
that one wraps each request in an extra task and streams the response through a memory
channel, which cost about a millisecond of Python per request on the queue's hot paths.
"""

from __future__ import annotations

import json
import time
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

import structlog

from .i18n import pick_language

log = structlog.get_logger("satupintu")

MAX_BODY = 12 * 1024 * 1024
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


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


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str, field: str) -> None:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message, "field": field}}).encode()
        kind = b"application/json"
    else:
        body, kind = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


class FrontDoor:
    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        # NUL characters: no database stores them, so refuse them before any route parses them.
        if "\x00" in scope["path"] or b"%00" in query or b"%00" in raw_path:
            await _refuse(scope, send, 400, "invalid_characters", "Alamat memuat karakter yang tidak sah.", "path")
            return
        length = _header(scope, b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _refuse(scope, send, 400, "invalid_length", "Panjang data (Content-Length) tidak sah.", "body")
                return
            if int(length) > MAX_BODY:
                await _refuse(scope, send, 413, "too_large", "Data yang dikirim terlalu besar (maksimal 12 MB).",
                              "body")
                return
        query_lang = None
        if b"lang=" in query:
            query_lang = dict(parse_qsl(query.decode("latin-1"))).get("lang")
        state = scope.setdefault("state", {})
        state["lang"] = pick_language(query_lang, _cookie(scope, "lang"))
        state["actor"] = None
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if query_lang in ("id", "en"):
                    headers.append((b"set-cookie", f"lang={query_lang}; Max-Age=31536000; Path=/; SameSite=lax"
                                    .encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
        log.debug("http", method=scope["method"], path=scope["path"], status=status,
                  ms=round((time.perf_counter() - started) * 1000, 1))
