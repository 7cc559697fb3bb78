"""A key revoked through one app process is refused by another (a real `satupintu serve` with
two workers) within seconds: each process caches a key for `credentials_cache_seconds` only, and
with Redis hears the revocation on the bus at once."""

from __future__ import annotations

import time
import uuid

from satupintu.accounts import service as accounts
from satupintu.db import Database
from satupintu.events import RedisBus
from satupintu.integration import service
from tests.conftest import DEMO_PASSWORD, token_for
from tests.procserver import ServerProcess
from tests.redisserver import RedisServer, require_redis_server


def test_a_revoked_key_is_refused_by_every_worker_of_another_process(fresh_demo_db):
    with ServerProcess(fresh_demo_db.url, workers=2) as proc, proc_client(proc.url) as c:
        manager = token_for(c, "pengelola")
        r = c.post("/api/v1/sites/lahat/clients", headers=manager, json={
            "name": "Portal Kabupaten", "owner_agency": "Diskominfo", "contact_name": "Budi",
            "contact_email": "budi@lahatkab.go.id"})
        client_id = r.json()["id"]
        r = c.post(f"/api/v1/sites/lahat/clients/{client_id}/keys", headers=manager, json={"scopes": ["queue:read"]})
        key, key_id = r.json()["key"], r.json()["info"]["id"]
        for _ in range(6):  # both workers have it cached now, most likely
            assert c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code == 200

        # Revoked from this test's own process, as by a manager on another app server.
        service.revoke_key(fresh_demo_db, accounts.authenticate(fresh_demo_db, "pengelola", DEMO_PASSWORD), "lahat",
                           uuid.UUID(client_id), uuid.UUID(key_id))

        # What the client system sees: refused by every worker, after a few seconds at most (polled:
        # the time is the cache's, measured by nobody here).
        refused_in_a_row, give_up = 0, time.monotonic() + 120
        while refused_in_a_row < 10 and time.monotonic() < give_up:
            status = c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code
            refused_in_a_row = refused_in_a_row + 1 if status == 401 else 0
            time.sleep(0.2)
        assert refused_in_a_row == 10


def proc_client(url: str):  # type: ignore[no-untyped-def]
    import httpx

    return httpx.Client(base_url=url, timeout=30)


def test_with_redis_a_revocation_reaches_every_worker_through_the_bus_not_the_cache_timeout(fresh_demo_db):
    """The workers keep keys cached for ten minutes here: only the bus's announcement can make them
    refuse the revoked key while the test polls."""
    require_redis_server()
    with RedisServer() as redis_server:
        proc = ServerProcess(fresh_demo_db.url, workers=2, redis_url=redis_server.url)
        proc.env["SATUPINTU_CREDENTIALS_CACHE_SECONDS"] = "600"
        revoker = Database(fresh_demo_db.url, bus=RedisBus(redis_server.url))
        try:
            with proc, proc_client(proc.url) as c:
                manager = token_for(c, "pengelola")
                client_id = c.post("/api/v1/sites/lahat/clients", headers=manager, json={
                    "name": "Portal Bus", "owner_agency": "Diskominfo", "contact_name": "Budi",
                    "contact_email": "budi@lahatkab.go.id"}).json()["id"]
                r = c.post(f"/api/v1/sites/lahat/clients/{client_id}/keys", headers=manager,
                           json={"scopes": ["queue:read"]})
                key, key_id = r.json()["key"], r.json()["info"]["id"]
                for _ in range(6):
                    assert c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code == 200
                time.sleep(1)  # the bus connections of the revoker settle before it publishes
                service.revoke_key(revoker, accounts.authenticate(revoker, "pengelola", DEMO_PASSWORD), "lahat",
                                   uuid.UUID(client_id), uuid.UUID(key_id))
                refused_in_a_row, give_up = 0, time.monotonic() + 60
                while refused_in_a_row < 10 and time.monotonic() < give_up:
                    status = c.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key}).status_code
                    refused_in_a_row = refused_in_a_row + 1 if status == 401 else 0
                    time.sleep(0.2)
                assert refused_in_a_row == 10
        finally:
            revoker.bus.close()  # type: ignore[union-attr]
            revoker.dispose()
