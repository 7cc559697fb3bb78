"""API keys against the real HTTP server, on SQLite and PostgreSQL: the key scope matrix (every
scope against every route in the scope table), the management routes, 401 for a bad key, 403
for another site, 429 with Retry-After past a key's rate."""

from __future__ import annotations

import pytest

from satupintu.db import Database
from satupintu.integration import keys
from tests.conftest import LiveServer, token_for
from tests.redisserver import RedisServer, require_redis_server

SOME_ID = "0190b8c5-0000-7000-8000-000000000000"
NIK = "1604011208850001"
# A concrete request for every route of the scope table (path parameters and a body).
FULL: dict[tuple[str, str], tuple[str, dict | None]] = {
    ("GET", "/api/v1/sites/{site}/services"): ("/api/v1/sites/lahat/services", None),
    ("GET", "/api/v1/sites/{site}/services/{code}"): ("/api/v1/sites/lahat/services/DKC-01", None),
    ("GET", "/api/v1/sites/{site}/agencies/{agency}"): ("/api/v1/sites/lahat/agencies/DUKCAPIL", None),
    ("GET", "/api/v1/sites/{site}/catalogue.{fmt}"): ("/api/v1/sites/lahat/catalogue.csv", None),
    ("GET", "/api/v1/sites/{site}/agreement-warnings"): ("/api/v1/sites/lahat/agreement-warnings", None),
    ("GET", "/api/v1/sites/{site}/queue"): ("/api/v1/sites/lahat/queue", None),
    ("GET", "/api/v1/sites/{site}/counter-states"): ("/api/v1/sites/lahat/counter-states", None),
    ("POST", "/api/v1/sites/{site}/tickets"): ("/api/v1/sites/lahat/tickets", {"service": "DKC-01",
                                                                                "channel": "mobile"}),
    ("POST", "/api/v1/sites/{site}/bookings/{code}/check-in"): ("/api/v1/sites/lahat/bookings/TIDAKADA/check-in",
                                                                None),
    ("GET", "/api/v1/sites/{site}/applications"): ("/api/v1/sites/lahat/applications", None),
    ("GET", "/api/v1/sites/{site}/applications/on-time"): ("/api/v1/sites/lahat/applications/on-time", None),
    ("GET", "/api/v1/sites/{site}/applications/{application_id}"): (f"/api/v1/sites/lahat/applications/{SOME_ID}",
                                                                    None),
    ("POST", "/api/v1/sites/{site}/applications"): ("/api/v1/sites/lahat/applications", {
        "service": "DKC-01", "applicant_name": "Siti Aminah", "nik": NIK}),
    ("POST", "/api/v1/sites/{site}/applications/{application_id}/actions"): (
        f"/api/v1/sites/lahat/applications/{SOME_ID}/actions", {"action": "verify"}),
    ("PUT", "/api/v1/sites/{site}/applications/{application_id}/documents"): (
        f"/api/v1/sites/lahat/applications/{SOME_ID}/documents", {"received": [0]}),
    ("GET", "/api/v1/sites/{site}/complaints"): ("/api/v1/sites/lahat/complaints", None),
    ("GET", "/api/v1/sites/{site}/stats"): ("/api/v1/sites/lahat/stats", None),
    ("GET", "/api/v1/sites/{site}/facilities"): ("/api/v1/sites/lahat/facilities", None),
    ("GET", "/api/v1/sites/{site}/readiness"): ("/api/v1/sites/lahat/readiness", None),
    ("GET", "/api/v1/sites/{site}/skm"): ("/api/v1/sites/lahat/skm", None),
    ("GET", "/api/v1/sites/{site}/skm.{fmt}"): ("/api/v1/sites/lahat/skm.csv", None),
    ("GET", "/api/v1/sites/{site}/unit/bundle"): ("/api/v1/sites/plaza-lematang/unit/bundle", None),
    ("GET", "/api/v1/sites/{site}/webhooks"): ("/api/v1/sites/lahat/webhooks", None),
    ("POST", "/api/v1/sites/{site}/webhooks"): ("/api/v1/sites/lahat/webhooks", {
        "url": "https://penerima.lahatkab.go.id/webhook", "event_types": ["ticket.issued"]}),
    ("GET", "/api/v1/sites/{site}/webhooks/{endpoint_id}"): (f"/api/v1/sites/lahat/webhooks/{SOME_ID}", None),
    ("PATCH", "/api/v1/sites/{site}/webhooks/{endpoint_id}"): (f"/api/v1/sites/lahat/webhooks/{SOME_ID}",
                                                               {"url": "https://penerima.lahatkab.go.id/b"}),
    ("DELETE", "/api/v1/sites/{site}/webhooks/{endpoint_id}"): (f"/api/v1/sites/lahat/webhooks/{SOME_ID}", None),
    ("POST", "/api/v1/sites/{site}/webhooks/{endpoint_id}/rotate-secret"): (
        f"/api/v1/sites/lahat/webhooks/{SOME_ID}/rotate-secret", None),
    ("GET", "/api/v1/sites/{site}/webhooks/{endpoint_id}/deliveries"): (
        f"/api/v1/sites/lahat/webhooks/{SOME_ID}/deliveries", None),
    ("POST", "/api/v1/sites/{site}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver"): (
        f"/api/v1/sites/lahat/webhooks/{SOME_ID}/deliveries/{SOME_ID}/redeliver", None),
    ("POST", "/api/v1/sites/{site}/unit/records"): ("/api/v1/sites/plaza-lematang/unit/records",
                                                     {"format": 1, "tables": {}}),
}
# The same, keyed as the scope table is (paths under /api/v1).
REQUESTS = {(m, p.removeprefix(keys.API_PREFIX)): v for (m, p), v in FULL.items()}


def issue_key(c, manager: dict[str, str], client_name: str, **body: object) -> str:  # type: ignore[no-untyped-def]
    clients = c.get("/api/v1/sites/lahat/clients", headers=manager).json()
    found = [x for x in clients if x["name"] == client_name]
    if found:
        client_id = found[0]["id"]
    else:
        r = c.post("/api/v1/sites/lahat/clients", headers=manager, json={
            "name": client_name, "owner_agency": "Diskominfo Lahat", "contact_name": "Budi",
            "contact_email": "budi@lahatkab.go.id"})
        assert r.status_code == 201, r.text
        client_id = r.json()["id"]
    payload = {k: v for k, v in {"agency": "DUKCAPIL", **body}.items() if v is not None}  # agency=None: whole site
    r = c.post(f"/api/v1/sites/lahat/clients/{client_id}/keys", headers=manager, json=payload)
    assert r.status_code == 201, r.text
    return r.json()["key"]


@pytest.fixture(scope="module")
def scope_keys(server: LiveServer) -> dict[str, str]:
    with server.client() as c:
        manager = token_for(c, "pengelola")
        # A unit's key serves a whole event, so it is not limited to an agency (service.event_bundle).
        return {scope: issue_key(c, manager, "Matriks cakupan", scopes=[scope],
                                 **({"agency": None} if scope == "unit:sync" else {})) for scope in keys.SCOPES}


def test_the_matrix_covers_exactly_the_scope_table_and_every_route_exists(server):
    assert set(REQUESTS) == set(keys.ROUTE_SCOPES)
    declared = {(m.upper(), p) for p, ops in server.app.openapi()["paths"].items() for m in ops}
    assert {(m, keys.API_PREFIX + p) for m, p in keys.ROUTE_SCOPES} <= declared


def test_every_scope_opens_its_own_routes_and_no_other(server, scope_keys):
    """A key without the route's scope hears 403 scope_missing; with it, the route answers as for staff."""
    wrong = []
    with server.client() as c:
        for scope, key in scope_keys.items():
            for route, (url, body) in REQUESTS.items():
                method = route[0]
                # Both header forms, alternately.
                headers = {"Authorization": f"Bearer {key}"} if hash(url) % 2 else {"X-API-Key": key}
                r = c.request(method, url, headers=headers, json=body)
                where = f"{scope} {method} {route[1]}: {r.status_code} {r.text[:160]}"
                assert r.status_code < 500, where
                if keys.ROUTE_SCOPES[route] == scope:
                    if r.status_code in (401, 403):
                        wrong.append(where)
                elif (r.status_code != 403 or r.json()["error"]["code"] != "scope_missing"
                      or r.json()["error"]["field"] is not None or not r.json()["error"]["message"]):
                    wrong.append(where)
    assert wrong == []


def test_a_key_does_real_work_within_its_scopes(server, scope_keys):
    with server.client() as c:
        ticket = c.post("/api/v1/sites/lahat/tickets", headers={"X-API-Key": scope_keys["tickets:write"]},
                        json={"service": "DKC-01", "channel": "mobile"})
        assert ticket.status_code == 201, ticket.text
        waiting = c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": scope_keys["queue:read"]})
        assert ticket.json()["number"] in [t["number"] for t in waiting.json()]
        opened = c.post("/api/v1/sites/lahat/applications", headers={"X-API-Key": scope_keys["applications:write"]},
                        json={"service": "DKC-01", "applicant_name": "Siti Aminah", "nik": NIK})
        assert opened.status_code == 201, opened.text
        manager = token_for(c, "pengelola")
        audit = c.get("/api/v1/sites/lahat/audit", headers=manager)
        calls = [e for e in audit.json() if e["action"] == "api_key.call"]
        assert calls and all(e["actor"] == "Matriks cakupan" for e in calls)
        assert {e["after"]["path"] for e in calls} >= {"/sites/{site}/tickets", "/sites/{site}/applications"}


def test_a_key_cannot_use_routes_outside_the_table_or_another_site(server, scope_keys):
    every = {"X-API-Key": scope_keys["queue:read"]}
    with server.client() as c:
        r = c.post("/api/v1/sites/lahat/counters/4/open", headers=every)
        assert r.status_code == 403 and r.json()["error"]["code"] == "scope_missing"
        r = c.get("/api/v1/sites/lahat/clients", headers=every)
        assert r.status_code == 403 and r.json()["error"]["code"] == "scope_missing"
        overseer = token_for(c, "overseer")
        c.post("/api/v1/sites", headers=overseer, json={"code": "muaraenim", "name": "MPP Muara Enim",
                                                        "timezone": "Asia/Jakarta"})
        r = c.get("/api/v1/sites/muaraenim/queue", headers=every)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_unknown_malformed_and_revoked_keys_hear_401(server):
    with server.client() as c:
        for bad in (keys.new_key(), "sp_live_pendek", "sp_test_" + "a" * 32):
            r = c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": bad})
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
        manager = token_for(c, "pengelola")
        key = issue_key(c, manager, "Dicabut segera", scopes=["queue:read"])
        assert c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code == 200
        client = next(x for x in c.get("/api/v1/sites/lahat/clients", headers=manager).json()
                      if x["name"] == "Dicabut segera")
        key_id = next(k["id"] for k in client["keys"] if key.startswith(k["prefix"]))
        r = c.post(f"/api/v1/sites/lahat/clients/{client['id']}/keys/{key_id}/revoke", headers=manager)
        assert r.status_code == 200 and r.json()["status"] == "revoked"
        r = c.get("/api/v1/sites/lahat/queue", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 401  # at once on the process that revoked it


def test_the_management_routes_show_prefixes_never_keys_and_rotate_with_an_overlap(server):
    with server.client() as c:
        manager = token_for(c, "pengelola")
        key = issue_key(c, manager, "Rotasi", scopes=["stats:read"], rate_per_minute=50)
        client = next(x for x in c.get("/api/v1/sites/lahat/clients", headers=manager).json() if x["name"] == "Rotasi")
        assert key not in str(client) and client["keys"][0]["prefix"] == key[:16]
        r = c.post(f"/api/v1/sites/lahat/clients/{client['id']}/keys/{client['keys'][0]['id']}/rotate",
                   headers=manager, json={"overlap_days": 2})
        assert r.status_code == 201 and r.json()["key"] != key and r.json()["info"]["rate_per_minute"] == 50
        for k in (key, r.json()["key"]):  # both work during the overlap
            assert c.get("/api/v1/sites/lahat/stats", headers={"X-API-Key": k}).status_code == 200
        officer = token_for(c, "petugas.dukcapil")
        assert c.get("/api/v1/sites/lahat/clients", headers=officer).status_code == 403


def test_a_key_past_its_rate_hears_429_with_retry_after(server):
    with server.client() as c:
        manager = token_for(c, "pengelola")
        key = issue_key(c, manager, "Terbatas", scopes=["queue:read"], rate_per_minute=3)
        statuses = [c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}) for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        refused = statuses[-1]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["error"]["code"] == "too_many_requests"
        other = issue_key(c, manager, "Terbatas", scopes=["queue:read"], rate_per_minute=3)
        assert c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": other}).status_code == 200  # per key


def test_with_redis_two_app_servers_share_one_keys_rate(fresh_demo_db):
    """Behind a balancer the client meets several processes: with Redis they count together, so the
    key gets its rate once, not once per process."""
    require_redis_server()
    other = Database(fresh_demo_db.url)  # the second server's own pool, caches and limiter
    try:
        with RedisServer() as redis_server, LiveServer(fresh_demo_db, redis_url=redis_server.url) as a, \
                LiveServer(other, redis_url=redis_server.url) as b, a.client() as ca, b.client() as cb:
            key = issue_key(ca, token_for(ca, "pengelola"), "Dua server", scopes=["queue:read"], rate_per_minute=4)
            answers = [c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code
                       for c in (ca, cb, ca, cb, ca, cb)]
            assert answers == [200, 200, 200, 200, 429, 429]
    finally:
        other.dispose()
