"""The API's OpenAPI document, as the API really behaves.

FastAPI's generated document knows the routes and their bodies but not the project's edges: the
credentials a route demands (found here from its authenticating dependencies, `security.py`),
the one error shape every refusal uses (`{"error": {"code", "message", "field", "details"}}`,
never FastAPI's default validation body), and which statuses an operation can answer. This
module rewrites the generated document once per process:

- operation ids are the route function's name (stable across path changes), made unique with
  the tag when two capabilities use the same name;
- security schemes: the bearer token from `POST /api/v1/auth/token`, the page session cookie
  (with `X-CSRF-Token` on changes), a client system's API key (`X-API-Key`), and a paired
  kiosk's or board's device token (`X-Device-Token`); each operation lists the ones it accepts,
  and `{}` (anonymous) when a caller may be unknown;
- responses: 422 uses the error schema; every operation documents 503 (database unreachable)
  and 400 (a refusal by a rule); authenticated ones 401 and 403; ones with path parameters 404;
  changes 409 (a conflicting state); rate-limited ones keep their 429; a route's own
  description of an error status (its `responses=`) is kept, with the error schema;
- worked examples of the main request bodies (`REQUEST_EXAMPLES`: a ticket, an application's
  action or status push, a complaint).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from .security import _authenticating_calls

JSON = dict[str, Any]

SECURITY_SCHEMES: JSON = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A signed-in person's token from `POST /api/v1/auth/token` (one hour)."},
    "session": {"type": "apiKey", "in": "cookie", "name": "satupintu_session",
                "description": "The pages' session cookie; changes also send its `X-CSRF-Token` header."},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "A client system's API key (`sp_...`), limited to its scopes, site and agency."},
    "deviceToken": {"type": "apiKey", "in": "header", "name": "X-Device-Token",
                    "description": "A paired kiosk's or hall board's device token."},
}

ERROR_SCHEMAS: JSON = {
    "ErrorDetail": {
        "type": "object", "required": ["field", "code", "message"],
        "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
                       "row": {"type": "integer", "description": "The spreadsheet row, for imports."}},
    },
    "ErrorBody": {
        "type": "object", "required": ["code", "message", "field"],
        "properties": {
            "code": {"type": "string", "description": "A stable machine code, e.g. `not_found`, `validation_failed`."},
            "message": {"type": "string", "description": "What went wrong, in Indonesian."},
            "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The field at fault, if one."},
            "details": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
        },
    },
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
        "example": {"error": {"code": "not_found", "message": "Lokasi layanan tidak ditemukan.", "field": "site"}},
    },
}

STATUS_TEXT = {
    "400": "Refused by a rule (the message says which).",
    "401": "No credentials, or they are expired or revoked.",
    "403": "The credentials do not reach this site, agency or action.",
    "404": "What the path names does not exist.",
    "409": "The current state does not allow this change (e.g. a counter is busy).",
    "422": "A field is missing or invalid: `field` names it, `details` lists every one.",
    "429": "Too many requests: wait for the `Retry-After` seconds.",
    "503": "The database cannot be reached: nothing was changed; try again shortly.",
}

CHANGES = {"post", "put", "patch", "delete"}
PAGE_HEADERS: JSON = {  # web/paging.py
    "Link": {"description": "`<url>; rel=\"next\"` when more items follow (RFC 8288)",
             "schema": {"type": "string"}},
    "X-Total-Count": {"description": "How many items the list has in all", "schema": {"type": "integer"}},
}
RATE_LIMITED = "rate_limited"  # a marker among an operation's call names

# Worked request bodies of the main changes, by operation id: shown in the API documentation
# (and sent by schemathesis' examples phase), each valid for its body's schema.
REQUEST_EXAMPLES: dict[str, JSON] = {
    "issue": {
        "kiosk": {"summary": "A ticket at the kiosk", "value": {"service": "DKC-01"}},
        "priority": {"summary": "Priority service for an elderly visitor, at reception",
                     "value": {"service": "DKC-01", "priority": "elderly", "channel": "reception"}},
        "mobile": {"summary": "Taken from a phone or another agency's app",
                   "value": {"service": "DPM-03", "channel": "mobile"}},
    },
    "act": {
        "action": {"summary": "An officer verifies the documents",
                   "value": {"action": "verifikasi", "note": "Berkas lengkap."}},
        "status": {"summary": "An agency's system pushes its case status, with its own reference number",
                   "value": {"status": "diproses", "note": "Sedang diproses di SIAK.",
                             "external_ref": "SIAK-2026-000123"}},
        "reject": {"summary": "A refusal: the reason is required and shown to the citizen",
                   "value": {"action": "tolak", "note": "Dokumen KK tidak terbaca; mohon ajukan ulang."}},
    },
    "file_complaint": {
        "complaint": {"summary": "A complaint about a service",
                      "value": {"kind": "pengaduan", "title": "Antrean loket Dukcapil lama",
                                "body": "Saya menunggu lebih dari dua jam di loket KTP-el tanpa kejelasan.",
                                "reporter_name": "Siti Aminah", "reporter_contact": "siti@example.id",
                                "service": "DKC-01"}},
        "anonymous": {"summary": "An anonymous aspiration",
                      "value": {"kind": "aspirasi", "privacy": "anonim", "title": "Tambah kursi ruang tunggu",
                                "body": "Kursi di ruang tunggu lantai dua kurang saat jam ramai."}},
    },
}


def error_response(status: str, description: str | None = None) -> JSON:
    return {"description": description or STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def unique_operation_ids(routes: Iterable[tuple[str, str, str, str]]) -> dict[tuple[str, str], str]:
    """(path, method, name, tag) -> a stable operation id: the function's name, prefixed with
    its tag where two routes share a name (`applications_track`, `complaints_track`). Pure."""
    routes = list(routes)
    seen = Counter(name for _, _, name, _ in routes)
    ids: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for path, method, name, tag in routes:
        op = name if seen[name] == 1 else f"{tag}_{name}" if tag else f"{name}_{method}"
        base, n = op, 2
        while op in taken:
            op, n = f"{base}_{n}", n + 1
        taken.add(op)
        ids[(path, method)] = op
    return ids


# Routes that read a device token themselves (not through an authenticating dependency).
DEVICE_ONLY = {"device_me"}
DEVICE_OR_PERSON = {"issue", "check_in", "survey_code"}


def operation_security(name: str, call_names: set[str]) -> list[JSON]:
    """The credentials an operation accepts, from its name and the names of its authenticating
    dependencies; `{}` alone: anyone (the route may still read credentials if sent). Pure."""
    people: list[JSON] = [{"bearer": []}, {"apiKey": []}, {"session": []}]
    if name in DEVICE_ONLY:
        return [{"deviceToken": []}]
    if name in DEVICE_OR_PERSON or call_names & {"issuer"}:
        return [{"deviceToken": []}, *people]
    if call_names - {RATE_LIMITED}:
        return people
    return [{}]


def _all_calls(dependant: Any) -> Iterator[Any]:
    for sub in getattr(dependant, "dependencies", ()):
        yield sub.call
        yield from _all_calls(sub)


def _route_facts(app: FastAPI) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(path, method) -> (the operation's name, the names of its authenticating dependencies,
    plus "rate_limited" when a `ratelimit.limited` dependency guards it)."""
    facts: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for context in routing.iter_route_contexts(app.routes):  # routes of included routers too
        route: Any = context
        if isinstance(context.original_route, APIRoute) and route.include_in_schema:
            calls = {getattr(c, "__name__", "") for c in _authenticating_calls(route.dependant)}
            if any("limited.<locals>" in getattr(c, "__qualname__", "") for c in _all_calls(route.dependant)):
                calls.add(RATE_LIMITED)
            name = route.operation_id or route.name  # an id a route sets itself is kept
            for method in route.methods:
                facts[(route.path_format, method.lower())] = (name, calls)
    return facts


def rewrite(spec: JSON, facts: dict[tuple[str, str], tuple[str, set[str]]]) -> JSON:
    """The generated document with the project's ids, security and error responses."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(ERROR_SCHEMAS)
    components["securitySchemes"] = SECURITY_SCHEMES
    paths = spec.get("paths", {})
    names = {key: facts.get(key, (op.get("operationId", ""), set()))[0]
             for key, op in (((p, m), o) for p, item in paths.items() for m, o in item.items())}
    ids = unique_operation_ids((p, m, names[(p, m)], (o.get("tags") or [""])[0])
                               for p, item in paths.items() for m, o in item.items())
    for path, item in paths.items():
        for method, op in item.items():
            calls = facts.get((path, method), ("", set()))[1]
            op["operationId"] = ids[(path, method)]
            op["security"] = operation_security(names[(path, method)], calls)
            responses = op.setdefault("responses", {})
            # Any route may hear credentials that are expired (401) or do not reach what the
            # path names (403), even one open to anyone: they are checked when sent.
            wanted = {"400", "401", "403", "422", "503"}
            if "{" in path:
                wanted.add("404")
            if method in CHANGES:
                wanted.add("409")
            if "429" in responses or RATE_LIMITED in calls:
                wanted.add("429")
            # A route that declares an error status itself (`responses={409: {"description": ...}}`)
            # keeps its own description of it, with the one error schema.
            declared = {st for st in responses if st in STATUS_TEXT and st != "422"}
            for status in sorted(wanted | declared):
                told = responses[status].get("description") if status in declared else None
                responses[status] = error_response(status, told)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and op["operationId"] in REQUEST_EXAMPLES:
                body["examples"] = REQUEST_EXAMPLES[op["operationId"]]
            if any(p.get("name") == "cursor" for p in op.get("parameters", [])) and "200" in responses:
                responses["200"]["headers"] = PAGE_HEADERS
    return spec


def install(app: FastAPI) -> Callable[[], JSON]:
    """Replace `app.openapi` with the rewritten document (built once, on first request)."""

    def openapi() -> JSON:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes, tags=app.openapi_tags)
            app.openapi_schema = rewrite(spec, _route_facts(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return openapi


def files(*media: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that also answers files or a stream (`text/csv`, XLSX,
    `text/event-stream`) besides or instead of JSON, so the document names every content type."""
    return {200: {"content": {m: {"schema": {} if m in ("application/json", EVENT_STREAM) else {"type": "string"}}
                              for m in media}}}


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVENT_STREAM = "text/event-stream"
