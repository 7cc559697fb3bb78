"""A key limited to one agency reads only that agency's queue and catalogue, against the real
HTTP server on SQLite and PostgreSQL: the waiting tickets, the counters, the services (list,
one, the export), the agency and the agreement warnings of its own agency, none of another's;
a site-wide key still reads the whole site."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from tests.conftest import LiveServer, token_for


@pytest.fixture(scope="module")
def keys_and_manager(server: LiveServer) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(DUKCAPIL key, site-wide key, manager token), each key with queue:read and catalogue:read."""
    with server.client() as c:
        manager = token_for(c, "pengelola")
        r = c.post("/api/v1/sites/lahat/clients", headers=manager, json={
            "name": f"SIAK {uuid.uuid4().hex[:6]}", "owner_agency": "Disdukcapil Lahat", "contact_name": "Budi",
            "contact_email": "budi@lahatkab.go.id"})
        client_id = r.json()["id"]
        out = []
        for agency in ("DUKCAPIL", ""):
            r = c.post(f"/api/v1/sites/lahat/clients/{client_id}/keys", headers=manager,
                       json={"scopes": ["queue:read", "catalogue:read"], "agency": agency})
            assert r.status_code == 201, r.text
            out.append({"X-API-Key": r.json()["key"]})
        return out[0], out[1], manager


def test_an_agency_key_sees_only_its_agencys_waiting_tickets(server, keys_and_manager):
    """With a DUKCAPIL and a DPMPTSP ticket waiting, the DUKCAPIL key's queue lists the first
    and not the second; the site-wide key lists both."""
    agency_key, site_key, manager = keys_and_manager
    with server.client() as c:
        numbers = {}
        for service in ("DKC-02", "DPM-02"):
            r = c.post("/api/v1/sites/lahat/tickets", headers=manager, json={"service": service, "channel": "mobile"})
            assert r.status_code == 201, r.text
            numbers[service] = r.json()["number"]
        mine = c.get("/api/v1/sites/lahat/queue?limit=500", headers=agency_key)
        assert mine.status_code == 200, mine.text
        listed = {t["number"] for t in mine.json()}
        assert numbers["DKC-02"] in listed and numbers["DPM-02"] not in listed
        assert {t["agency_code"] for t in mine.json()} == {"DUKCAPIL"}
        whole = {t["number"] for t in c.get("/api/v1/sites/lahat/queue?limit=500", headers=site_key).json()}
        assert {numbers["DKC-02"], numbers["DPM-02"]} <= whole


def test_an_agency_key_sees_only_its_agencys_counters(server, keys_and_manager):
    """The DUKCAPIL key's counter states are DUKCAPIL's counters only; the site-wide key's are all."""
    agency_key, site_key, _ = keys_and_manager
    with server.client() as c:
        mine = c.get("/api/v1/sites/lahat/counter-states?limit=500", headers=agency_key).json()
        whole = c.get("/api/v1/sites/lahat/counter-states?limit=500", headers=site_key).json()
        assert mine and len(mine) < len(whole)
        assert {x["agency_code"] for x in mine} == {"DUKCAPIL"}


def test_an_agency_key_reads_only_its_agencys_catalogue(server, keys_and_manager):
    """The DUKCAPIL key lists only DKC- services, reads DKC-01 but not DPM-01 (404 naming the
    service), its agency but not DPMPTSP (404 naming the agency), and its export has only
    DUKCAPIL rows; the site-wide key reads all of them."""
    agency_key, site_key, _ = keys_and_manager
    with server.client() as c:
        codes = [x["code"] for x in c.get("/api/v1/sites/lahat/services?limit=500", headers=agency_key).json()]
        assert codes and all(code.startswith("DKC-") for code in codes)
        assert any(x["code"].startswith("DPM-")
                   for x in c.get("/api/v1/sites/lahat/services?limit=500", headers=site_key).json())
        assert c.get("/api/v1/sites/lahat/services/DKC-01", headers=agency_key).status_code == 200
        r = c.get("/api/v1/sites/lahat/services/DPM-01", headers=agency_key)
        assert r.status_code == 404 and r.json()["error"]["field"] == "service"
        assert c.get("/api/v1/sites/lahat/services/DPM-01", headers=site_key).status_code == 200
        assert c.get("/api/v1/sites/lahat/agencies/DUKCAPIL", headers=agency_key).status_code == 200
        r = c.get("/api/v1/sites/lahat/agencies/DPMPTSP", headers=agency_key)
        assert r.status_code == 404 and r.json()["error"]["field"] == "agency"
        rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/sites/lahat/catalogue.csv",
                                                     headers=agency_key).text.lstrip("\ufeff"))))
        assert rows and {row["kode_instansi"] for row in rows} == {"DUKCAPIL"}
        whole = list(csv.DictReader(io.StringIO(c.get("/api/v1/sites/lahat/catalogue.csv",
                                                      headers=site_key).text.lstrip("\ufeff"))))
        assert len({row["kode_instansi"] for row in whole}) > 1
        warnings = c.get("/api/v1/sites/lahat/agreement-warnings?limit=500", headers=agency_key)
        assert warnings.status_code == 200
        assert {w["agency"]["code"] for w in warnings.json()} <= {"DUKCAPIL"}
