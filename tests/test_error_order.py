"""Every API route, walked: a caller without rights hears 401 or 403 whatever body they send (never
a 422 that describes the body), and every refusal, the framework's own included, is
`{"error": {"code", "message", "field"}}`.

The lists below say which routes need no credentials and which a counter officer may use; a new
route is assumed to need a manager until it is added to one of them, so it cannot slip through."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from satupintu.integration import keys
from tests.conftest import LiveServer, token_for

SITE_ROUTE = "/api/v1/sites/{site}"
PUBLIC = {  # no credentials: the body is the only thing to judge
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/sites/{site}/bookings"),
    ("POST", "/api/v1/bookings/{code}/cancel"),  # the booking code is the citizen's only credential
    ("POST", "/api/v1/tickets/{ticket_id}/survey"),
    ("POST", "/api/v1/sites/{site}/complaints"),
    ("POST", "/api/v1/complaints/{code}/reporter"),
    ("POST", "/api/v1/complaints/{code}/attachments"),
    ("POST", "/api/v1/unit/enrol"),  # the one-time enrolment code is the unit's only credential
}
OWN_CREDENTIALS = {  # any signed-in caller may, and it ends the caller's own tokens: walked anonymously only
    ("POST", "/api/v1/auth/logout"),
    ("PUT", "/api/v1/me/password"),
}
OFFICER_MAY = {  # what a counter officer of the counter's agency may do (its junk body is then judged)
    ("POST", "/api/v1/sites/{site}/tickets"),
    ("POST", "/api/v1/sites/{site}/bookings/{code}/check-in"),
    ("POST", "/api/v1/sites/{site}/tickets/{ticket_id}/requeue"),
    ("POST", "/api/v1/sites/{site}/tickets/{ticket_id}/resume"),
    ("POST", "/api/v1/sites/{site}/complaints/{complaint_id}/steps"),
    ("POST", "/api/v1/sites/{site}/applications"),
    ("POST", "/api/v1/sites/{site}/applications/{application_id}/actions"),
    ("PUT", "/api/v1/sites/{site}/applications/{application_id}/documents"),
    *(("POST", f"/api/v1/sites/{{site}}/counters/{{number}}/{step}")
      for step in ("open", "close", "call-next", "call-ticket", "recall", "no-show", "start", "finish", "hold",
                   "refer")),
}
JUNK = {
    "json": (b'{"junk": [1, {"deeper": null}], "n": -1}', "application/json"),
    "malformed json": (b'{"junk": [1, 2', "application/json"),
    "json nested too deep": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "multipart": (b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\njunk", "multipart/form-data; boundary=b"),
}
SOME_ID = "0190b8c5-0000-7000-8000-000000000000"


def _concrete(path: str) -> str:
    path = path.replace("{site}", "lahat").replace("{number}", "4")  # counter 4 belongs to DUKCAPIL
    path = re.sub(r"\{[a-z_]*id\}", SOME_ID, path)
    return re.sub(r"\{[^}]+\}", "X-1", path)


def _routes(live: LiveServer) -> Iterator[tuple[str, str]]:
    for path, operations in live.app.openapi()["paths"].items():
        for method in operations:
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                yield method.upper(), path


def _assert_error_shape(resp, where: str) -> dict:  # type: ignore[no-untyped-def]
    body = resp.json()
    assert set(body) == {"error"}, where
    assert {"code", "message", "field"} <= set(body["error"]), where
    assert isinstance(body["error"]["code"], str) and body["error"]["message"], where
    return body["error"]


@pytest.fixture(scope="module")
def callers(server) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    with server.client() as c:
        overseer = token_for(c, "overseer")
        assert c.post("/api/v1/sites", headers=overseer, json={
            "code": "lamtim", "name": "MPP Kabupaten Lampung Timur", "timezone": "Asia/Jakarta"}).status_code == 201
        assert c.post("/api/v1/users", headers=overseer, json={
            "username": "pengelola.lamtim", "full_name": "Pengelola Lamtim", "password": "sandi-lamtim-123",
            "role": "site_manager", "site": "lamtim"}).status_code == 201
        manager = token_for(c, "pengelola")
        client = c.post("/api/v1/sites/lahat/clients", headers=manager, json={
            "name": "Sistem uji urutan", "owner_agency": "Diskominfo", "contact_name": "Budi",
            "contact_email": "budi@lahatkab.go.id"}).json()
        key = c.post(f"/api/v1/sites/lahat/clients/{client['id']}/keys", headers=manager, json={
            "scopes": list(keys.SCOPES), "agency": "DUKCAPIL", "rate_per_minute": 100_000}).json()["key"]
        return {"anonymous": {},
                "API key with every scope": {"X-API-Key": key},
                "manager of another site": token_for(c, "pengelola.lamtim", "sandi-lamtim-123"),
                "officer": token_for(c, "petugas.dukcapil"),
                "officer of another agency": token_for(c, "petugas.dpmptsp")}


def _expected(caller: str, method: str, path: str) -> int | None:
    """The status a caller without rights must hear; None where they may have rights."""
    route = (method, path)
    if route in PUBLIC:
        return None
    if caller == "anonymous":
        return 401
    if route in OWN_CREDENTIALS:
        return None
    if caller == "API key with every scope":  # only the routes of the scope table, else 403 scope_missing
        return None if (method, path.removeprefix(keys.API_PREFIX)) in keys.ROUTE_SCOPES else 403
    if caller == "manager of another site":
        return 403 if path.startswith(SITE_ROUTE) else None
    if caller == "officer":
        return None if route in OFFICER_MAY else 403
    if caller == "officer of another agency":  # not at counter 4, which is DUKCAPIL's
        return 403 if "/counters/{number}/" in path else (None if route in OFFICER_MAY else 403)
    raise AssertionError(caller)


@pytest.mark.parametrize("junk", sorted(JUNK))
def test_no_caller_without_rights_hears_anything_about_the_body_on_any_route(server, callers, junk):
    """An unauthenticated or wrong-role caller got 422 with the body's faults from some routes."""
    content, kind = JUNK[junk]
    wrong = []
    with server.client() as c:
        for method, path in _routes(server):
            for caller, auth in callers.items():
                if (method, path) in OWN_CREDENTIALS and caller != "anonymous":
                    continue  # it would end this caller's token for the rest of the walk
                expected = _expected(caller, method, path)
                resp = c.request(method, _concrete(path), content=content, headers={**auth, "content-type": kind})
                where = f"{caller} {method} {path} ({junk}): {resp.status_code} {resp.text[:200]}"
                assert resp.status_code < 500, where
                if expected is not None and resp.status_code != expected:
                    wrong.append(where)
                if resp.status_code >= 400:  # a route without a body may simply succeed for its staff
                    error = _assert_error_shape(resp, where)
                    if resp.status_code == 400:
                        assert error["code"] in ("invalid_body", "invalid_characters"), where
    assert wrong == []


def test_the_frameworks_own_refusals_use_the_projects_error_shape(server):
    """404 for an unknown API address and 405 for a wrong method answered `{"detail": ...}`."""
    with server.client() as c:
        missing = c.get("/api/v1/tidak-ada")
        assert missing.status_code == 404 and _assert_error_shape(missing, "404")["code"] == "not_found"
        wrong_method = c.delete("/api/v1/sites")
        assert wrong_method.status_code == 405
        assert _assert_error_shape(wrong_method, "405")["code"] == "method_not_allowed"
        assert "GET" in wrong_method.headers["allow"]
        deep = c.post("/api/v1/sites/lahat/complaints", content=b"[" * 50_000 + b"]" * 50_000,
                      headers={"content-type": "application/json"})
        assert deep.status_code == 400
        assert _assert_error_shape(deep, "deep") == {"code": "invalid_body", "field": "body",
                                                       "message": "Data yang dikirim tidak dapat dibaca."}


def test_staff_of_the_site_still_reach_the_body_checks(server, callers):
    """The early refusals refuse only the wrong callers: the manager's junk is judged as before."""
    with server.client() as c:
        manager = token_for(c, "pengelola")
        r = c.post("/api/v1/sites/lahat/booths", headers=manager, json={"junk": 1})
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"
        r = c.post("/api/v1/sites/lahat/counters/4/close", headers=callers["officer"], json={"junk": 1})
        assert r.status_code == 422 and r.json()["error"]["field"] in ("reason", "junk")
