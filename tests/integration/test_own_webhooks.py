"""A client system manages its own webhook subscriptions with its API key, against the real
HTTP server on SQLite and PostgreSQL: list, create, change, rotate the secret, read the delivery
log, redeliver and delete its own, never another client's (they are not found); a key limited
to one agency hears only that agency's events; a key of the mall hears its mobile events."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import LiveServer, token_for

HOOK = "https://penerima.lahatkab.go.id/webhook"


def new_client(c, manager: dict[str, str], site: str = "lahat") -> str:  # type: ignore[no-untyped-def]
    r = c.post(f"/api/v1/sites/{site}/clients", headers=manager, json={
        "name": f"Sistem {uuid.uuid4().hex[:8]}", "owner_agency": "Diskominfo Lahat", "contact_name": "Budi",
        "contact_email": "budi@lahatkab.go.id"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def new_key(c, manager: dict[str, str], client_id: str, scopes: list[str], agency: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = c.post(f"/api/v1/sites/lahat/clients/{client_id}/keys", headers=manager,
               json={"scopes": scopes, "agency": agency})
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["key"]}


@pytest.fixture(scope="module")
def manager(server: LiveServer) -> dict[str, str]:
    with server.client() as c:
        return token_for(c, "pengelola")


def ticket(c, manager: dict[str, str], service: str, site: str = "lahat") -> str:  # type: ignore[no-untyped-def]
    r = c.post(f"/api/v1/sites/{site}/tickets", headers=manager, json={"service": service, "channel": "mobile"})
    assert r.status_code in (200, 201), r.text
    body = r.json()
    return str(body.get("id") or body.get("ticket", {}).get("id"))


def deliveries(c, key: dict[str, str], endpoint_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    r = c.get(f"/api/v1/sites/lahat/webhooks/{endpoint_id}/deliveries?limit=200", headers=key)
    assert r.status_code == 200, r.text
    return list(r.json())


def test_a_client_manages_its_own_subscription_with_its_key_from_start_to_end(server, manager):
    """With a webhooks:manage key the client subscribes (the secret shown once), sees it listed,
    changes its URL and types, rotates its secret, reads its delivery log, redelivers one
    delivery and deletes the subscription."""
    with server.client() as c:
        client_id = new_client(c, manager)
        key = new_key(c, manager, client_id, ["webhooks:manage", "queue:read"])
        r = c.post("/api/v1/sites/lahat/webhooks", headers=key,
                   json={"url": HOOK, "event_types": ["ticket.issued"]})
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        created = r.json()
        secret, endpoint_id = created["secret"], created["info"]["id"]
        assert secret.startswith("whsec_") and created["info"]["client_id"] == client_id
        listed = c.get("/api/v1/sites/lahat/webhooks", headers=key).json()
        assert [e["id"] for e in listed] == [endpoint_id]
        assert "secret" not in listed[0]

        r = c.patch(f"/api/v1/sites/lahat/webhooks/{endpoint_id}", headers=key,
                    json={"url": HOOK + "/v2", "event_types": ["ticket.issued", "ticket.called"]})
        assert r.status_code == 200, r.text
        assert r.json()["url"] == HOOK + "/v2" and r.json()["event_types"] == ["ticket.issued", "ticket.called"]

        r = c.post(f"/api/v1/sites/lahat/webhooks/{endpoint_id}/rotate-secret", headers=key)
        assert r.status_code == 200, r.text
        assert r.json()["secret"] != secret and r.json()["secret"].startswith("whsec_")
        assert r.json()["info"]["secret_prefix"] == r.json()["secret"][:12] + "…"

        ticket(c, manager, "DKC-01")
        log = deliveries(c, key, endpoint_id)
        assert [d["event_type"] for d in log] == ["ticket.issued"]
        r = c.post(f"/api/v1/sites/lahat/webhooks/{endpoint_id}/deliveries/{log[0]['id']}/redeliver", headers=key)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "pending" and r.json()["attempts"] == 0

        assert c.delete(f"/api/v1/sites/lahat/webhooks/{endpoint_id}", headers=key).status_code == 204
        assert c.get("/api/v1/sites/lahat/webhooks", headers=key).json() == []
        r = c.get(f"/api/v1/sites/lahat/webhooks/{endpoint_id}", headers=key)
        assert r.status_code == 404 and r.json()["error"]["field"] == "endpoint"


def test_a_client_never_sees_nor_touches_another_clients_subscription(server, manager):
    """Client B's key does not find client A's subscription: listing shows only B's own, and
    reading, changing, rotating, redelivering or deleting A's answers 404 naming the endpoint."""
    with server.client() as c:
        key_a = new_key(c, manager, new_client(c, manager), ["webhooks:manage", "queue:read"])
        key_b = new_key(c, manager, new_client(c, manager), ["webhooks:manage", "queue:read"])
        a = c.post("/api/v1/sites/lahat/webhooks", headers=key_a,
                   json={"url": HOOK, "event_types": ["ticket.issued"]}).json()["info"]["id"]
        assert c.get("/api/v1/sites/lahat/webhooks", headers=key_b).json() == []
        ticket(c, manager, "DKC-01")
        delivery = deliveries(c, key_a, a)[0]["id"]
        for method, path, body in [
                ("GET", f"/{a}", None), ("PATCH", f"/{a}", {"url": HOOK + "/b"}), ("DELETE", f"/{a}", None),
                ("POST", f"/{a}/rotate-secret", None), ("GET", f"/{a}/deliveries", None),
                ("POST", f"/{a}/deliveries/{delivery}/redeliver", None)]:
            r = c.request(method, f"/api/v1/sites/lahat/webhooks{path}", headers=key_b, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["field"] == "endpoint"
        assert c.get(f"/api/v1/sites/lahat/webhooks/{a}", headers=key_a).json()["url"] == HOOK  # untouched


def test_the_own_subscription_routes_refuse_a_key_without_the_scope_and_staff_without_a_key(server, manager):
    """A key without webhooks:manage hears 403 scope_missing; a manager's bearer token hears 403
    (managers use the client's routes); an unknown event type or an http URL answers 422 naming
    the field."""
    with server.client() as c:
        client_id = new_client(c, manager)
        plain = new_key(c, manager, client_id, ["queue:read"])
        r = c.get("/api/v1/sites/lahat/webhooks", headers=plain)
        assert r.status_code == 403 and r.json()["error"]["code"] == "scope_missing"
        r = c.get("/api/v1/sites/lahat/webhooks", headers=manager)
        assert r.status_code == 403 and "error" in r.json()
        key = new_key(c, manager, client_id, ["webhooks:manage"])
        r = c.post("/api/v1/sites/lahat/webhooks", headers=key,
                   json={"url": "http://penerima.lahatkab.go.id/", "event_types": ["nomor.aneh"]})
        assert r.status_code == 422
        details = {d["field"]: d["code"] for d in r.json()["error"]["details"]}
        assert details == {"url": "invalid", "event_types": "invalid"}
        bare = new_key(c, manager, new_client(c, manager), ["webhooks:manage"])
        r = c.post("/api/v1/sites/lahat/webhooks", headers=bare, json={"url": HOOK, "event_types": ["ticket.issued"]})
        assert r.status_code == 422  # none of its client's keys holds queue:read
        assert [(d["field"], d["code"]) for d in r.json()["error"]["details"]] == [("event_types", "scope_missing")]


def test_a_key_of_one_agency_subscribes_and_hears_only_its_agencys_tickets(server, manager):
    """A client whose only key is limited to DUKCAPIL subscribes to ticket.issued; a DUKCAPIL
    ticket reaches its log, a DPMPTSP ticket does not, and the payload carries no name or NIK."""
    with server.client() as c:
        key = new_key(c, manager, new_client(c, manager), ["webhooks:manage", "queue:read"], agency="DUKCAPIL")
        r = c.post("/api/v1/sites/lahat/webhooks", headers=key, json={"url": HOOK, "event_types": ["ticket.issued"]})
        assert r.status_code == 201, r.text
        endpoint_id = r.json()["info"]["id"]
        mine = ticket(c, manager, "DKC-01")
        ticket(c, manager, "DPM-01")
        log = deliveries(c, key, endpoint_id)
        assert [json.loads(d["body"])["data"]["ticket_id"] for d in log] == [mine]
        data = json.loads(log[0]["body"])["data"]
        assert set(data) <= {"site", "ticket_id", "number", "status", "service_id", "counter", "at"}


def test_a_key_of_one_agency_hears_its_applications_and_not_the_sites_complaints(server, manager):
    """An agency key's client subscribed to application and complaint events hears a DUKCAPIL
    application's status but not a DPMPTSP one's, nor a complaint addressed to the whole site."""
    with server.client() as c:
        key = new_key(c, manager, new_client(c, manager),
                      ["webhooks:manage", "applications:read", "complaints:read"], agency="DUKCAPIL")
        r = c.post("/api/v1/sites/lahat/webhooks", headers=key, json={
            "url": HOOK, "event_types": ["application.status_changed", "complaint.received"]})
        assert r.status_code == 201, r.text
        endpoint_id = r.json()["info"]["id"]
        for service in ("DKC-01", "DPM-01"):
            r = c.post("/api/v1/sites/lahat/applications", headers=manager, json={
                "service": service, "applicant_name": "Siti Aminah", "nik": "1604011208850001"})
            assert r.status_code == 201, r.text
        r = c.post("/api/v1/sites/lahat/complaints", json={
            "title": "Antrean lama", "body": "Menunggu terlalu lama di MPP.", "reporter_name": "Budi"})
        assert r.status_code in (200, 201), r.text
        log = deliveries(c, key, endpoint_id)
        assert [(d["event_type"], json.loads(d["body"])["data"].get("service")) for d in log] == [
            ("application.status_changed", "DKC-01")]
        assert "Siti" not in log[0]["body"] and "1604011208850001" not in log[0]["body"]


def test_a_key_of_the_mall_hears_the_tickets_of_its_mobile_event(server, manager):
    """A client of the mall subscribed to ticket.issued hears a ticket taken at the mall's
    mobile event (plaza-lematang), as the mall's own staff see it; an agency key of the mall
    hears the event's tickets of its agency only."""
    with server.client() as c:
        key = new_key(c, manager, new_client(c, manager), ["webhooks:manage", "queue:read"])
        agency_key = new_key(c, manager, new_client(c, manager), ["webhooks:manage", "queue:read"],
                             agency="DINKES")
        ep = c.post("/api/v1/sites/lahat/webhooks", headers=key,
                    json={"url": HOOK, "event_types": ["ticket.issued"]}).json()["info"]["id"]
        agency_ep = c.post("/api/v1/sites/lahat/webhooks", headers=agency_key,
                           json={"url": HOOK, "event_types": ["ticket.issued"]}).json()["info"]["id"]
        dukcapil = ticket(c, manager, "DKC-01", site="plaza-lematang")
        dinkes = ticket(c, manager, "KES-01", site="plaza-lematang")
        seen = [json.loads(d["body"])["data"] for d in deliveries(c, key, ep)]
        assert {d["ticket_id"] for d in seen} == {dukcapil, dinkes}
        assert {d["site"] for d in seen} == {"plaza-lematang"}
        assert [json.loads(d["body"])["data"]["ticket_id"] for d in deliveries(c, agency_key, agency_ep)] == [dinkes]


def test_a_manager_changes_a_clients_subscription_and_rotates_its_secret(server, manager):
    """The site manager, on the client's routes, changes a subscription's event types and
    rotates its secret (shown once, not cached); an unknown type answers 422 naming event_types."""
    with server.client() as c:
        client_id = new_client(c, manager)
        new_key(c, manager, client_id, ["queue:read"])
        base = f"/api/v1/sites/lahat/clients/{client_id}/webhooks"
        r = c.post(base, headers=manager, json={"url": HOOK, "event_types": ["ticket.issued"]})
        assert r.status_code == 201, r.text
        endpoint_id, secret = r.json()["info"]["id"], r.json()["secret"]
        r = c.patch(f"{base}/{endpoint_id}", headers=manager, json={"event_types": ["ticket.finished"]})
        assert r.status_code == 200 and r.json()["event_types"] == ["ticket.finished"] and r.json()["url"] == HOOK
        r = c.patch(f"{base}/{endpoint_id}", headers=manager, json={"event_types": ["ticket.lost"]})
        assert r.status_code == 422 and r.json()["error"]["field"] == "event_types"
        r = c.post(f"{base}/{endpoint_id}/rotate-secret", headers=manager)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        assert r.json()["secret"] != secret
