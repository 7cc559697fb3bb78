"""The Idempotency-Key header on every POST of the API (rules: integration.idempotency).

An ASGI middleware: it reads the body of a POST under /api/v1/ that carries the header, decides
from the kept record what to do, and either replays the kept answer, refuses (409/422/400), or
runs the request while keeping a copy of its answer.

A route that declares the Idempotency-Key header itself (issuing a ticket: its key is stored on the
ticket, so a retry after the ticket was called shows it as it is now, and retries arriving together
meet at the ticket's own lock) keeps its own semantics: the middleware passes it through."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..db import Database
from . import idempotency as rules
from . import idempotency_service as records

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "satupintu_session"
REFUSALS = {
    rules.Decision.in_progress: (409, "idempotency_in_progress",
                                 "Permintaan dengan Idempotency-Key ini masih diproses. Coba lagi sebentar lagi."),
    rules.Decision.mismatch: (422, "idempotency_key_reused",
                              "Idempotency-Key ini sudah dipakai untuk permintaan lain. Gunakan kunci baru."),
}


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    body = {"error": {"code": code, "message": message, "field": "Idempotency-Key"}}
    return status, json.dumps(body).encode()


async def _send_json(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None,
                     content_type: bytes = b"application/json") -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def routes_reading_key(openapi: dict[str, Any]) -> list[re.Pattern[str]]:
    """The POST paths whose operation declares the Idempotency-Key header itself, as patterns."""
    own = []
    for path, operations in openapi.get("paths", {}).items():
        params = operations.get("post", {}).get("parameters", [])
        if any(p.get("in") == "header" and p.get("name", "").lower() == rules.HEADER for p in params):
            own.append(re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"))
    return own


class IdempotencyKeys:
    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db
        self._own: list[re.Pattern[str]] | None = None  # read from the OpenAPI on first use

    def _route_reads_key(self, scope: Scope) -> bool:
        if self._own is None:
            self._own = routes_reading_key(scope["app"].openapi())
        return any(p.match(scope["path"]) for p in self._own)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/api/v1/"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(rules.HEADER)
        if key is None or self._route_reads_key(scope):
            return await self.app(scope, receive, send)
        if not rules.valid_key(key):
            status, body = _error(400, "invalid_idempotency_key",
                                  "Idempotency-Key harus 1-255 karakter ASCII tanpa spasi.")
            return await _send_json(send, status, body)
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        cookie = SimpleCookie(headers.get("cookie", ""))
        session = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else ""
        client = scope.get("client") or ("", 0)
        who = rules.principal(headers.get("authorization", ""), headers.get("x-api-key", ""),
                              headers.get("x-device-token", ""), session, str(client[0]))
        fprint = rules.fingerprint("POST", scope["path"], scope.get("query_string", b"").decode("latin-1"), body)
        kept, row = await run_in_threadpool(records.claim, self.db, who, key, fprint)
        decision = rules.decide(kept, fprint)
        if decision is rules.Decision.replay and row is not None:
            return await _send_json(send, row.status or 200, row.body, [(b"idempotent-replayed", b"true")],
                                    (row.content_type or "application/json").encode())
        if decision in REFUSALS:
            return await _send_json(send, *_error(*REFUSALS[decision]))
        await self._run(scope, body, receive, send, who, key)
        return None

    async def _run(self, scope: Scope, body: bytes, receive: Receive, send: Send, who: str, key: str) -> None:
        sent = False

        async def replay_body() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the client to leave, as the server would

        answer: dict[str, Any] = {"status": 500, "content_type": "", "body": [], "settled": False}

        async def settle() -> None:
            """Keep (or release) the answer before its last byte leaves, so a retry sent the
            moment the client has the answer already finds it kept."""
            answer["settled"] = True
            full = b"".join(answer["body"])
            if rules.keep_answer(answer["status"], len(full)):
                await run_in_threadpool(records.keep, self.db, who, key, answer["status"],
                                        answer["content_type"], full)
            else:
                await run_in_threadpool(records.release, self.db, who, key)

        async def keep_copy(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        answer["content_type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    await settle()
            await send(message)

        try:
            await self.app(scope, replay_body, keep_copy)
        except BaseException:
            await run_in_threadpool(records.release, self.db, who, key)
            raise
        if not answer["settled"]:
            await settle()
